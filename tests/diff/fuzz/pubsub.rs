//! Pub/sub session family: SUBSCRIBE/UNSUBSCRIBE/PSUBSCRIBE/PUNSUBSCRIBE/
//! SSUBSCRIBE/SUNSUBSCRIBE, PUBLISH/SPUBLISH and PUBSUB * on four
//! connections, each in RESP2 or RESP3 (HELLO 3 / HELLO 2 / RESET), with the
//! commands a RESP2 subscriber may not run, and transactions that publish.
//! Every connection's pushed messages are compared in order.
//!
//! Where Redis 7.0's order comes from a randomly seeded hash (core documents
//! these in `core/src/pubsub.rs`), [`canon`] compares as multisets: the
//! channels of UNSUBSCRIBE / SUNSUBSCRIBE without arguments (their counts stay
//! in place), PUBSUB CHANNELS / SHARDCHANNELS, and the pmessages one client gets
//! for one message from several patterns. Nowhere else.

use super::session::{exact, never, Action, Scene, SessionFamily};
use super::{Command, Gen};
use redplay_core::Reply;

pub const SESSION: SessionFamily = SessionFamily {
    name: "pubsub",
    generate,
    canon,
    equivalent: exact,
    real_first: never,
    while_blocked: |_| true,
};

fn kind(reply: &Reply) -> Option<(&[u8], &[Reply])> {
    match reply {
        Reply::Array(items) | Reply::Push(items) => match items.first() {
            Some(Reply::Bulk(kind)) => Some((kind.as_slice(), items.as_slice())),
            _ => None,
        },
        _ => None,
    }
}

fn sort_key(reply: &Reply) -> String {
    format!("{:?}", reply)
}

fn canon(step: &Command, issuer: bool, mut chunk: Vec<Reply>) -> Vec<Reply> {
    let name = step[0].to_ascii_lowercase();
    // UNSUBSCRIBE / SUNSUBSCRIBE with no channel: which channel goes first is random.
    if issuer && step.len() == 1 && (name == b"unsubscribe" || name == b"sunsubscribe") {
        let positions: Vec<usize> = (0..chunk.len())
            .filter(|&i| {
                kind(&chunk[i]).is_some_and(|(k, items)| k == name.as_slice() && items.len() == 3)
            })
            .collect();
        let mut channels: Vec<Reply> = positions
            .iter()
            .map(|&i| kind(&chunk[i]).unwrap().1[1].clone())
            .collect();
        channels.sort_by_key(sort_key);
        for (&i, channel) in positions.iter().zip(channels) {
            if let Reply::Array(items) | Reply::Push(items) = &mut chunk[i] {
                items[1] = channel;
            }
        }
    }
    // PUBSUB CHANNELS / SHARDCHANNELS: in hash order.
    if issuer && name == b"pubsub" && step.len() >= 2 {
        let sub = step[1].to_ascii_lowercase();
        if sub == b"channels" || sub == b"shardchannels" {
            if let Some(Reply::Array(items) | Reply::Set(items)) = chunk.last_mut() {
                items.sort_by_key(sort_key);
            }
        }
    }
    // pmessages for one message from several patterns: in hash order. Also
    // those a RESP3 client publishing to itself gets inside EXEC's array
    // (where Redis nests the first push of each PUBLISH): each message's
    // pmessages are sorted across the positions they occupy.
    let nested = issuer && name == b"exec";
    let mut paths: Vec<(usize, Option<usize>)> = Vec::new();
    for (i, reply) in chunk.iter().enumerate() {
        match reply {
            Reply::Array(items) if nested && kind(reply).is_none() => paths.extend(
                (0..items.len())
                    .filter(|&j| is_pmessage(&items[j]))
                    .map(|j| (i, Some(j))),
            ),
            _ if is_pmessage(reply) => paths.push((i, None)),
            _ => {}
        }
    }
    let at = |chunk: &[Reply], (i, j): (usize, Option<usize>)| -> Reply {
        match (j, &chunk[i]) {
            (Some(j), Reply::Array(items)) => items[j].clone(),
            _ => chunk[i].clone(),
        }
    };
    let message_of =
        |reply: &Reply| kind(reply).map(|(_, items)| (sort_key(&items[2]), sort_key(&items[3])));
    let mut done = vec![false; paths.len()];
    for first in 0..paths.len() {
        if done[first] {
            continue;
        }
        let message = message_of(&at(&chunk, paths[first]));
        let group: Vec<usize> = (first..paths.len())
            .filter(|&k| !done[k] && message_of(&at(&chunk, paths[k])) == message)
            .collect();
        let mut values: Vec<Reply> = group.iter().map(|&k| at(&chunk, paths[k])).collect();
        values.sort_by_key(sort_key);
        for (&k, value) in group.iter().zip(values) {
            done[k] = true;
            match paths[k] {
                (i, Some(j)) => {
                    if let Reply::Array(items) = &mut chunk[i] {
                        items[j] = value;
                    }
                }
                (i, None) => chunk[i] = value,
            }
        }
    }
    chunk
}

fn is_pmessage(reply: &Reply) -> bool {
    kind(reply).is_some_and(|(k, items)| k == b"pmessage" && items.len() == 4)
}

