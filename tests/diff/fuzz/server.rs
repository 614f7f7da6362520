//! Connection-state and server family: SELECT (valid, out of range, junk),
//! DBSIZE, FLUSHDB (rarely: it empties the shared keys), ECHO, PING, HELLO 2/3
//! switching (so every other family also runs under RESP3), RESET, CONFIG GET
//! and SET of the parameters core honours, with good and bad values.
//!
//! `equivalent`: exact (which masks the connection id in HELLO's reply).
//!
//! Not generated (known divergences, see `divergent.txt`): `CONFIG SET
//! maxmemory ""`, a parameter given twice in different case or with its alias,
//! `CONFIG GET` of an exact name not in lower case; maxmemory policies other
//! than noeviction (core refuses them by design); HELLO inside MULTI (Redis
//! shapes each queued reply in the protocol current when it runs); a bad value before an
//! unknown or immutable name in one CONFIG SET; a non-UTF-8 HELLO option; a maxmemory below the
//! server's real memory use (Redis then refuses writes with -OOM; core does not
//! account memory).

use super::{exact, Command, Family, Gen};

pub const FAMILY: Family = Family { name: "server", weight: 3, generate, equivalent: exact };

const DB_ARGS: &[&[u8]] = &[b"0", b"1", b"2", b"15", b"16", b"-1", b"abc", b"1.0", b" 1", b"99999999999999999999", b""];

/// Parameters with values: valid ones and each kind of invalid one.
const PARAMS: &[(&str, &[&str])] = &[
    ("maxmemory", &["0", "100mb", "1gb", "1tb", "-1", "abc", "1.5mb", "1pb"]),
    ("maxmemory-policy", &["noeviction", "NOEVICTION", "bogus", "lru"]),
    ("proto-max-bulk-len", &["536870912", "1mb", "1048576", "1", "-1", "abc"]),
    ("stream-node-max-entries", &["100", "0", "50", "-1", "abc", "1000000000000"]),
    ("stream-node-max-bytes", &["4096", "0", "1kb", "-1", "abc"]),
    ("list-max-listpack-size", &["-2", "-1", "-5", "-6", "0", "5", "abc"]),
    ("list-max-ziplist-size", &["-2", "8", "-6", "abc"]),
    ("list-compress-depth", &["0", "1", "3", "-1", "abc"]),
    ("databases", &["16", "32"]),
    ("nosuchparam", &["1"]),
];

fn generate(g: &mut Gen) -> Command {
    match g.below(100) {
        0..=19 => {
            let mut argv = vec![g.word("select")];
            if g.chance(90) {
                argv.push(if g.chance(70) { g.below(3).to_string().into_bytes() } else { g.pick(DB_ARGS).to_vec() });
            }
            if g.chance(3) {
                argv.push(b"1".to_vec());
            }
            argv
        }
        20..=34 => {
            let mut argv = vec![g.word("dbsize")];
            if g.chance(5) {
                argv.push(g.junk());
            }
            argv
        }
        35..=36 => {
            let name = if g.chance(50) { "flushdb" } else { "flushall" };
            let mut argv = vec![g.word(name)];
            match g.below(6) {
                0 => argv.push(g.word("async")),
                1 => argv.push(g.word("sync")),
                2 => argv.push(g.junk()),
                3 => argv.extend([g.word("sync"), g.word("async")]),
                _ => {}
            }
            argv
        }
        // HELLO inside MULTI is a known divergence (see the module docs).
        37..=46 if g.in_multi(0) => vec![g.word("ping")],
        37..=46 => {
            let mut argv = vec![g.word("hello")];
            match g.below(10) {
                0..=3 => argv.push(b"3".to_vec()),
                4..=6 => argv.push(b"2".to_vec()),
                7 => {}
                8 => argv.push(g.pick(&[&b"1"[..], b"4", b"0", b"-1", b"abc", b"3.0", b""]).to_vec()),
                _ => {
                    argv.push(if g.chance(50) { b"2".to_vec() } else { b"3".to_vec() });
                    match g.below(4) {
                        0 => argv.extend([g.word("setname"), format!("n{}", g.below(3)).into_bytes()]),
                        1 => argv.extend([g.word("setname"), b"bad name".to_vec()]),
                        2 => argv.push(g.word("setname")),
                        // ASCII only: a non-UTF-8 option is a known divergence.
                        _ => argv.push(g.pick(&[&b"auth"[..], b"AUTH", b"setname", b"foo", b"3", b"x y", b""]).to_vec()),
                    }
                }
            }
            argv
        }
        47..=49 => {
            let mut argv = vec![g.word("reset")];
            if g.chance(10) {
                argv.push(g.junk());
            }
            argv
        }
        50..=69 => {
            let mut argv = vec![g.word("config"), g.word("get")];
            let count = if g.chance(5) { 0 } else { g.range(1, 2) as usize };
            for _ in 0..count {
                // Exact names in lower case only (see the module docs); one glob
                // matching a single parameter.
                let name = if g.chance(10) { "maxmemory-p*".to_string() } else { g.pick(PARAMS).0.to_string() };
                argv.push(name.into_bytes());
            }
            if count == 2 && argv[2] != argv[3] {
                // Several parameters come back in the server's hash order.
                argv.pop();
            }
            argv
        }
        70..=89 => {
            let mut argv = vec![g.word("config"), g.word("set")];
            let pairs = if g.chance(85) { 1 } else { 2 };
            // (name, family) pairs used: a name twice is a duplicate error on
            // both sides; a name and its alias is a known divergence.
            let mut used: Vec<(&str, &str)> = Vec::new();
            for _ in 0..pairs {
                let (name, values) = *g.pick(PARAMS);
                let family_name = if name == "list-max-ziplist-size" { "list-max-listpack-size" } else { name };
                if used.iter().any(|&(n, f)| f == family_name && (n != name || g.chance(50))) {
                    continue;
                }
                used.push((name, family_name));
                argv.push(name.as_bytes().to_vec());
                // With several pairs, only valid values: Redis checks all names
                // before any value, a known divergence.
                let values = if pairs > 1 { &values[..values.len().min(2)] } else { values };
                argv.push(g.pick(values).as_bytes().to_vec());
            }
            if g.chance(5) {
                argv.pop();
            }
            argv
        }
        90..=94 => {
            let mut argv = vec![g.word("echo")];
            argv.push(g.value());
            argv
        }
        _ => vec![g.word("ping")],
    }
}
