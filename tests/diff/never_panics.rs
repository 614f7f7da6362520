//! No input makes core panic, and every reply it produces is a well-formed
//! protocol value.
//!
//! For every command and subcommand in core's table (`commands::all()` and
//! their `subcommands`), `Node::execute` runs with random argument counts
//! (0..8 after the name) drawn from: empty, binary, huge / negative / float /
//! `-inf` numbers, keys of the shared pool, the option keywords of that
//! command (read from its `syntax` string), config parameter names, command
//! names. Clients switch protocols (HELLO 3), enter MULTI, close (QUIT, CLIENT
//! KILL) and reconnect, so handlers run in every connection state. Raw random
//! bytes also go through `resp::RequestDecoder`, and whatever it decodes runs
//! on the node.
//!
//! Every reply must survive an encode/decode round trip in the client's
//! protocol and respect the RESP rules (no CR/LF in status and error lines,
//! a non-empty error, a 3-byte printable verbatim format, a decimal big number).
//!
//! Seeded (`REDPLAY_FUZZ_SEED`, printed) and bounded in time
//! (`REDPLAY_PANIC_SECS`, default 3 s per test).

#[allow(dead_code)]
mod fuzz;
mod support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use fuzz::{env_number, render, seed, Rng};
use redplay_core::commands::{self, CommandSpec};
use redplay_core::reply::Protocol;
use redplay_core::resp::{decode_reply, encode, RequestDecoder};
use redplay_core::{ClientId, Node, Reply};

fn budget() -> Duration {
    Duration::from_secs(env_number("REDPLAY_PANIC_SECS").unwrap_or(3))
}

/// `(full name, argv prefix, spec)` for every command and subcommand.
fn targets() -> Vec<(String, Vec<Vec<u8>>, &'static CommandSpec)> {
    let mut out = Vec::new();
    for spec in commands::all() {
        out.push((spec.name.to_string(), vec![spec.name.as_bytes().to_vec()], spec));
        for sub in spec.subcommands {
            out.push((format!("{}|{}", spec.name, sub.name), vec![spec.name.as_bytes().to_vec(), sub.name.as_bytes().to_vec()], sub));
        }
    }
    out
}

/// The upper-case words of a syntax string (`NX`, `KEEPTTL`, `TIMEOUT`...),
/// plus what follows `|` inside the same bracket (`yes/no` is kept whole).
fn keywords(syntax: &str) -> Vec<Vec<u8>> {
    let mut words: Vec<Vec<u8>> = syntax
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '/'))
        .filter(|w| w.len() >= 2 && w.chars().any(|c| c.is_ascii_uppercase()) && !w.chars().any(|c| c.is_ascii_lowercase()))
        .map(|w| w.as_bytes().to_vec())
        .collect();
    words.extend([b"yes".to_vec(), b"no".to_vec()]);
    words.sort();
    words.dedup();
    words
}

const NUMBERS: &[&[u8]] = &[
    b"0", b"1", b"-1", b"2", b"3", b"15", b"16", b"100", b"-100", b"1000000", b"9223372036854775807",
    b"-9223372036854775808", b"9223372036854775808", b"-9223372036854775809", b"18446744073709551615",
    b"18446744073709551616", b"99999999999999999999999999", b"4294967295", b"4294967296", b"2147483647", b"2147483648",
    b"-2147483649", b"-inf", b"+inf", b"inf", b"nan", b"-nan", b"1e308", b"1e309", b"-1e309", b"3.14", b"-0", b"0.0",
    b"1.", b".5", b"0x10", b" 1", b"1 ", b"+1", b"1kb", b"1gb", b"-1mb", b"100000000000gb",
];

const KEYS: &[&[u8]] = &[b"k0", b"k1", b"k2", b"", b"\x00\xff", b"*", b"[a-", b"\\", b"k?"];

/// Words that mean something to some command, used anywhere.
const ANYWHERE: &[&[u8]] = &[
    b"maxmemory", b"maxmemory-policy", b"proto-max-bulk-len", b"stream-node-max-entries", b"stream-node-max-bytes",
    b"list-max-listpack-size", b"list-max-ziplist-size", b"list-compress-depth", b"databases", b"*", b"*max*",
    b"noeviction", b"allkeys-lru", b"get", b"set", b"client", b"config", b"multi", b"exec", b"command", b"everything",
    b"all", b"default", b"server", b"keyspace", b"clients", b"stats", b"127.0.0.1:40001", b"127.0.0.1:0", b":",
    b"module", b"aclcat", b"pattern", b"normal", b"pubsub", b"master", b"replica", b"slave",
];

struct Args {
    rng: Rng,
}

impl Args {
    fn below(&mut self, n: usize) -> usize {
        (self.rng.next_u64() % n as u64) as usize
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let len = self.below(max + 1);
        (0..len).map(|_| self.rng.next_u64() as u8).collect()
    }

