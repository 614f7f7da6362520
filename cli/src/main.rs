//! redplay-cli: one in-process redplay node on the real clock, driven like
//! `redis-cli`. With commands piped on stdin it prints one reply per line as
//! redis-cli does (raw by default when stdout is not a terminal; `--no-raw`
//! forces terminal formatting). On a terminal it shows redis-cli's prompt.
//!
//! `--cluster-primaries N [--cluster-replicas R]` runs a simulated cluster
//! laid out as `redis-cli --cluster create` lays out nodes 7000, 7001, ...;
//! `-p PORT` picks the node to connect to and `-c` follows redirections.

use std::io::{self, BufRead, IsTerminal, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use redplay_core::cli::{format_raw, format_tty, run_line, LineEffect, LineOutput};
use redplay_core::cluster::client::ClusterClient;
use redplay_core::cluster::Cluster;
use redplay_core::repl;
use redplay_core::reply::Reply;
use redplay_core::{ClientId, Node};

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

struct Options {
    raw: bool,
    port: u16,
    follow: bool,
    primaries: Option<usize>,
    replicas: usize,
}

fn parse_options() -> Result<Options, String> {
    let mut options =
        Options { raw: !io::stdout().is_terminal(), port: 6379, follow: false, primaries: None, replicas: 0 };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let bad = |arg: &str| format!("Unrecognized option or bad number of args for: '{}'", arg);
        let mut number = |arg: &str| args.next().and_then(|v| v.parse::<usize>().ok()).ok_or_else(|| bad(arg));
        match arg.as_str() {
            "--no-raw" => options.raw = false,
            "--raw" => options.raw = true,
            "-c" => options.follow = true,
            "-p" => options.port = u16::try_from(number(&arg)?).map_err(|_| bad(&arg))?,
            "--cluster-primaries" => options.primaries = Some(number(&arg)?),
            "--cluster-replicas" => options.replicas = number(&arg)?,
            other => return Err(bad(other)),
        }
    }
    Ok(options)
}

/// What typed lines run against: one node, or a simulated cluster.
enum Engine {
    Single { node: Box<Node>, client: ClientId, port: u16 },
    Cluster { cluster: Box<Cluster>, client: ClusterClient },
}

impl Engine {
    fn new(options: &Options) -> Result<Engine, String> {
        let now = now_ms();
        let Some(primaries) = options.primaries else {
            let mut node = Box::new(Node::new());
            let client = node.connect(now);
            return Ok(Engine::Single { node, client, port: options.port });
        };
        let mut cluster = Cluster::new(primaries, options.replicas, 0, now)
            .map_err(|e| format!("Cannot create a cluster of {} primaries: {:?}", primaries, e))?;
        let refused = || format!("Could not connect to Redis at 127.0.0.1:{}: Connection refused", options.port);
        let index = cluster.index_of_port(options.port).ok_or_else(refused)?;
        let client = ClusterClient::connect(&mut cluster, index, options.follow, now).ok_or_else(refused)?;
        Ok(Engine::Cluster { cluster: Box::new(cluster), client })
    }

    fn prompt(&self) -> String {
        match self {
            Engine::Single { node, client, port } => repl::prompt_at(&format!("127.0.0.1:{}", port), node, *client),
            Engine::Cluster { cluster, client } => match cluster.node(client.node) {
                Some(node) => repl::prompt_at(&format!("127.0.0.1:{}", client.port(cluster)), node, client.client),
                None => client.prompt(cluster),
            },
        }
    }

    fn run_line(&mut self, line: &[u8], now: u64, raw: bool) -> LineOutput {
        match self {
            Engine::Single { node, client, .. } => run_line(node, *client, line, now, raw),
            Engine::Cluster { cluster, client } => client.run_line(cluster, line, now, raw),
        }
    }

    fn advance(&mut self, now: u64) {
        match self {
            Engine::Single { node, .. } => node.advance(now),
            Engine::Cluster { cluster, .. } => cluster.advance(now),
        }
    }

