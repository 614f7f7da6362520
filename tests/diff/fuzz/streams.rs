//! Streams session family: XADD (explicit IDs, `ms-*`, `*`, trimming),
//! XRANGE/XREVRANGE/XREAD/XDEL/XTRIM/XLEN/XSETID/XINFO, consumer groups
//! (XGROUP CREATE/SETID/DESTROY/CREATECONSUMER/DELCONSUMER, XREADGROUP with
//! `>`, history and NOACK, XACK, XPENDING, XCLAIM, XAUTOCLAIM), and blocking
//! XREAD/XREADGROUP (on one key, two, or the same key twice) on c2 and c3
//! woken by the others, by DEL and by XGROUP DESTROY, or left waiting by
//! changes that add no entry. A WATCH scenario checks which stream commands
//! fail a transaction.
//!
//! Connection 0 never blocks: it alone sends `XADD key * ...` (run on the real
//! server first, core then runs at the ID's millisecond, see `session.rs`) and
//! the commands whose replies show the clock, compared by [`equivalent`].
//!
//! Time: claims use min-idle 0 or 3600000 (an hour: only entries given a large
//! IDLE/TIME by XCLAIM qualify), never anything in between; blocking is
//! `BLOCK 0`, or a rare `BLOCK 100` followed by a 300 ms sleep.
//!
//! Blocked connections are sent only XLEN and XRANGE, whose replies do not
//! depend on when they run among the clients served with them (see the known
//! divergence in `lists.rs`).

use super::session::{Action, Scene, SessionFamily};
use super::{Command, Gen};
use redplay_core::Reply;

pub const SESSION: SessionFamily = SessionFamily {
    name: "streams",
    generate,
    canon: super::session::no_canon,
    equivalent,
    real_first,
    while_blocked,
};

fn real_first(command: &Command) -> bool {
    command[0].eq_ignore_ascii_case(b"xadd") && command.iter().any(|a| a == b"*")
}

fn while_blocked(command: &Command) -> bool {
    command[0].eq_ignore_ascii_case(b"xlen") || command[0].eq_ignore_ascii_case(b"xrange")
}

/// Time-dependent fields only: XPENDING's idle time per entry, XINFO
/// CONSUMERS' `idle`, and absolute ms timestamps (≥ 10^12: seen-time,
/// delivery times) in XINFO STREAM FULL may differ by up to 10 s; all else exact.
fn equivalent(step: &Command, issuer: bool, core: &Reply, real: &Reply) -> bool {
    if super::exact(step, core, real) {
        return true;
    }
    if !issuer {
        return false;
    }
    let name = step[0].to_ascii_lowercase();
    let sub = step
        .get(1)
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    let close = |c: &Reply, r: &Reply| matches!((c, r), (Reply::Integer(c), Reply::Integer(r)) if c.abs_diff(*r) <= 10_000);
    match (name.as_slice(), sub.as_slice()) {
        (b"xpending", _) if step.len() >= 5 => match (core, real) {
            (Reply::Array(c), Reply::Array(r)) if c.len() == r.len() => {
                c.iter().zip(r).all(|(c, r)| match (c, r) {
                    (Reply::Array(c), Reply::Array(r)) if c.len() == 4 && r.len() == 4 => {
                        c[0] == r[0] && c[1] == r[1] && c[3] == r[3] && close(&c[2], &r[2])
                    }
                    _ => false,
                })
            }
            _ => false,
        },
        (b"xinfo", b"consumers") => same_tree(core, real, &|key, c, r| {
            key == Some(b"idle".as_slice()) && close(c, r)
        }),
        (b"xinfo", b"stream") => same_tree(core, real, &|_, c, r| {
            matches!((c, r), (Reply::Integer(a), Reply::Integer(b)) if *a >= 1_000_000_000_000 && *b >= 1_000_000_000_000)
                && close(c, r)
        }),
        _ => false,
    }
}

/// Equal trees, except leaves where `tolerated(key, core, real)` (key: the
/// preceding field name in a flat key/value array or map).
/// Whether a differing leaf is tolerated, given the field name before it.
type Tolerated<'a> = dyn Fn(Option<&[u8]>, &Reply, &Reply) -> bool + 'a;

