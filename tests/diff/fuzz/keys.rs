//! Keys family: the generic key commands over the shared key pool, with their
//! options and error paths. DEL/UNLINK/EXISTS/TOUCH with repeated keys (EXISTS
//! counts a repeated key each time, DEL removes it once), TYPE, KEYS, SCAN,
//! RANDOMKEY, RENAME/RENAMENX, COPY (DB, REPLACE), MOVE, the EXPIRE family with
//! NX/XX/GT/LT, TTL/PTTL/EXPIRETIME/PEXPIRETIME, PERSIST, OBJECT (not
//! REFCOUNT: after COPY of a small integer it is a known divergence).
//!
//! Wrong-type errors need a second type: until lists land, strings are the
//! only one, so `TYPE` and `SCAN .. TYPE` only see `string`/`none`; add the new
//! type's commands to a family and the shared key pool does the rest.
//!
//! `equivalent` (narrow, per command):
//! - KEYS: the same keys as a multiset — Redis lists them in its hash table's
//!   order, seeded at random per process.
//! - SCAN: errors exactly; otherwise only when the scan started at cursor 0
//!   and the real server finished in one call (cursor "0"), the same keys as a
//!   multiset and cursor "0" from core. Other cursors are positions in Redis's
//!   randomly seeded hash table (SCAN -1 returns whatever hashes into the last
//!   bucket) and are only compared as "a 2-element array".
//! - RANDOMKEY: nil on both sides, or a key on both sides.
//! - PTTL, PEXPIRETIME: within 1000 ms, EXPIRETIME within 1 s; TTL within 1 s.
//!   Core runs at the batch's wall time, Redis a few ms later.
//! - OBJECT IDLETIME: errors exactly; Redis's value may be larger than core's
//!   (by up to 2 s of LRU clock, or any amount for a small integer: Redis
//!   shares those objects, so their access time is any client's last read of
//!   that number — a reported divergence). OBJECT FREQ is only an error under
//!   noeviction.
//!
//! Inside MULTI (as [`Gen::in_multi`] tracks it) those commands are not
//! generated: their replies would sit inside EXEC's array, which compares
//! exactly. EXISTS stands in for them.

use redplay_core::Reply;

use super::{exact, Command, Family, Gen};

pub const FAMILY: Family = Family { name: "keys", weight: 5, generate, equivalent };

fn sorted(items: &[Reply]) -> Vec<String> {
    let mut keys: Vec<String> = items.iter().map(|r| format!("{:?}", r)).collect();
    keys.sort();
    keys
}

fn near(core: &Reply, real: &Reply, slack: i64) -> bool {
    match (core, real) {
        (Reply::Integer(c), Reply::Integer(r)) if *c < 0 || *r < 0 => c == r,
        (Reply::Integer(c), Reply::Integer(r)) => (c - r).abs() <= slack,
        _ => core == real,
    }
}

fn equivalent(command: &Command, core: &Reply, real: &Reply) -> bool {
    let name = command[0].to_ascii_lowercase();
    // Errors, and QUEUED inside MULTI, compare exactly.
    if exact(command, core, real) || core.is_error() || real.is_error() || matches!(real, Reply::Status(_)) {
        return exact(command, core, real);
    }
    match name.as_slice() {
        b"keys" => matches!((core, real), (Reply::Array(c), Reply::Array(r)) if sorted(c) == sorted(r)),
        b"scan" => match (core, real) {
            (Reply::Array(c), Reply::Array(r)) if c.len() == 2 && r.len() == 2 => match (&c[1], &r[1]) {
                (Reply::Array(ck), Reply::Array(rk)) if r[0] == Reply::bulk(b"0") && command[1] == b"0" => {
                    c[0] == r[0] && sorted(ck) == sorted(rk)
                }
                (Reply::Array(_), Reply::Array(_)) => true,
                _ => false,
            },
            _ => false,
        },
        b"randomkey" => matches!((core, real), (Reply::Nil, Reply::Nil) | (Reply::Bulk(_), Reply::Bulk(_))),
        b"pttl" | b"pexpiretime" => near(core, real, 1000),
        b"ttl" | b"expiretime" => near(core, real, 1),
        // A key holding a small integer (< 10000) shares Redis's preallocated
        // object, whose access time is whenever any client last read that
        // number: Redis may report more idle time than core (reported).
        b"object" if command.get(1).is_some_and(|s| s.eq_ignore_ascii_case(b"idletime")) => {
            matches!((core, real), (Reply::Integer(c), Reply::Integer(r)) if *r + 2 >= *c)
        }
        b"object" => near(core, real, 2),
        _ => exact(command, core, real),
    }
}

const DBS: &[&[u8]] = &[b"0", b"1", b"2", b"15", b"16", b"-1", b"abc", b""];
const PATTERNS: &[&[u8]] = &[b"*", b"k*", b"k?", b"k[0-2]", b"k[^0]", b"*space*", b"[a-", b"\\k0", b"", b"\x00*", b"nomatch"];

/// A relative expire time: far beyond the run, invalid, zero/negative (the
/// key goes at once), or overflowing.
fn expire_arg(g: &mut Gen, ms: bool) -> Vec<u8> {
    const ODD: &[&str] = &["0", "-1", "-100", "abc", "1.5", "", " 5", "9223372036854775807", "9223372036854775", "-9223372036854775808"];
    if g.chance(25) {
        return g.pick(ODD).as_bytes().to_vec();
    }
    let n = if ms { g.range(1_000_000, 10_000_000_000) } else { g.range(1_000, 10_000_000) };
    n.to_string().into_bytes()
}

