//! The seeded random differential generator: random command sequences run on
//! core and on the real server, every reply compared exactly as a protocol
//! value (`Reply`, as each side's RESP2 client receives it).
//!
//! Families with blocking commands or pub/sub (replies that come later, on
//! other connections) are *session families*: see `session.rs`, and
//! [`SESSION_FAMILIES`].
//!
//! # Adding a family
//! Write `fuzz/<family>.rs` exporting `pub const FAMILY: Family` (a name, a
//! weight, and a `generate` function returning one command), then add one line
//! to [`FAMILIES`]. Families share [`Gen`]'s small key pool, so a new data type
//! collides with the others' keys and wrong-type errors come for free.
//!
//! # Rules a family must follow (so that a divergence is always a real bug)
//! - One command, one reply: no blocking commands, no SUBSCRIBE, no QUIT.
//! - No replies that depend on the clock at ms granularity. Core is fed the
//!   wall clock at the moment a batch is sent, but the real server runs a few
//!   ms later, so relative expiries are drawn far beyond the run's length
//!   (≥ 1000 s), absolute ones far in the future (a key stored already expired is reclaimed by Redis at its own pace); real expiry timing
//!   is tested by transcripts with `sleep`. A family that cannot avoid such a
//!   reply (PTTL, say) may set `equivalent` to a narrow comparison and must
//!   document it there.
//! - No server-wide side effects the reset does not undo (see `RedisServer::reset`).
//! - No input on the known-divergence lists (transcripts' `KNOWN_DIVERGENT`):
//!   those are reported already, and the run must stay green to guard the rest.
//!
//! # Several connections
//! Each engine holds [`CLIENTS`] connections. A family sends a command from
//! another one by calling [`Gen::as_client`] (the transactions family does, so
//! that WATCH is invalidated by another client). Commands of one connection
//! are pipelined; a batch switches connection only after the previous
//! connection's replies are in, so the order of execution is the generated one.

mod connection;
mod keys;
mod lists;
mod pubsub;
mod server;
pub mod session;
mod streams;
mod strings;
mod transactions;

use std::time::{Duration, Instant};

use redplay_core::resp::encode;
use redplay_core::{ClientId, Node, Reply};

use crate::support::resp::{read_reply, Conn};
use crate::support::server::RedisServer;

/// Every family the generator draws from. One line per family.
pub const FAMILIES: &[Family] = &[connection::FAMILY, strings::FAMILY, keys::FAMILY, transactions::FAMILY, server::FAMILY];

/// Every session family (several connections, replies that come later or
/// unasked; see `session.rs`). One line per family.
pub const SESSION_FAMILIES: &[session::SessionFamily] = &[lists::SESSION, streams::SESSION, pubsub::SESSION];

pub type Command = Vec<Vec<u8>>;

/// Connections per engine; client 0 is the default one.
pub const CLIENTS: usize = 2;

/// One generated command: the family it came from and the connection it runs on.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawn {
    pub family: usize,
    pub client: usize,
    pub command: Command,
}

pub struct Family {
    pub name: &'static str,
    /// Relative share of the generated commands.
    pub weight: u32,
    pub generate: fn(&mut Gen) -> Command,
    /// How a core reply and a real reply to `command` are compared; `exact`
    /// unless the family documents why not.
    pub equivalent: fn(command: &Command, core: &Reply, real: &Reply) -> bool,
}

/// Replies equal as values. Doubles compare by their printed form so that NaN
/// equals NaN. The one fact of the process allowed to differ: the connection
/// id inside a HELLO reply (`server`, `redis`, ..., `id`, N — a map in RESP3,
/// a flat array in RESP2), wherever it appears (EXEC's array too), because a
/// long-lived server numbers its connections differently.
pub fn exact(_command: &Command, core: &Reply, real: &Reply) -> bool {
    let (core, real) = (mask_hello_id(core), mask_hello_id(real));
    core == real || format!("{:?}", core) == format!("{:?}", real)
}

fn mask_hello_id(reply: &Reply) -> Reply {
    let server = Reply::bulk(b"server");
    let id = Reply::bulk(b"id");
    match reply {
        Reply::Map(pairs) if pairs.first().is_some_and(|(k, _)| *k == server) => Reply::Map(
            pairs.iter().map(|(k, v)| if *k == id { (k.clone(), Reply::Integer(0)) } else { (k.clone(), v.clone()) }).collect(),
        ),
        Reply::Array(items) if items.first() == Some(&server) && items.len() % 2 == 0 => Reply::Array(
            items.iter().enumerate().map(|(i, v)| if i % 2 == 1 && items[i - 1] == id { Reply::Integer(0) } else { v.clone() }).collect(),
        ),
        Reply::Array(items) => Reply::Array(items.iter().map(mask_hello_id).collect()),
        other => other.clone(),
    }
}