fn same_tree(core: &Reply, real: &Reply, tolerated: &Tolerated<'_>) -> bool {
    fn walk(c: &Reply, r: &Reply, key: Option<&[u8]>, tolerated: &Tolerated<'_>) -> bool {
        match (c, r) {
            (Reply::Array(c), Reply::Array(r)) if c.len() == r.len() => {
                c.iter().zip(r).enumerate().all(|(i, (ci, ri))| {
                    let key = match (i % 2, i.checked_sub(1).map(|p| &c[p])) {
                        (1, Some(Reply::Bulk(k))) => Some(k.as_slice()),
                        _ => None,
                    };
                    walk(ci, ri, key, tolerated)
                })
            }
            (Reply::Map(c), Reply::Map(r)) if c.len() == r.len() => {
                c.iter().zip(r).all(|((ck, cv), (rk, rv))| {
                    let key = match ck {
                        Reply::Bulk(k) => Some(k.as_slice()),
                        _ => None,
                    };
                    ck == rk && walk(cv, rv, key, tolerated)
                })
            }
            _ => c == r || tolerated(key, c, r),
        }
    }
    walk(core, real, None, tolerated)
}

const KEYS: &[&[u8]] = &[b"s0", b"s1", b"s2", b"str"];
const GROUPS: &[&[u8]] = &[b"g1", b"g2", b"nogroup"];
const CONSUMERS: &[&[u8]] = &[b"alice", b"bob", b"carol"];

fn key(g: &mut Gen) -> Vec<u8> {
    g.pick(KEYS).to_vec()
}

fn group(g: &mut Gen) -> Vec<u8> {
    if g.chance(85) {
        g.pick(&GROUPS[..2]).to_vec()
    } else {
        GROUPS[2].to_vec()
    }
}

fn consumer(g: &mut Gen) -> Vec<u8> {
    g.pick(CONSUMERS).to_vec()
}

/// An explicit ID: small, so that entries collide, are smaller, and equal.
fn id(g: &mut Gen) -> Vec<u8> {
    match g.below(20) {
        0 => g
            .pick(&[
                "0-0",
                "0",
                "abc",
                "1-x",
                "-1",
                "18446744073709551615-18446744073709551615",
                "18446744073709551615",
            ])
            .as_bytes()
            .to_vec(),
        1..=4 => g.range(0, 40).to_string().into_bytes(),
        _ => format!("{}-{}", g.range(0, 40), g.range(0, 3)).into_bytes(),
    }
}

/// A range bound for XRANGE and friends.
fn bound(g: &mut Gen) -> Vec<u8> {
    match g.below(8) {
        0 | 1 => b"-".to_vec(),
        2 | 3 => b"+".to_vec(),
        4 => [b"(".as_slice(), &id(g)].concat(),
        _ => id(g),
    }
}

fn count(g: &mut Gen) -> Vec<u8> {
    g.pick(&["0", "1", "2", "3", "10", "-1", "abc"])
        .as_bytes()
        .to_vec()
}

fn trim_args(g: &mut Gen, argv: &mut Command, xadd: bool) {
    let minid = g.chance(40);
    argv.push(g.word(if minid { "minid" } else { "maxlen" }));
    let approx = g.below(3);
    if approx == 1 {
        argv.push(b"=".to_vec());
    } else if approx == 2 {
        argv.push(b"~".to_vec());
    }
    argv.push(if minid {
        id(g)
    } else if xadd {
        g.pick(&["1", "2", "5", "-1", "abc"]).as_bytes().to_vec()
    } else {
        g.pick(&["0", "1", "2", "5", "-1", "abc"])
            .as_bytes()
            .to_vec()
    });
    if g.chance(25) {
        argv.push(g.word("limit"));
        argv.push(g.pick(&["0", "1", "10", "-1"]).as_bytes().to_vec());
    }
}

