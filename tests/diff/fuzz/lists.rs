//! Lists session family: every list command, blocking ones among four
//! connections. Connection 0 mostly produces; c1..c3 block (BLPOP, BRPOP,
//! BLMOVE, BRPOPLPUSH, BLMPOP) on a small key pool, so pushes, LMOVEs and
//! other blocked clients' moves wake them in FIFO order, several keys at a
//! time, chains of BLMOVE included. Commands sent to a blocked connection wait
//! behind it (both sides queue them) — only on the key `seen` for now, see
//! [`while_blocked`].
//!
//! Timeouts are 0 or ≥ 1000 s; a rare scenario blocks with 0.1 s and sleeps
//! 300 ms to see the timeout reply. MULTI/EXEC with blocking commands inside
//! (they never block there), wrong types (a string among the keys) and the four
//! classic patterns of `lists-patterns.txt` (work queue, reliable queue,
//! circular list, capped timeline) are weighted scenarios.

use super::session::{exact, never, no_canon, Action, Scene, SessionFamily};
use super::{Command, Gen};

pub const SESSION: SessionFamily = SessionFamily {
    name: "lists",
    generate,
    canon: no_canon,
    equivalent: exact,
    real_first: never,
    while_blocked,
};

/// Known divergence (`divergent-blocking.txt`): when serving a blocked client
/// makes another key ready (BLMOVE's destination), Redis serves every client
/// waiting on ready keys before it runs the commands the first one queued
/// while blocked; core runs them at once. So commands reach a blocked
/// connection only on keys no one blocks on (`seen`).
fn while_blocked(command: &Command) -> bool {
    command.get(1).is_some_and(|key| key == b"seen")
}

const KEYS: &[&[u8]] = &[b"l0", b"l1", b"l2", b"l3", b"str"];
const ELEMENTS: &[&[u8]] = &[b"a", b"b", b"c", b"1", b"2", b"", b"-1", b"x y"];

fn key(g: &mut Gen) -> Vec<u8> {
    g.pick(KEYS).to_vec()
}

fn element(g: &mut Gen) -> Vec<u8> {
    if g.chance(3) {
        vec![b'e'; g.range(60, 300) as usize]
    } else {
        g.pick(ELEMENTS).to_vec()
    }
}

fn index(g: &mut Gen) -> Vec<u8> {
    match g.below(10) {
        0 => g
            .pick(&[
                "abc",
                "1.5",
                "9223372036854775807",
                "-9223372036854775808",
                "",
            ])
            .as_bytes()
            .to_vec(),
        _ => g.range(-6, 6).to_string().into_bytes(),
    }
}

fn side(g: &mut Gen) -> Vec<u8> {
    let word = *g.pick(&["left", "right", "left", "right", "middle"]);
    g.word(word)
}

fn timeout(g: &mut Gen) -> Vec<u8> {
    match g.below(20) {
        0 => g
            .pick(&["-1", "abc", "1e400", "-0.5", "inf", "0x10"])
            .as_bytes()
            .to_vec(),
        1 | 2 => g
            .pick(&["1000", "3600.5", "1e4", "0.0", "000"])
            .as_bytes()
            .to_vec(),
        _ => b"0".to_vec(),
    }
}

fn count_arg(g: &mut Gen) -> Vec<u8> {
    match g.below(12) {
        0 => b"0".to_vec(),
        1 => b"-1".to_vec(),
        2 => b"abc".to_vec(),
        _ => g.range(1, 5).to_string().into_bytes(),
    }
}

fn push(g: &mut Gen) -> Command {
    let name = *g.pick(&["lpush", "rpush", "lpush", "rpush", "lpushx", "rpushx"]);
    let mut argv = vec![g.word(name), key(g)];
    let low = if g.chance(3) { 0 } else { 1 };
    for _ in 0..g.range(low, 4) {
        argv.push(element(g));
    }
    argv
}