/// SplitMix64: tiny, seedable, and the same on every platform.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// What families draw their arguments from.
pub struct Gen {
    rng: Rng,
    client: usize,
    /// Whether each connection has a transaction open, as far as the commands
    /// generated so far tell (MULTI opens; EXEC, DISCARD and RESET close).
    multi: [bool; CLIENTS],
}

/// A small pool so that commands keep hitting the same keys.
const KEYS: &[&[u8]] = &[b"k0", b"k1", b"k2", b"k3", b"k4", b"\x00bin\xff", b"key with space", b""];

/// Values that look like numbers (or almost), to catch parsing differences.
const NUMERIC: &[&[u8]] = &[
    b"0", b"-0", b"1", b"-1", b"42", b"+5", b"007", b" 7", b"7 ", b"3.14", b"1e10", b"0x10", b"inf", b"-inf", b"nan",
    b"9223372036854775807", b"-9223372036854775808", b"9223372036854775808", b"-9223372036854775809",
    b"18446744073709551616",
];

/// Words that are options somewhere, so they show up in the wrong places too.
const WORDS: &[&str] = &["nx", "xx", "get", "ex", "px", "exat", "pxat", "keepttl", "hello", "withscores", "count"];

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen { rng: Rng::new(seed), client: 0, multi: [false; CLIENTS] }
    }

    /// Whether connection `client` is inside MULTI at this point of the sequence.
    pub fn in_multi(&self, client: usize) -> bool {
        self.multi[client]
    }

    /// Tracks MULTI state from a generated command (arity errors change nothing).
    fn observe(&mut self, client: usize, command: &Command) {
        let is = |name: &[u8]| command.len() == 1 && command[0].eq_ignore_ascii_case(name);
        if is(b"multi") {
            self.multi[client] = true;
        } else if is(b"exec") || is(b"discard") || is(b"reset") {
            self.multi[client] = false;
        }
    }

    /// The command being generated runs on connection `client` (< [`CLIENTS`]).
    pub fn as_client(&mut self, client: usize) {
        self.client = client;
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.rng.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.rng.next_u64() % (hi - lo + 1) as u64) as i64
    }

    /// True `percent` times out of 100.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn key(&mut self) -> Vec<u8> {
        self.pick(KEYS).to_vec()
    }

    /// `count` keys from the pool; duplicates are likely, on purpose.
    pub fn keys(&mut self, count: usize) -> Vec<Vec<u8>> {
        (0..count).map(|_| self.key()).collect()
    }

    /// A word in random letter case (`Nx`, `nX`): commands and options are
    /// case-insensitive and both sides must agree on it.
    pub fn word(&mut self, word: &str) -> Vec<u8> {
        word.bytes().map(|b| if self.chance(50) { b.to_ascii_uppercase() } else { b.to_ascii_lowercase() }).collect()
    }

    pub fn binary(&mut self, max_len: usize) -> Vec<u8> {
        let len = self.below(max_len + 1);
        (0..len).map(|_| self.rng.next_u64() as u8).collect()
    }

    /// A value to store: short text, numeric-looking, binary, empty or long.
    pub fn value(&mut self) -> Vec<u8> {
        match self.below(10) {
            0..=2 => format!("v{}", self.below(20)).into_bytes(),
            3 | 4 => self.pick(NUMERIC).to_vec(),
            5 | 6 => self.binary(16),
            7 => Vec::new(),
            8 => vec![b'a' + self.below(26) as u8; self.range(100, 3000) as usize],
            _ => {
                let word = *self.pick(WORDS);
                self.word(word)
            }
        }
    }

    /// Any argument at all, for wrong arity and junk options.
    pub fn junk(&mut self) -> Vec<u8> {
        match self.below(4) {
            0 => self.key(),
            1 => self.value(),
            2 => self.pick(NUMERIC).to_vec(),
            _ => {
                let word = *self.pick(WORDS);
                self.word(word)
            }
        }
    }
}

