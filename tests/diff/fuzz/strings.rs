//! Strings family: SET with every option (valid, conflicting, repeated, junk,
//! bad and edge-case expire times) and GET, including wrong arity; and the
//! rest of the string commands: GETDEL, GETEX (EX/PX/EXAT/PXAT/PERSIST),
//! GETSET, MGET, MSET, MSETNX, SETNX, SETEX, PSETEX, APPEND, STRLEN,
//! INCR/INCRBY/DECR/DECRBY/INCRBYFLOAT (overflow, non-numbers, floats),
//! GETRANGE/SUBSTR, LCS (IDX, LEN, MINMATCHLEN, WITHMATCHLEN), SETRANGE (offsets kept small or past the 512MB limit, so
//! nobody allocates half a gigabyte).
//!
//! Other types for wrong-type errors: XADD with explicit ids (never `*`, which
//! would be the clock) and RPUSH turn pool keys into streams and lists now and
//! then. Add other types' writers here as they land.

use super::{exact, Command, Family, Gen};

pub const FAMILY: Family = Family { name: "strings", weight: 8, generate, equivalent: exact };

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

/// A number for INCRBY/DECRBY and friends, overflow and junk included.
fn increment(g: &mut Gen) -> Vec<u8> {
    const ODD: &[&str] = &[
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1.5", "abc", "", " 1", "+1", "0x10", "-0",
    ];
    if g.chance(20) {
        g.pick(ODD).as_bytes().to_vec()
    } else {
        g.range(-1000, 1000).to_string().into_bytes()
    }
}

fn float_increment(g: &mut Gen) -> Vec<u8> {
    const ODD: &[&str] = &[
        "0.1", "-0.1", "1e10", "1e308", "-1e308", "inf", "-inf", "nan", "abc", "", "3.0e-5", "5.0e3", "1.7976931348623157e308",
        "0x10", " 1", "1 ", "10.50",
    ];
    if g.chance(50) {
        g.pick(ODD).as_bytes().to_vec()
    } else {
        format!("{}.{}", g.range(-100, 100), g.below(1000)).into_bytes()
    }
}

/// GETRANGE/SETRANGE offsets: small, negative, huge, junk.
fn offset(g: &mut Gen) -> Vec<u8> {
    const ODD: &[&str] = &["-1", "-100", "9223372036854775807", "-9223372036854775808", "536870912", "abc", "", "1.5"];
    if g.chance(20) {
        g.pick(ODD).as_bytes().to_vec()
    } else {
        g.range(0, 40).to_string().into_bytes()
    }
}

/// `LCS key1 key2` with options in any order, repeated, conflicting or junk.
fn lcs(g: &mut Gen, key: Vec<u8>) -> Command {
    let mut argv = vec![g.word("lcs"), key, g.key()];
    for _ in 0..g.below(4) {
        match g.below(12) {
            0 | 1 => argv.push(g.word("len")),
            2..=5 => argv.push(g.word("idx")),
            6 | 7 => argv.push(g.word("withmatchlen")),
            8..=10 => {
                argv.push(g.word("minmatchlen"));
                if g.chance(90) {
                    let n = if g.chance(85) { g.range(-1, 4).to_string().into_bytes() } else { g.junk() };
                    argv.push(n);
                }
            }
            _ => argv.push(g.junk()),
        }
    }
    argv
}

fn more(g: &mut Gen) -> Command {
    let key = g.key();
    match g.below(27) {
        0 => vec![g.word("getdel"), key],
        1 | 2 => {
            let mut argv = vec![g.word("getex"), key];
            match g.below(8) {
                0 => argv.push(g.word("persist")),
                1 => {}
                2 => argv.push(g.junk()),
                _ => {
                    let unit = *g.pick(&["ex", "px", "exat", "pxat"]);
                    argv.push(g.word(unit));
                    if g.chance(95) {
                        argv.push(expire_number(g, unit));
                    }
                    if g.chance(10) {
                        argv.push(g.word("persist"));
                    }
                }
            }
            argv
        }
        3 => vec![g.word("getset"), key, g.value()],
        4 | 5 => {
            let mut argv = vec![g.word("mget")];
            let count = g.below(5);
            argv.extend(g.keys(count));
            argv
        }
        6 | 7 => {
            let name = if g.chance(60) { "mset" } else { "msetnx" };
            let mut argv = vec![g.word(name)];
            for _ in 0..g.range(1, 3) {
                argv.push(g.key());
                argv.push(g.value());
            }
            if g.chance(5) {
                argv.pop();
            }
            argv
        }
        8 => vec![g.word("setnx"), key, g.value()],
        9 => {
            let ms = g.chance(50);
            let n = expire_number(g, if ms { "px" } else { "ex" });
            vec![g.word(if ms { "psetex" } else { "setex" }), key, n, g.value()]
        }
        10 | 11 => vec![g.word("append"), key, g.value()],
        12 => vec![g.word("strlen"), key],
        13..=15 => match g.below(4) {
            0 => vec![g.word("incr"), key],
            1 => vec![g.word("decr"), key],
            2 => vec![g.word("incrby"), key, increment(g)],
            _ => vec![g.word("decrby"), key, increment(g)],
        },
        16 | 17 => vec![g.word("incrbyfloat"), key, float_increment(g)],
        18 | 19 => {
            let name = if g.chance(80) { "getrange" } else { "substr" };
            vec![g.word(name), key, offset(g), offset(g)]
        }
        20 => {
            let value = if g.chance(90) { g.value() } else { Vec::new() };
            vec![g.word("setrange"), key, offset(g), value]
        }
        // A stream or a list, for wrong-type errors (explicit ids: `*` is the clock).
        21 if g.chance(50) => vec![g.word("xadd"), key, format!("{}-1", g.range(1, 50)).into_bytes(), b"f".to_vec(), g.value()],
        21 => vec![g.word("rpush"), key, g.value()],
        // Numbers to increment.
        22 => vec![g.word("set"), key, increment(g)],
        // Short texts over a small alphabet, so LCS finds runs to report.
        23 => {
            let text: Vec<u8> = (0..g.below(14)).map(|_| *g.pick(b"abcx")).collect();
            vec![g.word("set"), key, text]
        }
        24 | 25 => lcs(g, key),
        // Wrong arity for any of them.
        _ => {
            let name = *g.pick(&["lcs", "getdel", "getex", "getset", "mget", "mset", "setnx", "setex", "append", "strlen", "incr", "incrby", "incrbyfloat", "getrange", "setrange"]);
            let mut argv = vec![g.word(name)];
            let count = g.below(2);
            argv.extend(g.keys(count));
            argv
        }
    }
}

fn generate(g: &mut Gen) -> Command {
    if g.chance(55) {
        return more(g);
    }
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