    fn take_output(&mut self) -> Vec<Reply> {
        match self {
            Engine::Single { node, client, .. } => node.take_output(*client),
            Engine::Cluster { cluster, client } => client.take_output(cluster),
        }
    }

    fn is_blocked(&self) -> bool {
        match self {
            Engine::Single { node, client, .. } => node.client(*client).is_some_and(|c| c.is_blocked()),
            Engine::Cluster { cluster, client } => {
                cluster.node(client.node).and_then(|n| n.client(client.client)).is_some_and(|c| c.is_blocked())
            }
        }
    }

    fn next_deadline_ms(&self) -> Option<u64> {
        match self {
            Engine::Single { node, .. } => node.next_deadline_ms(),
            Engine::Cluster { cluster, client } => cluster.node(client.node).and_then(Node::next_deadline_ms),
        }
    }
}

fn main() {
    let options = match parse_options() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{}", message);
            std::process::exit(1);
        }
    };
    let interactive = io::stdin().is_terminal();
    let mut engine = match Engine::new(&options) {
        Ok(engine) => engine,
        Err(message) => {
            eprintln!("{}", message);
            std::process::exit(1);
        }
    };
    let stdin = io::stdin();
    let mut stdout = io::stdout();
    let mut line = Vec::new();
    let mut input = stdin.lock();
    loop {
        if interactive {
            let _ = write!(stdout, "{}", engine.prompt());
            let _ = stdout.flush();
        }
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        while line.last().is_some_and(|&c| c == b'\n' || c == b'\r') {
            line.pop();
        }
        let started = now_ms();
        let output = engine.run_line(&line, started, options.raw);
        let _ = stdout.write_all(&output.text);
        let _ = stdout.flush();
        match output.effect {
            LineEffect::Exit | LineEffect::Closed => break,
            LineEffect::Clear => {
                let _ = stdout.write_all(b"\x1b[H\x1b[2J");
            }
            LineEffect::Subscribed => read_messages(&mut engine, options.raw),
            LineEffect::Blocked => wait_for_reply(&mut engine, options.raw),
            LineEffect::None => {}
        }
        // Like redis-cli, report commands that took half a second or more
        // (only in terminal form).
        let elapsed = now_ms().saturating_sub(started);
        if elapsed >= 500 && !options.raw {
            let _ = writeln!(stdout, "({:.2}s)", elapsed as f64 / 1000.0);
            let _ = stdout.flush();
        }
    }
}

/// A blocking command (BLPOP, XREAD BLOCK...) waits on the real clock until
/// its reply arrives: in this single-client process only its timeout can end
/// it, as it would against a quiet server. Blocking forever waits forever.
fn wait_for_reply(engine: &mut Engine, raw: bool) {
    let mut stdout = io::stdout();
    loop {
        let now = now_ms();
        engine.advance(now);
        let replies = engine.take_output();
        if !replies.is_empty() {
            for reply in replies {
                let printed = if raw { format_raw(&reply) } else { format_tty(&reply) };
                let _ = stdout.write_all(&printed);
            }
            let _ = stdout.flush();
            if !engine.is_blocked() {
                return;
            }
        }
        let wait = engine.next_deadline_ms().map_or(100, |deadline| deadline.saturating_sub(now).clamp(1, 100));
        std::thread::sleep(std::time::Duration::from_millis(wait));
    }
}

/// redis-cli's reading mode after SUBSCRIBE: typed lines are no longer sent,
/// replies are printed as they arrive, and only Ctrl-C ends it. In this
/// single-client process nothing else publishes, so it waits like redis-cli
/// would on a quiet channel.
fn read_messages(engine: &mut Engine, raw: bool) -> ! {
    let mut stdout = io::stdout();
    loop {
        engine.advance(now_ms());
        for reply in engine.take_output() {
            let printed = if raw { format_raw(&reply) } else { format_tty(&reply) };
            let _ = stdout.write_all(&printed);
        }
        let _ = stdout.flush();
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