    fn arg(&mut self, keywords: &[Vec<u8>], ids: &[ClientId]) -> Vec<u8> {
        match self.below(12) {
            0 => Vec::new(),
            1 => self.bytes(12),
            2 | 3 => NUMBERS[self.below(NUMBERS.len())].to_vec(),
            4 => KEYS[self.below(KEYS.len())].to_vec(),
            5..=7 if !keywords.is_empty() => {
                let word = &keywords[self.below(keywords.len())];
                word.iter().map(|b| if self.below(2) == 0 { b.to_ascii_lowercase() } else { *b }).collect()
            }
            8 => ANYWHERE[self.below(ANYWHERE.len())].to_vec(),
            9 if !ids.is_empty() => ids[self.below(ids.len())].to_string().into_bytes(),
            10 if self.below(20) == 0 => vec![b'x'; self.below(100_000)],
            10 => vec![b'x'; self.below(300)],
            _ => format!("{}", self.rng.next_u64() as i64 >> self.below(64)).into_bytes(),
        }
    }
}

/// Why `reply` is not a well-formed value for a `protocol` client, if it is not.
fn malformed(reply: &Reply, protocol: Protocol) -> Option<String> {
    let line_ok = |bytes: &[u8]| !bytes.contains(&b'\r') && !bytes.contains(&b'\n');
    let own = match reply {
        Reply::Status(s) if !line_ok(s.as_bytes()) => Some("status line with CR/LF"),
        Reply::Error(e) if e.is_empty() => Some("empty error"),
        Reply::Error(e) if !line_ok(e) => Some("error line with CR/LF"),
        Reply::Verbatim { format, .. } if !format.iter().all(u8::is_ascii_graphic) || format.contains(&b':') => Some("bad verbatim format"),
        Reply::BigNumber(n) if n.trim_start_matches('-').is_empty() || !n.trim_start_matches('-').bytes().all(|b| b.is_ascii_digit()) => {
            Some("bad big number")
        }
        _ => None,
    };
    if let Some(why) = own {
        return Some(format!("{}: {:?}", why, reply));
    }
    let resp3_only = matches!(
        reply,
        Reply::Map(_) | Reply::Set(_) | Reply::Double(_) | Reply::Boolean(_) | Reply::Push(_) | Reply::Verbatim { .. } | Reply::BigNumber(_)
    );
    if protocol == Protocol::Resp2 && resp3_only {
        return Some(format!("RESP3 type sent to a RESP2 client: {:?}", reply));
    }
    let children: Vec<&Reply> = match reply {
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => items.iter().collect(),
        Reply::Map(pairs) => pairs.iter().flat_map(|(k, v)| [k, v]).collect(),
        _ => Vec::new(),
    };
    if let Some(why) = children.into_iter().find_map(|c| malformed(c, protocol)) {
        return Some(why);
    }
    None
}

/// The reply goes on the wire and comes back as itself.
fn round_trips(reply: &Reply, protocol: Protocol) -> Result<(), String> {
    let mut bytes = Vec::new();
    encode(reply, protocol, &mut bytes);
    // In RESP3 a nil string and a nil array are the same `_`.
    fn wire(reply: &Reply, protocol: Protocol) -> String {
        let text = format!("{:?}", reply);
        if protocol == Protocol::Resp3 { text.replace("NilArray", "Nil") } else { text }
    }
    match decode_reply(&bytes) {
        Ok(Some((back, used))) if used == bytes.len() && wire(&back, protocol) == wire(reply, protocol) => Ok(()),
        other => Err(format!("{:?} encoded as {:?} decodes as {:?}", reply, String::from_utf8_lossy(&bytes), other)),
    }
}

