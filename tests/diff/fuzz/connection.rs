//! Connection family: PING and ECHO with any number of arguments, and unknown
//! commands (whose error echoes a capped, NUL-cut list of the arguments).

use super::{exact, Command, Family, Gen};

pub const FAMILY: Family = Family { name: "connection", weight: 2, generate, equivalent: exact };

/// Names that are no command in Redis 7.0 (so no family ever implements them).
const UNKNOWN: &[&[u8]] = &[b"foo", b"PINGG", b"ech", b"GETT", b"set\x00x", b"\x00", b"", b"hello world", b"\xc3\x9f", b"p-i-n-g"];

fn generate(g: &mut Gen) -> Command {
    match g.below(10) {
        0..=2 => {
            let mut argv = vec![g.word("ping")];
            let extra = if g.chance(80) { g.below(2) } else { g.range(2, 4) as usize };
            argv.extend((0..extra).map(|_| g.junk()));
            argv
        }
        3..=5 => {
            let mut argv = vec![g.word("echo")];
            let extra = if g.chance(80) { 1 } else { *g.pick(&[0, 2, 3]) };
            argv.extend((0..extra).map(|_| g.value()));
            argv
        }
        _ => {
            let name = if g.chance(10) { vec![b'z'; g.range(100, 200) as usize] } else { g.pick(UNKNOWN).to_vec() };
            let mut argv = vec![name];
            for _ in 0..g.below(6) {
                let arg = match g.below(4) {
                    0 => vec![b'x'; g.range(20, 200) as usize],
                    1 => g.binary(8),
                    _ => g.junk(),
                };
                argv.push(arg);
            }
            argv
        }
    }
}