const CHANNELS: &[&str] = &["ch0", "ch1", "news.a", "news.b", "hello"];
const PATTERNS: &[&str] = &["news.*", "ch?", "*", "h[ae]llo", "ch[0-9]", "x*"];
const SHARDS: &[&str] = &["sh0", "sh1", "news.a"];

fn some(g: &mut Gen, pool: &[&str], min: usize) -> Vec<Vec<u8>> {
    let n = g.range(min as i64, 3) as usize;
    (0..n).map(|_| g.pick(pool).as_bytes().to_vec()).collect()
}

fn message(g: &mut Gen) -> Vec<u8> {
    g.pick(&[b"hi".as_slice(), b"", b"hello world", b"\x00\xff", b"42"])
        .to_vec()
}

fn command(g: &mut Gen, scene: &Scene, client: usize) -> Command {
    let with = |g: &mut Gen, name: &str, rest: Vec<Vec<u8>>| {
        let mut argv = vec![g.word(name)];
        argv.extend(rest);
        argv
    };
    match g.below(40) {
        0..=4 => {
            let chans = some(g, CHANNELS, 1);
            with(g, "subscribe", chans)
        }
        5..=7 => {
            let chans = some(g, CHANNELS, 0);
            with(g, "unsubscribe", chans)
        }
        8..=10 => {
            let pats = some(g, PATTERNS, 1);
            with(g, "psubscribe", pats)
        }
        11 | 12 => {
            let pats = some(g, PATTERNS, 0);
            with(g, "punsubscribe", pats)
        }
        13 | 14 => {
            // Redis refuses SSUBSCRIBE of channels in different slots; both
            // shards below hash to different slots on purpose now and then.
            let chans = if g.chance(70) {
                vec![g.pick(SHARDS).as_bytes().to_vec()]
            } else {
                some(g, SHARDS, 1)
            };
            with(g, "ssubscribe", chans)
        }
        15 => {
            let chans = if g.chance(50) {
                Vec::new()
            } else {
                vec![g.pick(SHARDS).as_bytes().to_vec()]
            };
            with(g, "sunsubscribe", chans)
        }
        16..=24 => {
            let ch = g.pick(CHANNELS).as_bytes().to_vec();
            let msg = message(g);
            with(g, "publish", vec![ch, msg])
        }
        25..=27 => {
            let ch = g.pick(SHARDS).as_bytes().to_vec();
            let msg = message(g);
            with(g, "spublish", vec![ch, msg])
        }
        28..=32 => {
            let (sub, args) = match g.below(6) {
                0 => (
                    "channels",
                    if g.chance(50) {
                        vec![g.pick(PATTERNS).as_bytes().to_vec()]
                    } else {
                        Vec::new()
                    },
                ),
                1 => ("numsub", some(g, CHANNELS, 0)),
                2 => ("numpat", Vec::new()),
                3 => (
                    "shardchannels",
                    if g.chance(50) {
                        vec![g.pick(PATTERNS).as_bytes().to_vec()]
                    } else {
                        Vec::new()
                    },
                ),
                4 => ("shardnumsub", some(g, SHARDS, 0)),
                _ => ("bogus", Vec::new()),
            };
            let mut argv = vec![g.word("pubsub"), g.word(sub)];
            argv.extend(args);
            argv
        }
        33 | 34 => {
            if scene.subscribed[client] && !scene.resp3[client] {
                // Refused in RESP2 subscriber mode; the longer form keeps the
                // generic bookkeeping from taking it for a switch to RESP3.
                return vec![
                    g.word("hello"),
                    b"3".to_vec(),
                    g.word("setname"),
                    b"x".to_vec(),
                ];
            }
            let proto = if scene.resp3[client] { "2" } else { "3" };
            vec![g.word("hello"), proto.as_bytes().to_vec()]
        }
        35 => {
            let mut argv = vec![g.word("ping")];
            if g.chance(50) {
                argv.push(message(g));
            }
            argv
        }
        36 => vec![g.word("get"), b"k".to_vec()],
        37 => vec![g.word("reset")],
        38 => vec![g.word("echo"), message(g)],
        _ => vec![g.word("subscribe")],
    }
}

fn cmd(out: &mut Vec<(usize, Action)>, client: usize, command: Command) {
    out.push((client, Action::Cmd(command)));
}

fn generate(g: &mut Gen, scene: &mut Scene, out: &mut Vec<(usize, Action)>) {
    let client = g.below(4);
    // In RESP2 subscriber mode MULTI, PUBLISH and EXEC are all refused (EXEC
    // with an EXECABORT error), which is worth comparing too.
    if g.chance(5) {
        // A transaction that publishes.
        cmd(out, client, vec![b"MULTI".to_vec()]);
        for _ in 0..g.range(1, 3) {
            let ch = g.pick(CHANNELS).as_bytes().to_vec();
            let msg = message(g);
            cmd(out, client, vec![b"PUBLISH".to_vec(), ch, msg]);
        }
        cmd(out, client, vec![b"EXEC".to_vec()]);
        return;
    }
    let command = command(g, scene, client);
    let name = command[0].to_ascii_lowercase();
    if name.ends_with(b"subscribe") && !name.ends_with(b"unsubscribe") {
        scene.subscribed[client] = true;
    }
    cmd(out, client, command);
}
