//! Strings family: SET with every option (valid, conflicting, repeated, junk,
//! bad and edge-case expire times) and GET, including wrong arity.

use super::{exact, Command, Family, Gen};

pub const FAMILY: Family = Family { name: "strings", weight: 5, generate, equivalent: exact };

/// Expire arguments whose outcome cannot depend on when the command runs:
/// relative times far beyond a run, absolute ones far in the future,
/// and invalid or overflowing numbers nowhere near a clock-dependent boundary.
fn expire_number(g: &mut Gen, unit: &str) -> Vec<u8> {
    const INVALID: &[&str] = &[
        "0", "-1", "-100", "abc", "1.5", "", " 5", "5 ", "+5", "0x10",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "9223372036854775",
    ];
    if g.chance(35) {
        return g.pick(INVALID).as_bytes().to_vec();
    }
    let n = match unit {
        "ex" => g.range(1_000, 100_000_000),
        "px" => g.range(1_000_000, 10_000_000_000),
        // Absolute: after 2096. Never in the past: Redis stores such a key
        // and its expire cycle reclaims it at its own pace, which shows in
        // DBSIZE, INFO and WATCH; transcripts test past deadlines instead.
        "exat" => g.range(4_000_000_000, 5_000_000_000),
        _ => g.range(4_000_000_000_000, 5_000_000_000_000),
    };
    n.to_string().into_bytes()
}

fn set_options(g: &mut Gen, argv: &mut Command) {
    for _ in 0..g.below(5) {
        match g.below(10) {
            0 => argv.push(g.word("nx")),
            1 => argv.push(g.word("xx")),
            2 | 3 => argv.push(g.word("get")),
            4 => argv.push(g.word("keepttl")),
            5..=8 => {
                let unit = *g.pick(&["ex", "px", "exat", "pxat"]);
                argv.push(g.word(unit));
                // Now and then the number is missing: a syntax error, or the
                // next option is read as the number.
                if g.chance(93) {
                    argv.push(expire_number(g, unit));
                }
            }
            _ => argv.push(g.junk()),
        }
    }
}

fn generate(g: &mut Gen) -> Command {
    match g.below(20) {
        0..=10 => {
            let mut argv = vec![g.word("set"), g.key(), g.value()];
            if g.chance(60) {
                set_options(g, &mut argv);
            }
            argv
        }
        11..=17 => vec![g.word("get"), g.key()],
        18 => {
            let mut argv = vec![g.word("set")];
            argv.extend((0..g.below(2)).map(|_| g.key()));
            argv
        }
        _ => {
            let mut argv = vec![g.word("get")];
            if g.chance(50) {
                argv.extend((0..g.range(2, 3)).map(|_| g.junk()));
            }
            argv
        }
    }
}