/// One list command that never blocks.
fn plain(g: &mut Gen) -> Command {
    match g.below(30) {
        0..=6 => push(g),
        7 | 8 => {
            let name = *g.pick(&["lpop", "rpop"]);
            let mut argv = vec![g.word(name), key(g)];
            if g.chance(40) {
                argv.push(count_arg(g));
            }
            argv
        }
        9 | 10 => vec![g.word("lrange"), key(g), index(g), index(g)],
        11 => vec![g.word("lindex"), key(g), index(g)],
        12 => vec![g.word("lset"), key(g), index(g), element(g)],
        13 => {
            let word = *g.pick(&["before", "after", "before", "after", "between"]);
            vec![
                g.word("linsert"),
                key(g),
                g.word(word),
                element(g),
                element(g),
            ]
        }
        14 => vec![
            g.word("lrem"),
            key(g),
            g.range(-3, 3).to_string().into_bytes(),
            element(g),
        ],
        15 => vec![g.word("ltrim"), key(g), index(g), index(g)],
        16 => {
            let mut argv = vec![g.word("lpos"), key(g), element(g)];
            for _ in 0..g.below(3) {
                let (word, value) = match g.below(4) {
                    0 => (
                        "rank",
                        g.pick(&["1", "-1", "2", "-2", "0", "abc"])
                            .as_bytes()
                            .to_vec(),
                    ),
                    1 => ("count", g.pick(&["0", "1", "2", "-1"]).as_bytes().to_vec()),
                    2 => ("maxlen", g.pick(&["0", "1", "3", "-1"]).as_bytes().to_vec()),
                    _ => ("bogus", b"1".to_vec()),
                };
                argv.push(g.word(word));
                argv.push(value);
            }
            argv
        }
        17 | 18 => vec![g.word("lmove"), key(g), key(g), side(g), side(g)],
        19 => vec![g.word("rpoplpush"), key(g), key(g)],
        20 | 21 => {
            let n = g.range(1, 3);
            let mut argv = vec![
                g.word("lmpop"),
                if g.chance(5) {
                    b"0".to_vec()
                } else {
                    n.to_string().into_bytes()
                },
            ];
            for _ in 0..n {
                argv.push(key(g));
            }
            argv.push(side(g));
            if g.chance(50) {
                argv.push(g.word("count"));
                argv.push(count_arg(g));
            }
            argv
        }
        22 | 23 => vec![g.word("llen"), key(g)],
        24 => vec![g.word("del"), key(g)],
        25 => vec![g.word("set"), key(g), b"text".to_vec()],
        26 => vec![g.word("type"), key(g)],
        27 => vec![g.word("exists"), key(g), key(g)],
        28 => vec![g.word("rename"), key(g), key(g)],
        _ => vec![g.word("lpush")],
    }
}

/// A blocking pop or move with timeout `timeout`.
fn blocking(g: &mut Gen, timeout: Vec<u8>) -> Command {
    match g.below(5) {
        0 | 1 => {
            let name = *g.pick(&["blpop", "brpop"]);
            let mut argv = vec![g.word(name)];
            for _ in 0..g.range(1, 3) {
                argv.push(key(g));
            }
            argv.push(timeout);
            argv
        }
        2 => vec![g.word("blmove"), key(g), key(g), side(g), side(g), timeout],
        3 => vec![g.word("brpoplpush"), key(g), key(g), timeout],
        _ => {
            let n = g.range(1, 3);
            let mut argv = vec![g.word("blmpop"), timeout, n.to_string().into_bytes()];
            for _ in 0..n {
                argv.push(key(g));
            }
            argv.push(side(g));
            if g.chance(50) {
                argv.push(g.word("count"));
                argv.push(count_arg(g));
            }
            argv
        }
    }
}

fn cmd(out: &mut Vec<(usize, Action)>, client: usize, command: Command) {
    out.push((client, Action::Cmd(command)));
}

fn words(items: &[&str]) -> Command {
    items.iter().map(|s| s.as_bytes().to_vec()).collect()
}