/// A command rendered as a redis-cli line: bare words where possible, else
/// quoted the way redis-cli (and `split_args`) reads them back.
pub fn render(command: &Command) -> String {
    let args: Vec<String> = command
        .iter()
        .map(|arg| {
            let bare = !arg.is_empty() && arg.iter().all(|&b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\');
            if bare {
                String::from_utf8_lossy(arg).into_owned()
            } else {
                let mut quoted = Vec::new();
                redplay_core::cli::quote(arg, &mut quoted);
                String::from_utf8_lossy(&quoted).into_owned()
            }
        })
        .collect();
    args.join(" ")
}

/// A reply in RESP-like shorthand, bytes escaped: `+OK`, `-ERR ..`, `:1`,
/// `"bulk"`, `$-1` (nil), `*-1` (nil array), `[a, b]`.
pub fn describe(reply: &Reply) -> String {
    let quoted = |bytes: &[u8]| {
        let mut out = Vec::new();
        redplay_core::cli::quote(bytes, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    };
    let list = |items: &[Reply]| items.iter().map(describe).collect::<Vec<_>>().join(", ");
    match reply {
        Reply::Status(s) => format!("+{}", s),
        Reply::Error(e) => format!("-{}", quoted(e).trim_matches('"')),
        Reply::Integer(n) => format!(":{}", n),
        Reply::Bulk(b) => quoted(b),
        Reply::Nil => "$-1".into(),
        Reply::NilArray => "*-1".into(),
        Reply::Array(items) => format!("[{}]", list(items)),
        Reply::Set(items) => format!("~[{}]", list(items)),
        Reply::Push(items) => format!(">[{}]", list(items)),
        Reply::Map(pairs) => format!("{{{}}}", pairs.iter().map(|(k, v)| format!("{}: {}", describe(k), describe(v))).collect::<Vec<_>>().join(", ")),
        other => format!("{:?}", other),
    }
}

/// A drawn command as a transcript line: `> ...` for client 0, `other> ...`.
pub fn render_step(drawn: &Drawn) -> String {
    let name = if drawn.client == 0 { String::new() } else { format!("client{}", drawn.client) };
    format!("{}> {}", name, render(&drawn.command))
}

/// The command sequence for `seed`: `count` commands, each from a family drawn
/// by weight.
pub fn generate(seed: u64, count: usize, families: &[Family]) -> Vec<Drawn> {
    let mut gen = Gen::new(seed);
    let total: u32 = families.iter().map(|f| f.weight).sum();
    (0..count)
        .map(|_| {
            let mut ticket = gen.below(total as usize) as u32;
            let index = families.iter().position(|f| {
                let hit = ticket < f.weight;
                ticket = ticket.saturating_sub(f.weight);
                hit
            });
            let index = index.expect("weights cover every ticket");
            gen.client = 0;
            let command = (families[index].generate)(&mut gen);
            let client = gen.client;
            gen.observe(client, &command);
            Drawn { family: index, client: gen.client, command }
        })
        .collect()
}

/// Something commands can run on: core, the real server, or a test double.
pub trait Engine {
    /// Back to an empty dataset and a fresh connection.
    fn reset(&mut self);
    /// Runs `commands` (connection, argv) in order as of `now_ms`; the replies
    /// each one produced.
    fn run(&mut self, commands: &[(usize, &Command)], now_ms: u64) -> Vec<Vec<Reply>>;
}

pub struct CoreEngine {
    node: Node,
    clients: Vec<ClientId>,
}

impl CoreEngine {
    pub fn new() -> CoreEngine {
        let mut node = Node::new();
        let now = crate::support::wall_ms();
        let clients = (0..CLIENTS).map(|_| node.connect(now)).collect();
        CoreEngine { node, clients }
    }
}

impl Engine for CoreEngine {
    fn reset(&mut self) {
        *self = CoreEngine::new();
    }

    /// Each reply goes through core's encoder (in the protocol it was made for) and
    /// back through the harness's own RESP reader, so both sides are compared
    /// as their clients receive them (in RESP3 a nil string and a nil array
    /// are the same `_`).
    fn run(&mut self, commands: &[(usize, &Command)], now_ms: u64) -> Vec<Vec<Reply>> {
        commands
            .iter()
            .map(|&(client, argv)| {
                let id = self.clients[client];
                self.node.execute(id, argv.clone(), now_ms);
                received_output(&mut self.node, id)
            })
            .collect()
    }
}

/// A client's output since the last call, each reply through core's encoder
/// (in the protocol it was made for) and back through the harness's own RESP
/// reader: what that client receives.
pub fn received_output(node: &mut Node, id: ClientId) -> Vec<Reply> {
    node.take_output_with_protocol(id)
        .iter()
        .map(|(reply, protocol)| {
            let mut wire = Vec::new();
            encode(reply, *protocol, &mut wire);
            read_reply(&mut std::io::Cursor::new(&wire))
                .unwrap_or_else(|e| panic!("core encoded {:?} as unreadable {:?}: {}", reply, String::from_utf8_lossy(&wire), e))
        })
        .collect()
}

pub struct RedisEngine<'a> {
    server: &'a RedisServer,
    conns: Vec<Conn>,
}

impl<'a> RedisEngine<'a> {
    pub fn new(server: &'a RedisServer) -> RedisEngine<'a> {
        server.reset();
        RedisEngine { server, conns: (0..CLIENTS).map(|_| server.connect()).collect() }
    }
}

impl Engine for RedisEngine<'_> {
    fn reset(&mut self) {
        // Close the old connections first (their WATCHes and MULTI go with them).
        self.conns.clear();
        self.server.reset();
        self.conns = (0..CLIENTS).map(|_| self.server.connect()).collect();
    }

    /// Pipelined: each run of commands on one connection goes out in one
    /// write, and its replies are read before the next run starts.
    fn run(&mut self, commands: &[(usize, &Command)], _now_ms: u64) -> Vec<Vec<Reply>> {
        let mut replies = Vec::with_capacity(commands.len());
        for run in commands.chunk_by(|a, b| a.0 == b.0) {
            let conn = &mut self.conns[run[0].0];
            for (_, argv) in run {
                conn.queue(argv);
            }
            conn.flush().expect("sending to redis-server");
            replies.extend(run.iter().map(|_| vec![conn.read_reply().expect("reading from redis-server")]));
        }
        replies
    }
}

/// The first command whose replies differ.
pub struct Divergence {
    pub index: usize,
    pub drawn: Drawn,
    pub core: Vec<Reply>,
    pub real: Vec<Reply>,
}

/// Commands per pipelined batch; large enough to amortise round trips.
const BATCH: usize = 1000;

/// Replies seen from the real side, per family: (errors, other replies).
pub type Tally = Vec<(usize, usize)>;

/// Runs `commands` on both engines (from their current state), batch by
/// batch, and stops at the first divergence.
pub fn compare(
    commands: &[Drawn],
    families: &[Family],
    core: &mut dyn Engine,
    real: &mut dyn Engine,
    tally: &mut Tally,
) -> Result<(), Divergence> {
    for (batch_no, batch) in commands.chunks(BATCH).enumerate() {
        let argvs: Vec<(usize, &Command)> = batch.iter().map(|d| (d.client, &d.command)).collect();
        let now = crate::support::wall_ms();
        let real_replies = real.run(&argvs, now);
        let core_replies = core.run(&argvs, now);
        for (offset, (drawn, (c, r))) in batch.iter().zip(core_replies.iter().zip(&real_replies)).enumerate() {
            let same = c.len() == r.len() && c.iter().zip(r).all(|(c, r)| (families[drawn.family].equivalent)(&drawn.command, c, r));
            if !same {
                return Err(Divergence { index: batch_no * BATCH + offset, drawn: drawn.clone(), core: c.clone(), real: r.clone() });
            }
            let slot = &mut tally[drawn.family];
            if r.first().is_some_and(Reply::is_error) {
                slot.0 += 1;
            } else {
                slot.1 += 1;
            }
        }
    }
    Ok(())
}

/// Shrinks a failing sequence: keep removing commands while both engines,
/// reset, still diverge somewhere. First the shortest failing suffix (most
/// bugs need only the last few commands), then chunk removal as in delta
/// debugging, halving the chunk size. Stops at `budget` with what it has.
pub fn shrink(failing: Vec<Drawn>, families: &[Family], core: &mut dyn Engine, real: &mut dyn Engine, budget: Duration) -> Vec<Drawn> {
    let deadline = Instant::now() + budget;
    let mut fails = |candidate: &[Drawn]| {
        core.reset();
        real.reset();
        let mut tally = vec![(0, 0); families.len()];
        compare(candidate, families, core, real, &mut tally).is_err()
    };
    minimise(failing, deadline, &mut fails)
}

/// The shrinking search shared by the one-shot and session fuzzers: first the
/// shortest failing suffix, then delta-debugging chunk removal, until `deadline`.
pub fn minimise<T: Clone>(failing: Vec<T>, deadline: Instant, fails: &mut dyn FnMut(&[T]) -> bool) -> Vec<T> {
    let mut best = failing;
    let mut width = 1;
    while width < best.len() && Instant::now() < deadline {
        let suffix = best[best.len() - width..].to_vec();
        if fails(&suffix) {
            best = suffix;
            break;
        }
        width *= 2;
    }
    let mut chunk = best.len() / 2;
    while chunk >= 1 && Instant::now() < deadline {
        let mut start = 0;
        while start < best.len() && Instant::now() < deadline {
            let end = (start + chunk).min(best.len());
            let candidate: Vec<_> = best[..start].iter().chain(&best[end..]).cloned().collect();
            if !candidate.is_empty() && fails(&candidate) {
                best = candidate;
            } else {
                start = end;
            }
        }
        chunk /= 2;
    }
    best
}

/// A number from the environment, decimal or `0x`-hex (a bad value is a
/// mistake worth stopping for).
pub fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{}={:?} is not a number", name, text)))
}

/// The run's seed: `REDPLAY_FUZZ_SEED`, or a fresh one from the clock and pid.
pub fn seed() -> u64 {
    env_number("REDPLAY_FUZZ_SEED").unwrap_or_else(|| {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
        nanos ^ ((std::process::id() as u64) << 32)
    })
}