/// An absolute expire time far in the future (never past: see strings.rs).
fn expire_at_arg(g: &mut Gen, ms: bool) -> Vec<u8> {
    if g.chance(15) {
        return g.pick(&[&b"abc"[..], b"9223372036854775807", b"-1", b""]).to_vec();
    }
    let s = g.range(4_000_000_000, 5_000_000_000);
    (if ms { s * 1000 + g.range(0, 999) } else { s }).to_string().into_bytes()
}

fn expire_options(g: &mut Gen, argv: &mut Command) {
    for _ in 0..if g.chance(60) { 0 } else { g.range(1, 2) } {
        let word = *g.pick(&["nx", "xx", "gt", "lt", "bogus"]);
        argv.push(g.word(word));
    }
}

fn generate(g: &mut Gen) -> Command {
    let key = g.key();
    let pick = g.below(40);
    let loose = matches!(pick, 6..=9 | 26..=30 | 31..=33);
    if loose && g.in_multi(0) {
        return vec![g.word("exists"), key];
    }
    match pick {
        0..=3 => {
            let name = *g.pick(&["del", "unlink", "exists", "touch"]);
            let count = if g.chance(5) { 0 } else { g.range(1, 5) as usize };
            let mut argv = vec![g.word(name)];
            argv.extend(g.keys(count));
            argv
        }
        4 | 5 => {
            let mut argv = vec![g.word("type"), key];
            if g.chance(5) {
                argv.push(g.key());
            }
            argv
        }
        6 => {
            let mut argv = vec![g.word("keys")];
            if g.chance(95) {
                argv.push(g.pick(PATTERNS).to_vec());
            }
            argv
        }
        7 | 8 => {
            let mut argv = vec![g.word("scan")];
            argv.push(if g.chance(85) { b"0".to_vec() } else { g.pick(&[&b"abc"[..], b"-1", b"18446744073709551616", b""]).to_vec() });
            for _ in 0..g.below(3) {
                match g.below(5) {
                    0 => argv.extend([g.word("match"), g.pick(PATTERNS).to_vec()]),
                    1 => argv.extend([g.word("count"), g.pick(&[&b"1000"[..], b"100", b"0", b"-1", b"abc"]).to_vec()]),
                    2 => {
                        let t = *g.pick(&["string", "STRING", "list", "none", "bogus"]);
                        argv.extend([g.word("type"), t.as_bytes().to_vec()]);
                    }
                    3 => argv.push(g.word("match")),
                    _ => argv.push(g.junk()),
                }
            }
            argv
        }
        9 => {
            let mut argv = vec![g.word("randomkey")];
            if g.chance(5) {
                argv.push(key);
            }
            argv
        }
        10..=12 => {
            let name = if g.chance(50) { "rename" } else { "renamenx" };
            let mut argv = vec![g.word(name), key];
            if g.chance(95) {
                argv.push(g.key());
            }
            argv
        }
        13..=15 => {
            let mut argv = vec![g.word("copy"), key, g.key()];
            // DB at most once and last: Redis checks each DB value as it reads
            // it, core after reading every option (known divergence).
            if g.chance(30) {
                argv.push(g.word("replace"));
            }
            if g.chance(10) {
                argv.push(g.junk());
            }
            if g.chance(50) {
                argv.extend([g.word("db"), g.pick(DBS).to_vec()]);
            }
            argv
        }
        16 | 17 => {
            let mut argv = vec![g.word("move"), key];
            if g.chance(95) {
                argv.push(g.pick(DBS).to_vec());
            }
            argv
        }
        18..=22 => {
            let ms = g.chance(50);
            let mut argv = vec![g.word(if ms { "pexpire" } else { "expire" }), key];
            if g.chance(97) {
                argv.push(expire_arg(g, ms));
            }
            expire_options(g, &mut argv);
            argv
        }
        23..=25 => {
            let ms = g.chance(50);
            let mut argv = vec![g.word(if ms { "pexpireat" } else { "expireat" }), key];
            argv.push(expire_at_arg(g, ms));
            expire_options(g, &mut argv);
            argv
        }
        26..=30 => {
            let name = *g.pick(&["ttl", "pttl", "expiretime", "pexpiretime", "persist"]);
            let mut argv = vec![g.word(name), key];
            if g.chance(3) {
                argv.push(g.key());
            }
            argv
        }
        31..=33 => {
            // No REFCOUNT: a copied small integer is a known divergence.
            let sub = *g.pick(&["encoding", "idletime", "freq", "help", "bogus"]);
            let mut argv = vec![g.word("object")];
            if g.chance(97) {
                argv.push(g.word(sub));
            }
            // OBJECT HELP's text is redplay's own (never Redis's): only its
            // arity error (`OBJECT HELP key`) is compared.
            argv.push(key);
            argv
        }
        // Values whose encoding OBJECT ENCODING tells apart (int, embstr, raw).
        _ => {
            let value = match g.below(6) {
                0 => g.range(-1000, 100_000).to_string().into_bytes(),
                1 => b"9223372036854775808".to_vec(),
                2 => vec![b'r'; g.range(40, 50) as usize],
                3 => b" 12".to_vec(),
                _ => g.value(),
            };
            vec![g.word("set"), key, value]
        }
    }
}