fn xadd(g: &mut Gen, star: bool) -> Command {
    let mut argv = vec![g.word("xadd"), key(g)];
    if g.chance(10) {
        argv.push(g.word("nomkstream"));
    }
    if g.chance(20) {
        trim_args(g, &mut argv, true);
    }
    argv.push(if star {
        b"*".to_vec()
    } else if g.chance(20) {
        format!("{}-*", g.range(0, 40)).into_bytes()
    } else {
        id(g)
    });
    let low = if g.chance(3) { 0 } else { 1 };
    for _ in 0..g.range(low, 2) {
        argv.push(g.pick(&[b"f".as_slice(), b"g", b"name"]).to_vec());
        argv.push(
            g.pick(&[b"v".as_slice(), b"1", b"", b"hello world"])
                .to_vec(),
        );
    }
    if g.chance(3) {
        argv.push(b"odd".to_vec());
    }
    argv
}

fn xreadgroup(g: &mut Gen, block: Option<&str>) -> Command {
    let mut argv = vec![g.word("xreadgroup"), g.word("group"), group(g), consumer(g)];
    if g.chance(30) {
        argv.push(g.word("count"));
        argv.push(count(g));
    }
    if let Some(ms) = block {
        argv.push(g.word("block"));
        argv.push(ms.as_bytes().to_vec());
    }
    if g.chance(20) {
        argv.push(g.word("noack"));
    }
    argv.push(g.word("streams"));
    let n = if g.chance(75) { 1 } else { 2 };
    let keys: Vec<_> = (0..n).map(|_| key(g)).collect();
    argv.extend(keys);
    for _ in 0..n {
        // The largest ID is read as `>` (so it blocks too).
        argv.push(match g.below(10) {
            0 => b"18446744073709551615-18446744073709551615".to_vec(),
            1..=5 => b">".to_vec(),
            _ if block.is_some() => b">".to_vec(),
            _ => id(g),
        });
    }
    argv
}

fn xread(g: &mut Gen, block: Option<&str>) -> Command {
    let mut argv = vec![g.word("xread")];
    if g.chance(30) {
        argv.push(g.word("count"));
        argv.push(count(g));
    }
    if let Some(ms) = block {
        argv.push(g.word("block"));
        argv.push(ms.as_bytes().to_vec());
    }
    argv.push(g.word("streams"));
    // Several keys, sometimes the same one twice (a blocked reader waits
    // with the first ID given for it).
    let n = if g.chance(70) { 1 } else { 2 };
    let mut keys: Vec<_> = (0..n).map(|_| key(g)).collect();
    if n == 2 && g.chance(30) {
        keys[1] = keys[0].clone();
    }
    argv.extend(keys);
    for _ in 0..n {
        argv.push(if block.is_some() && g.chance(70) {
            b"$".to_vec()
        } else {
            id(g)
        });
    }
    argv
}