fn generate(g: &mut Gen, scene: &mut Scene, out: &mut Vec<(usize, Action)>) {
    let blocker = g.range(1, 3) as usize;
    match g.below(1000) {
        // A plain command, mostly from the producer.
        0..=499 => {
            let client = if g.chance(90) { 0 } else { blocker };
            cmd(out, client, plain(g));
        }
        // A blocking command (it blocks only where the keys are empty).
        500..=749 => {
            let t = timeout(g);
            cmd(out, blocker, blocking(g, t))
        }
        // Wake whoever waits anywhere (a blocker stuck for good tests little).
        750..=799 => {
            let key = *g.pick(&[
                "jobs",
                "q",
                "tasks",
                "processing",
                "done",
                "l0",
                "l1",
                "l2",
                "l3",
                "str",
                "ring",
            ]);
            if key == "str" || g.chance(10) {
                cmd(out, 0, words(&["DEL", key]));
            }
            let name = *g.pick(&["LPUSH", "RPUSH"]);
            cmd(out, 0, words(&[name, key, "w1", "w2", "w3"]));
        }
        // Something that may serve a blocked client.
        800..=869 => {
            let client = if g.chance(80) { 0 } else { blocker };
            let command = if g.chance(70) { push(g) } else { plain(g) };
            cmd(out, client, command)
        }
        // A transaction with blocking commands inside (never blocking there).
        870..=909 => {
            let client = g.below(4);
            if !scene.multi[client] {
                cmd(out, client, words(&["MULTI"]));
            }
            for _ in 0..g.range(1, 4) {
                let command = if g.chance(50) {
                    let t = timeout(g);
                    blocking(g, t)
                } else {
                    plain(g)
                };
                cmd(out, client, command);
            }
            let end = if g.chance(85) { "EXEC" } else { "DISCARD" };
            cmd(out, client, words(&[end]));
        }
        // Work queue: workers wait on `jobs`, the producer pushes.
        910..=929 => {
            for worker in 1..=g.range(1, 3) as usize {
                cmd(out, worker, words(&["BRPOP", "jobs", "0"]));
            }
            let mut argv = words(&["LPUSH", "jobs"]);
            for i in 0..g.range(1, 4) {
                argv.push(format!("job{}", i).into_bytes());
            }
            cmd(out, 0, argv);
            cmd(out, 0, words(&["LLEN", "jobs"]));
        }
        // Reliable queue: BLMOVE into a processing list, LREM when done, and
        // a chain: the processing list is another worker's source.
        930..=949 => {
            cmd(
                out,
                blocker,
                words(&["BLMOVE", "tasks", "processing", "RIGHT", "LEFT", "0"]),
            );
            let other = blocker % 3 + 1;
            cmd(
                out,
                other,
                words(&["BLMOVE", "processing", "done", "RIGHT", "LEFT", "0"]),
            );
            cmd(out, 0, words(&["LPUSH", "tasks", "t1", "t2"]));
            cmd(out, 0, words(&["LRANGE", "processing", "0", "-1"]));
            cmd(out, blocker, words(&["LREM", "processing", "1", "t1"]));
            cmd(out, 0, words(&["RPOPLPUSH", "done", "tasks"]));
            cmd(out, 0, words(&["LRANGE", "tasks", "0", "-1"]));
        }
        // Circular list: rotate onto itself, also while someone waits on it.
        950..=969 => {
            cmd(out, 0, words(&["RPUSH", "ring", "a", "b", "c"]));
            let from = *g.pick(&["LEFT", "RIGHT"]);
            let to = *g.pick(&["LEFT", "RIGHT"]);
            cmd(out, 0, words(&["LMOVE", "ring", "ring", from, to]));
            cmd(out, blocker, words(&["BRPOPLPUSH", "ring", "ring", "0"]));
            cmd(out, 0, words(&["LRANGE", "ring", "0", "-1"]));
        }
        // Capped timeline: push only onto existing lists, trim.
        970..=989 => {
            let name = *g.pick(&["LPUSHX", "RPUSHX"]);
            cmd(out, 0, words(&[name, "timeline", "p1", "p2"]));
            if g.chance(50) {
                cmd(out, 0, words(&["RPUSH", "timeline", "p0"]));
            }
            cmd(out, 0, words(&["LTRIM", "timeline", "0", "2"]));
            cmd(out, 0, words(&["LRANGE", "timeline", "0", "-1"]));
        }
        // A small timeout that expires, with nothing else going on.
        990 if g.chance(10) => {
            cmd(out, blocker, blocking_on_empty(g, "0.1"));
            out.push((0, Action::Sleep(300)));
        }
        // Served blocked clients get their queued commands run afterwards.
        _ => {
            cmd(out, blocker, words(&["BLPOP", "q", "0"]));
            cmd(out, blocker, words(&["LPUSH", "seen", "after"]));
            cmd(out, 0, words(&["RPUSH", "q", "x"]));
            cmd(out, 0, words(&["LRANGE", "seen", "0", "-1"]));
        }
    }
}

/// A blocking command on a key nothing in this family ever pushes to.
fn blocking_on_empty(g: &mut Gen, timeout: &str) -> Command {
    match g.below(3) {
        0 => words(&["BLPOP", "nothing", timeout]),
        1 => words(&["BLMOVE", "nothing", "l0", "LEFT", "RIGHT", timeout]),
        _ => words(&["BLMPOP", timeout, "1", "nothing", "LEFT"]),
    }
}