/// Inputs known to panic core, reported and awaiting a fix in `core/src`.
/// They are skipped so the search goes on for new ones; each entry's
/// reproduction must still panic (`known_panics_are_still_real`), so a fix
/// forces its entry out of this list.
/// (what, which argv it matches, a reproduction).
type KnownPanic = (&'static str, fn(&[Vec<u8>]) -> bool, &'static [&'static [u8]]);

const KNOWN_PANICS: &[KnownPanic] = &[
    // (what, which argv it matches, a reproduction), e.g.
    // ("COMMAND alone: index out of bounds", |argv| argv.len() == 1 && argv[0].eq_ignore_ascii_case(b"command"), &[b"COMMAND"]),
    // — found by this test and fixed in 9a605d8.
];

fn known_panic(argv: &[Vec<u8>]) -> bool {
    KNOWN_PANICS.iter().any(|(_, matches, _)| matches(argv))
}

struct World {
    node: Node,
    clients: Vec<ClientId>,
    now: u64,
}

impl World {
    fn new() -> World {
        let mut node = Node::new();
        let now = 1_700_000_000_000;
        let clients = (0..3).map(|_| node.connect(now)).collect();
        let mut world = World { node, clients, now };
        // Something to find: a few strings, one with a TTL, in two databases.
        for (db, key) in [(b"0", b"k0"), (b"0", b"k1"), (b"1", b"k0")] {
            let c = world.clients[0];
            world.node.call(c, &[b"SELECT", db], now);
            world.node.call(c, &[b"SET", key, b"10", b"PX", b"100000"], now);
        }
        let c = world.clients[0];
        world.node.call(c, &[b"SELECT", b"0"], now);
        world
    }

    /// Runs `argv` for client slot `slot`, checks everything it output, and
    /// reconnects clients that closed. `Err` describes a malformed reply.
    fn run(&mut self, slot: usize, argv: Vec<Vec<u8>>) -> Result<(), String> {
        self.now += 7;
        let client = self.clients[slot];
        if known_panic(&argv) {
            return Ok(());
        }
        // A transaction may switch protocols (HELLO 3 ... HELLO 2 inside it):
        // each queued command's reply is shaped for the protocol it ran
        // under, so EXEC's array can hold RESP3 frames for a client that
        // ends up on RESP2, as Redis writes them too.
        let mixed_protocols = argv.first().is_some_and(|name| name.eq_ignore_ascii_case(b"exec"));
        self.node.execute(client, argv, self.now);
        for (i, &c) in self.clients.clone().iter().enumerate() {
            for (reply, protocol) in self.node.take_output_with_protocol(c) {
                let checked_as = if mixed_protocols && c == client { Protocol::Resp3 } else { protocol };
                if let Some(why) = malformed(&reply, checked_as) {
                    return Err(why);
                }
                // Same allowance for the round trip: a push frame inside such
                // an EXEC only reads back as a push in RESP3.
                round_trips(&reply, checked_as)?;
            }
            if !self.node.is_connected(c) {
                self.clients[i] = self.node.connect(self.now);
            }
        }
        Ok(())
    }
}

/// Runs `body` with the panic hook silenced; a panic becomes an `Err` with its message.
fn guarded<T>(body: impl FnOnce() -> T) -> Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(body));
    std::panic::set_hook(hook);
    outcome.map_err(|e| {
        e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default()
    })
}

#[test]
fn no_command_with_any_arguments_panics() {
    let seed = seed();
    eprintln!("never_panics: seed {} (REDPLAY_FUZZ_SEED={})", seed, seed);
    let targets = targets();
    let keywords: Vec<Vec<Vec<u8>>> = targets.iter().map(|(name, _, _)| keywords(&commands::meta::syntax(name))).collect();
    let mut args = Args { rng: Rng::new(seed) };
    let mut world = World::new();
    let deadline = Instant::now() + budget();
    let (mut runs, mut rounds) = (0usize, 0usize);
    // Whole rounds over the table, so every command gets its share.
    while rounds == 0 || Instant::now() < deadline {
        for (index, (name, prefix, _)) in targets.iter().enumerate() {
            let slot = args.below(world.clients.len());
            let mut argv = prefix.clone();
            // The name in random case; sometimes no subcommand at all.
            if args.below(10) == 0 {
                argv[0] = argv[0].to_ascii_uppercase();
            }
            if argv.len() == 2 && args.below(20) == 0 {
                argv.pop();
            }
            let count = args.below(9);
            for _ in 0..count {
                let ids = world.clients.clone();
                argv.push(args.arg(&keywords[index], &ids));
            }
            // Now and then a state change first, so handlers run in every state.
            let setup: Option<Vec<&[u8]>> = match args.below(40) {
                0 => Some(vec![b"HELLO", b"3"]),
                1 => Some(vec![b"HELLO", b"2"]),
                2 => Some(vec![b"MULTI"]),
                3 => Some(vec![b"EXEC"]),
                4 => Some(vec![b"WATCH", b"k0", b"k1"]),
                5 => Some(vec![b"SELECT", b"1"]),
                6 => Some(vec![b"SET", b"k2", b"v"]),
                _ => None,
            };
            let kept = argv.clone();
            let outcome = guarded(|| {
                if let Some(setup) = setup {
                    world.run(slot, setup.iter().map(|a| a.to_vec()).collect())?;
                }
                world.run(slot, argv)
            });
            runs += 1;
            match outcome {
                Ok(Ok(())) => {}
                Ok(Err(why)) => panic!("`{}` ({}) produced a malformed reply (seed {}): {}", render(&kept), name, seed, why),
                Err(message) => panic!("`{}` ({}) panicked (seed {}): {}", render(&kept), name, seed, message),
            }
        }
        rounds += 1;
        if rounds.is_multiple_of(50) {
            // A fresh node now and then keeps the state varied and small.
            world = World::new();
        }
    }
    eprintln!("never_panics: {} commands over {} rounds of {} commands/subcommands", runs, rounds, targets.len());
}