/// A command that never blocks and whose reply does not show the clock.
fn plain(g: &mut Gen) -> Command {
    match g.below(40) {
        0..=7 => xadd(g, false),
        8 | 9 => {
            let name = *g.pick(&["xrange", "xrevrange"]);
            let mut argv = vec![g.word(name), key(g), bound(g), bound(g)];
            if g.chance(30) {
                argv.push(g.word("count"));
                argv.push(count(g));
            }
            argv
        }
        10 | 11 => xread(g, None),
        12 => {
            let mut argv = vec![g.word("xdel"), key(g)];
            for _ in 0..g.range(0, 3) {
                argv.push(id(g));
            }
            argv
        }
        13 => {
            let mut argv = vec![g.word("xtrim"), key(g)];
            trim_args(g, &mut argv, false);
            argv
        }
        14 => vec![g.word("xlen"), key(g)],
        15 => {
            let mut argv = vec![g.word("xsetid"), key(g), id(g)];
            if g.chance(30) {
                argv.push(g.word("entriesadded"));
                argv.push(g.pick(&["0", "5", "100", "-1"]).as_bytes().to_vec());
                if g.chance(70) {
                    argv.push(g.word("maxdeletedid"));
                    argv.push(id(g));
                }
            }
            argv
        }
        16..=18 => {
            let mut argv = vec![g.word("xgroup"), g.word("create"), key(g), group(g)];
            argv.push(match g.below(3) {
                0 => b"$".to_vec(),
                1 => b"0".to_vec(),
                _ => id(g),
            });
            if g.chance(40) {
                argv.push(g.word("mkstream"));
            }
            if g.chance(15) {
                argv.push(g.word("entriesread"));
                argv.push(g.pick(&["0", "1", "3", "-1", "-5"]).as_bytes().to_vec());
            }
            argv
        }
        19 => {
            // Back in time too: only new entries wake blocked group readers.
            let target = if g.chance(40) { b"$".to_vec() } else { id(g) };
            vec![g.word("xgroup"), g.word("setid"), key(g), group(g), target]
        }
        // Wakes readers blocked on the key: those of the group get NOGROUP,
        // those of other groups are answered if the stream moved past them.
        20 => vec![g.word("xgroup"), g.word("destroy"), key(g), group(g)],
        21 => vec![
            g.word("xgroup"),
            g.word("createconsumer"),
            key(g),
            group(g),
            consumer(g),
        ],
        22 => vec![g.word("xgroup"), g.word("delconsumer"), key(g), group(g), consumer(g)],
        23..=27 => xreadgroup(g, None),
        28 | 29 => {
            let mut argv = vec![g.word("xack"), key(g), group(g)];
            for _ in 0..g.range(1, 3) {
                argv.push(id(g));
            }
            argv
        }
        30 => vec![g.word("xpending"), key(g), group(g)],
        31 | 32 => {
            let mut argv = vec![
                g.word("xclaim"),
                key(g),
                group(g),
                consumer(g),
                g.pick(&["0", "3600000", "-1"]).as_bytes().to_vec(),
            ];
            for _ in 0..g.range(1, 3) {
                argv.push(id(g));
            }
            for _ in 0..g.below(3) {
                match g.below(6) {
                    0 => {
                        argv.push(g.word("idle"));
                        argv.push(g.pick(&["0", "7200000"]).as_bytes().to_vec());
                    }
                    1 => {
                        argv.push(g.word("time"));
                        argv.push(b"1".to_vec());
                    }
                    2 => {
                        argv.push(g.word("retrycount"));
                        argv.push(g.pick(&["0", "5", "-1"]).as_bytes().to_vec());
                    }
                    3 => argv.push(g.word("force")),
                    4 => argv.push(g.word("justid")),
                    _ => {
                        argv.push(g.word("lastid"));
                        argv.push(id(g));
                    }
                }
            }
            argv
        }
        33 | 34 => {
            let mut argv = vec![
                g.word("xautoclaim"),
                key(g),
                group(g),
                consumer(g),
                g.pick(&["0", "3600000"]).as_bytes().to_vec(),
            ];
            // Every argument is checked before the key.
            argv.push(if g.chance(80) {
                g.pick(&["0", "0-0", "5-1", "20", "-", "(5-1"]).as_bytes().to_vec()
            } else {
                bound(g)
            });
            if g.chance(40) {
                argv.push(g.word("count"));
                argv.push(g.pick(&["1", "2", "3", "10", "0", "-1", "576460752303423488"]).as_bytes().to_vec());
            }
            if g.chance(30) {
                argv.push(g.word("justid"));
            }
            argv
        }
        35 => vec![g.word("xinfo"), g.word("groups"), key(g)],
        36 => vec![g.word("del"), key(g)],
        37 => vec![g.word("set"), key(g), b"text".to_vec()],
        38 => vec![g.word("type"), key(g)],
        _ => vec![g.word("xadd"), key(g)],
    }
}

