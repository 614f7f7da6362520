//! Keys family: DEL and EXISTS over the shared key pool (duplicates included:
//! EXISTS counts a repeated key each time, DEL removes it once), and with no
//! keys at all (wrong arity).

use super::{exact, Command, Family, Gen};

pub const FAMILY: Family = Family { name: "keys", weight: 3, generate, equivalent: exact };

fn generate(g: &mut Gen) -> Command {
    let name = if g.chance(40) { "del" } else { "exists" };
    let count = if g.chance(5) { 0 } else { g.range(1, 5) as usize };
    let mut argv = vec![g.word(name)];
    argv.extend(g.keys(count));
    argv
}