#[test]
fn known_panics_are_still_real() {
    for (what, matches, reproduction) in KNOWN_PANICS {
        let argv: Vec<Vec<u8>> = reproduction.iter().map(|a| a.to_vec()).collect();
        assert!(matches(&argv), "{}: the reproduction is not matched by its own predicate", what);
        let mut node = Node::new();
        let client = node.connect(0);
        let outcome = guarded(|| node.execute(client, argv, 0));
        assert!(outcome.is_err(), "fixed? `{}` no longer panics: remove it from KNOWN_PANICS", what);
    }
}

#[test]
fn empty_and_unknown_argv_never_panic() {
    let mut world = World::new();
    let cases: Vec<Vec<Vec<u8>>> = vec![
        vec![],
        vec![vec![]],
        vec![vec![0]],
        vec![vec![b'x'; 100]],
        vec![b"\xff\xfe".to_vec(), vec![]],
        vec![vec![b'a'; 40], b"b".to_vec()],
    ];
    for argv in cases {
        let shown = format!("{:?}", argv);
        match guarded(|| world.run(0, argv)) {
            Ok(Ok(())) => {}
            Ok(Err(why)) => panic!("{}: {}", shown, why),
            Err(message) => panic!("{} panicked: {}", shown, message),
        }
    }
}

/// Random bytes, biased towards protocol characters, into the request
/// decoder; whatever it decodes runs on a node.
#[test]
fn raw_bytes_through_the_request_decoder_never_panic() {
    let seed = seed();
    eprintln!("never_panics (decoder): seed {}", seed);
    let mut rng = Rng::new(seed);
    let deadline = Instant::now() + budget();
    let mut world = World::new();
    let names: Vec<String> = targets().iter().map(|(name, _, _)| name.replace('|', " ")).collect();
    let mut fed = 0usize;
    while fed == 0 || Instant::now() < deadline {
        const ALPHABET: &[u8] = b"*$\r\n0123456789- \"'\\x\x00abc";
        let mut input = Vec::new();
        for _ in 0..(rng.next_u64() % 8) {
            match rng.next_u64() % 4 {
                // A well-formed request, perhaps cut or corrupted below.
                0 => {
                    let name = &names[(rng.next_u64() % names.len() as u64) as usize];
                    let words: Vec<&str> = name.split(' ').collect();
                    let argc = rng.next_u64() % 5;
                    input.extend_from_slice(format!("*{}\r\n", argc as usize + words.len()).as_bytes());
                    for word in words {
                        input.extend_from_slice(format!("${}\r\n{}\r\n", word.len(), word).as_bytes());
                    }
                    for _ in 0..argc {
                        let arg = NUMBERS[(rng.next_u64() % NUMBERS.len() as u64) as usize];
                        input.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
                        input.extend_from_slice(arg);
                        input.extend_from_slice(b"\r\n");
                    }
                }
                // An inline request.
                1 => {
                    let name = &names[(rng.next_u64() % names.len() as u64) as usize];
                    input.extend_from_slice(format!("{} \"a b\" 'c' 1\r\n", name).as_bytes());
                }
                2 => input.extend((0..rng.next_u64() % 30).map(|_| ALPHABET[(rng.next_u64() % ALPHABET.len() as u64) as usize])),
                _ => input.extend((0..rng.next_u64() % 30).map(|_| rng.next_u64() as u8)),
            }
        }
        if rng.next_u64().is_multiple_of(4) && !input.is_empty() {
            let at = (rng.next_u64() % input.len() as u64) as usize;
            input[at] = rng.next_u64() as u8;
        }
        let limit = [16, 1024, 512 * 1024 * 1024][(rng.next_u64() % 3) as usize];
        let shown = String::from_utf8_lossy(&input).into_owned();
        let outcome = guarded(|| -> Result<(), String> {
            let mut decoder = RequestDecoder::with_max_bulk_len(limit);
            let chunk = 1 + (rng.next_u64() % 16) as usize;
            for piece in input.chunks(chunk) {
                decoder.feed(piece);
                loop {
                    match decoder.next_command() {
                        Ok(Some(argv)) => world.run(0, argv)?,
                        Ok(None) => break,
                        Err(error) => {
                            let reply = error.to_reply();
                            if let Some(why) = malformed(&reply, Protocol::Resp2) {
                                return Err(why);
                            }
                            break;
                        }
                    }
                }
            }
            Ok(())
        });
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(why)) => panic!("input {:?} (seed {}): {}", shown, seed, why),
            Err(message) => panic!("input {:?} panicked (seed {}): {}", shown, seed, message),
        }
        fed += 1;
        if fed.is_multiple_of(5_000) {
            world = World::new();
        }
    }
    eprintln!("never_panics (decoder): {} inputs", fed);
}