/// Commands whose replies show the clock: from connection 0 only.
fn timed(g: &mut Gen) -> Command {
    match g.below(4) {
        0 => {
            let mut argv = vec![g.word("xpending"), key(g), group(g)];
            if g.chance(30) {
                argv.push(g.word("idle"));
                argv.push(g.pick(&["0", "3600000"]).as_bytes().to_vec());
            }
            argv.extend([
                bound(g),
                bound(g),
                g.pick(&["1", "10", "0", "-1"]).as_bytes().to_vec(),
            ]);
            if g.chance(40) {
                argv.push(consumer(g));
            }
            argv
        }
        1 => vec![g.word("xinfo"), g.word("consumers"), key(g), group(g)],
        2 => {
            let mut argv = vec![g.word("xinfo"), g.word("stream"), key(g)];
            if g.chance(50) {
                argv.push(g.word("full"));
                if g.chance(40) {
                    argv.push(g.word("count"));
                    argv.push(g.pick(&["0", "1", "5"]).as_bytes().to_vec());
                }
            }
            argv
        }
        _ => xadd(g, true),
    }
}

/// A change to stream `k` that adds no entry: Redis 7.0 wakes no blocked
/// reader for it, and WATCH sees only XDEL and XTRIM (when they remove).
fn quiet_change(g: &mut Gen, k: &str, grp: &str, other: &str) -> Command {
    let (key, group) = (k.as_bytes().to_vec(), grp.as_bytes().to_vec());
    let from = id(g);
    match g.below(9) {
        0 => vec![g.word("xgroup"), g.word("setid"), key, group, from],
        1 => vec![g.word("xdel"), key, from],
        2 => words(&["XTRIM", k, "MAXLEN", *g.pick(&["0", "1"])]),
        3 => vec![g.word("xsetid"), key, from],
        4 => words(&["XGROUP", "CREATE", k, other, "0"]),
        5 => vec![g.word("xgroup"), g.word("createconsumer"), key, group, consumer(g)],
        6 => vec![g.word("xack"), key, group, from],
        7 => vec![g.word("xautoclaim"), key, group, consumer(g), b"0".to_vec(), b"0".to_vec(), g.word("justid")],
        _ => vec![g.word("xclaim"), key, group, consumer(g), b"0".to_vec(), from],
    }
}

fn cmd(out: &mut Vec<(usize, Action)>, client: usize, command: Command) {
    out.push((client, Action::Cmd(command)));
}

fn words(items: &[&str]) -> Command {
    items.iter().map(|s| s.as_bytes().to_vec()).collect()
}

fn generate(g: &mut Gen, scene: &mut Scene, out: &mut Vec<(usize, Action)>) {
    let blocker = g.range(2, 3) as usize;
    match g.below(1000) {
        0..=509 => {
            let client = if g.chance(70) { 0 } else { 1 };
            cmd(out, client, plain(g));
        }
        // A reader blocks, its stream changes without new entries, then
        // maybe a signal: only XADD and XGROUP DESTROY (or the key going)
        // wake it, and then it is answered if the stream moved past it.
        510..=549 => {
            let k = g.pick(&["s0", "s1"]).to_string();
            let grp = g.pick(&["g1", "g2"]).to_string();
            let other = if grp == "g1" { "g2" } else { "g1" };
            cmd(out, 1, words(&["XGROUP", "CREATE", &k, &grp, "$", "MKSTREAM"]));
            let reader = if g.chance(50) {
                let c = String::from_utf8_lossy(&consumer(g)).into_owned();
                words(&["XREADGROUP", "GROUP", &grp, &c, "BLOCK", "0", "STREAMS", &k, ">"])
            } else {
                let from = String::from_utf8_lossy(&id(g)).into_owned();
                words(&["XREAD", "BLOCK", "0", "STREAMS", &k, &from])
            };
            cmd(out, blocker, reader);
            for _ in 0..g.range(1, 4) {
                cmd(out, 1, quiet_change(g, &k, &grp, other));
            }
            match g.below(4) {
                0 => cmd(out, 1, words(&["XGROUP", "DESTROY", &k, other])),
                1 => {
                    let trim = *g.pick(&["MINID", "MAXLEN"]);
                    let threshold = if trim == "MINID" { "100" } else { "0" };
                    cmd(out, 1, words(&["XADD", &k, trim, threshold, &format!("{}-*", g.range(41, 60)), "f", "v"]));
                }
                2 => cmd(out, 0, words(&["XADD", &k, "*", "f", "v"])),
                _ => {}
            }
        }
        550..=649 => {
            if scene.multi[0] {
                cmd(out, 0, words(&["EXEC"]));
            }
            cmd(out, 0, timed(g));
        }
        650..=799 => {
            let command = if g.chance(50) {
                xread(g, Some("0"))
            } else {
                xreadgroup(g, Some("0"))
            };
            cmd(out, blocker, command);
        }
        // Feed whoever waits.
        800..=879 => {
            let k = g.pick(&["s0", "s1", "s2"]).to_string();
            if scene.multi[0] {
                cmd(out, 0, words(&["EXEC"]));
            }
            if g.chance(50) {
                cmd(out, 0, words(&["XADD", &k, "*", "f", "v"]));
            } else {
                cmd(
                    out,
                    1,
                    words(&["XADD", &k, &format!("{}-*", g.range(41, 60)), "f", "v"]),
                );
            }
        }
        // Blocked readers see their key deleted or their group destroyed.
        880..=909 => {
            cmd(out, 0, words(&["DEL", "s2"]));
            cmd(
                out,
                0,
                words(&["XGROUP", "CREATE", "s2", "g1", "$", "MKSTREAM"]),
            );
            cmd(
                out,
                blocker,
                words(&[
                    "XREADGROUP",
                    "GROUP",
                    "g1",
                    "carol",
                    "BLOCK",
                    "0",
                    "STREAMS",
                    "s2",
                    ">",
                ]),
            );
            match g.below(3) {
                0 => cmd(out, 1, words(&["DEL", "s2"])),
                1 => cmd(out, 1, words(&["XGROUP", "DESTROY", "s2", "g1"])),
                _ => cmd(out, 1, words(&["SET", "s2", "text"])),
            }
            cmd(out, 1, words(&["XADD", "s2", "*", "f", "v"]));
            cmd(out, 1, words(&["DEL", "s2"]));
        }
        // Transactions with blocking reads inside (they never block there).
        910..=959 => {
            let client = g.below(2);
            if !scene.multi[client] {
                cmd(out, client, words(&["MULTI"]));
            }
            for _ in 0..g.range(1, 4) {
                let command = match g.below(3) {
                    0 => xread(g, Some("0")),
                    1 => xreadgroup(g, Some("0")),
                    _ => plain(g),
                };
                cmd(out, client, command);
            }
            cmd(
                out,
                client,
                words(&[if g.chance(85) { "EXEC" } else { "DISCARD" }]),
            );
        }
        // WATCH sees a change only when entries are added or removed.
        960..=974 => {
            let client = g.below(2);
            if scene.multi[client] {
                cmd(out, client, words(&["EXEC"]));
            }
            let k = String::from_utf8_lossy(&key(g)).into_owned();
            cmd(out, client, words(&["WATCH", &k]));
            for _ in 0..g.range(1, 2) {
                let change = if g.chance(50) {
                    plain(g)
                } else {
                    let grp = String::from_utf8_lossy(&group(g)).into_owned();
                    quiet_change(g, &k, &grp, "g2")
                };
                cmd(out, g.below(2), change);
            }
            cmd(out, client, words(&["MULTI"]));
            cmd(out, client, words(&["TYPE", &k]));
            cmd(out, client, words(&["EXEC"]));
        }
        975..=989 => {
            cmd(out, blocker, words(&["XLEN", "s0"]));
            cmd(
                out,
                blocker,
                words(&["XRANGE", "s1", "-", "+", "COUNT", "2"]),
            );
        }
        990 if g.chance(20) => {
            let command = if g.chance(50) {
                words(&["XREAD", "BLOCK", "100", "STREAMS", "nothing", "$"])
            } else {
                words(&[
                    "XREADGROUP",
                    "GROUP",
                    "g1",
                    "alice",
                    "BLOCK",
                    "100",
                    "STREAMS",
                    "s1",
                    ">",
                ])
            };
            cmd(out, blocker, command);
            out.push((0, Action::Sleep(300)));
        }
        _ => cmd(out, 1, plain(g)),
    }
}
