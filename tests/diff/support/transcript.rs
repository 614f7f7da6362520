//! Transcripts: what a user types at redis-cli and what redis-cli prints back,
//! replayed against core and against the real server.
//!
//! # Format (one directive per line; files are bytes, usually UTF-8)
//! - `> LINE` — the default client types LINE (redis-cli syntax: quotes and
//!   escapes as `cli::split_args` reads them). The lines after it, up to the
//!   next directive, are exactly what redis-cli `--no-raw` prints for it.
//! - `NAME> LINE` — the same for client NAME (`[A-Za-z][A-Za-z0-9_]*`). Each
//!   name is its own connection, opened at its first use, in order.
//! - `NAME<` (or `<` for the default client) — output that reaches NAME later,
//!   without NAME typing anything: a blocked command's reply, a pushed message.
//!   A command that blocks is written with no output lines after it, and its
//!   reply is checked by a later `NAME<`.
//! - `sleep MS` — time passes: the core's virtual clock advances by MS, the real
//!   server's test really sleeps. Use generous margins around deadlines.
//! - `# ...` comments and blank lines are ignored.
//! - An output line that would read as one of the above (or is empty, or starts
//!   with `\`) is written with a leading `\`, which is dropped. Bless writes it so.
//!
//! Output nobody checked by the end of the transcript is a failure.
//!
//! Every client connects before the first step, in order of first use, so the
//! first is client id 1, the second id 2 and so on. Replies that show process
//! facts (client ids, socket details, INFO) are normalised on both sides as
//! `support/normalise.rs` documents; such transcripts name their clients
//! (`me> CLIENT ID`) so the CLI contract, which runs single-client
//! transcripts through the real redis-cli without normalisation, skips them.
//! redis-cli front-end features (`3 PING` repeats, quit/exit/clear/help/connect)
//! are refused here: they never reach a server, so the cli contract test covers
//! them by driving both CLIs directly.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use redplay_core::cli::{format_raw_verbatim, format_tty, prints_raw_on_terminal, run_line, split_args};
use redplay_core::{ClientId, Node, Reply};

use super::normalise::{self, Ids};
use super::resp::Conn;
use super::server::RedisServer;
use super::text;

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// The client types this line.
    Command(Vec<u8>),
    /// Output arrives for the client on its own.
    Receive,
    /// Time passes, in ms.
    Sleep(u64),
}

#[derive(Clone, Debug)]
pub struct Step {
    /// 1-based line of the directive in the file.
    pub line_no: usize,
    /// `""` is the default client.
    pub client: String,
    pub action: Action,
    /// Exactly what should be printed, newlines included.
    pub expected: Vec<u8>,
}

pub struct Transcript {
    pub path: PathBuf,
    pub steps: Vec<Step>,
    /// The source lines, kept so bless can rewrite only the expected text.
    source: Vec<Vec<u8>>,
    /// Which source lines are expected output (replaced by bless).
    expected_lines: Vec<bool>,
}

fn is_name(bytes: &[u8]) -> bool {
    match bytes.split_first() {
        None => true,
        Some((first, rest)) => first.is_ascii_alphabetic() && rest.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_'),
    }
}

/// Reads a line as a directive, if it is one.
fn directive(line: &[u8]) -> Option<(String, Action)> {
    if let Some(ms) = line.strip_prefix(b"sleep ") {
        let ms = std::str::from_utf8(ms).ok()?.parse().ok()?;
        return Some((String::new(), Action::Sleep(ms)));
    }
    if let Some(name) = line.strip_suffix(b"<") {
        if is_name(name) {
            return Some((String::from_utf8_lossy(name).into_owned(), Action::Receive));
        }
    }
    let gt = line.iter().position(|&b| b == b'>')?;
    let (name, rest) = (&line[..gt], &line[gt + 1..]);
    if !is_name(name) {
        return None;
    }
    let typed = match rest {
        [] => &[][..],
        [b' ', typed @ ..] => typed,
        _ => return None,
    };
    Some((String::from_utf8_lossy(name).into_owned(), Action::Command(typed.to_vec())))
}

/// Lines redis-cli handles itself instead of sending them (see module docs).
fn front_end_feature(typed: &[u8]) -> Option<&'static str> {
    let argv = split_args(typed)?;
    let first = argv.first()?;
    for word in ["quit", "exit", "clear", "help", "connect"] {
        if first.eq_ignore_ascii_case(word.as_bytes()) {
            return Some("a redis-cli built-in (quit/exit/clear/help/connect)");
        }
    }
    // redis-cli reads the first word with strtol, as a C string (so only up to
    // a NUL byte): a word it consumes entirely (blanks, a sign, digits — or
    // nothing at all) is a repeat count.
    let c_string = first.split(|&b| b == 0).next().unwrap_or_default();
    let unblanked = c_string.trim_ascii_start();
    let digits = unblanked.strip_prefix(b"-").or(unblanked.strip_prefix(b"+")).unwrap_or(unblanked);
    let strtol_number = c_string.is_empty() || (!digits.is_empty() && digits.iter().all(u8::is_ascii_digit));
    if argv.len() > 1 && strtol_number {
        return Some("a redis-cli repeat count");
    }
    None
}

impl Transcript {
    pub fn load(path: &Path) -> Result<Transcript, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {}", path.display(), e))?;
        Transcript::parse(path, &bytes)
    }

    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Transcript, String> {
        let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        let source: Vec<Vec<u8>> = if bytes.is_empty() { Vec::new() } else { body.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect() };
        let mut steps: Vec<Step> = Vec::new();
        let mut expected_lines = vec![false; source.len()];
        for (index, line) in source.iter().enumerate() {
            let line_no = index + 1;
            let at = || format!("{}:{}", path.display(), line_no);
            if line.starts_with(b"#") || line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if let Some((client, action)) = directive(line) {
                if let Action::Command(typed) = &action {
                    if let Some(why) = front_end_feature(typed) {
                        return Err(format!("{}: `{}` is {}; test it in tests/transcripts/scripts/ instead", at(), String::from_utf8_lossy(typed), why));
                    }
                }
                steps.push(Step { line_no, client, action, expected: Vec::new() });
                continue;
            }
            let step = steps.last_mut().ok_or_else(|| format!("{}: output line before any `> command`", at()))?;
            if matches!(step.action, Action::Sleep(_)) {
                return Err(format!("{}: `sleep` prints nothing; output lines belong after a command or `NAME<`", at()));
            }
            let literal = line.strip_prefix(b"\\").unwrap_or(line);
            step.expected.extend_from_slice(literal);
            step.expected.push(b'\n');
            expected_lines[index] = true;
        }
        Ok(Transcript { path: path.to_path_buf(), steps, source, expected_lines })
    }

    /// Client names in order of first use.
    pub fn clients(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for step in &self.steps {
            if !matches!(step.action, Action::Sleep(_)) && !names.contains(&step.client) {
                names.push(step.client.clone());
            }
        }
        names
    }

    /// Only the default client: the transcript is also a plain redis-cli script.
    pub fn is_single_client(&self) -> bool {
        self.clients().iter().all(String::is_empty)
    }

    /// The file with every step's expected text replaced by `outputs`.
    pub fn blessed(&self, outputs: &[Vec<u8>]) -> Vec<u8> {
        let mut by_line: HashMap<usize, &[u8]> = HashMap::new();
        for (step, output) in self.steps.iter().zip(outputs) {
            by_line.insert(step.line_no, output);
        }
        let mut out = Vec::new();
        for (index, line) in self.source.iter().enumerate() {
            if self.expected_lines[index] {
                continue;
            }
            out.extend_from_slice(line);
            out.push(b'\n');
            if let Some(output) = by_line.get(&(index + 1)) {
                for printed in output.strip_suffix(b"\n").unwrap_or(output).split(|&b| b == b'\n').filter(|_| !output.is_empty()) {
                    let ambiguous = printed.is_empty()
                        || printed.starts_with(b"#")
                        || printed.starts_with(b"\\")
                        || printed.iter().all(u8::is_ascii_whitespace)
                        || directive(printed).is_some();
                    if ambiguous {
                        out.push(b'\\');
                    }
                    out.extend_from_slice(printed);
                    out.push(b'\n');
                }
            }
        }
        out
    }
}

/// What one replay printed: per step, plus output left unread at the end.
pub struct Replay {
    pub outputs: Vec<Vec<u8>>,
    pub leftover: Vec<(String, Vec<u8>)>,
}

fn client_label(name: &str) -> String {
    if name.is_empty() { "the default client".into() } else { format!("client `{}`", name) }
}

impl Step {
    /// The step as written in the file (`bob> GET k`, `bob<`, `sleep 5`).
    pub fn label(&self) -> String {
        step_label(self)
    }
}

fn step_label(step: &Step) -> String {
    match &step.action {
        Action::Command(typed) => format!("{}> {}", step.client, String::from_utf8_lossy(typed)),
        Action::Receive => format!("{}<", step.client),
        Action::Sleep(ms) => format!("sleep {}", ms),
    }
}

/// Compares a replay with the transcript; one message per mismatch.
pub fn check(t: &Transcript, replay: &Replay, against: &str) -> Vec<String> {
    let mut failures = Vec::new();
    for (step, got) in t.steps.iter().zip(&replay.outputs) {
        if *got != step.expected {
            failures.push(format!(
                "{}:{} [{}] `{}`\n  expected:\n{}\n  got:\n{}\n  diff:\n{}",
                t.path.display(),
                step.line_no,
                against,
                step_label(step),
                text::block(&step.expected),
                text::block(got),
                text::diff(&step.expected, got)
            ));
        }
    }
    for (client, output) in &replay.leftover {
        failures.push(format!(
            "{} [{}] output for {} was never checked (add a `{}<` step):\n{}",
            t.path.display(),
            against,
            client_label(client),
            client,
            text::block(output)
        ));
    }
    failures
}

/// How redis-cli prints `reply` to the typed `argv` on a terminal.
fn printed(argv: &[Vec<u8>], reply: &Reply) -> Vec<u8> {
    if prints_raw_on_terminal(argv) {
        format_raw_verbatim(reply)
    } else {
        format_tty(reply)
    }
}

/// Replays against a fresh core node whose virtual clock starts at `start_ms`.
pub fn replay_core(t: &Transcript, start_ms: u64) -> Replay {
    let mut node = Node::new();
    let mut now = start_ms;
    let clients: Vec<(String, ClientId)> = t.clients().into_iter().map(|name| (name, node.connect(now))).collect();
    let ids = Ids::new(&clients.iter().map(|&(_, id)| id as i64).collect::<Vec<_>>());
    let mut outputs = Vec::new();
    for step in &t.steps {
        if let Action::Sleep(ms) = step.action {
            now += ms;
            node.advance(now);
            outputs.push(Vec::new());
            continue;
        }
        let id = clients.iter().find(|(name, _)| *name == step.client).expect("every client is connected").1;
        outputs.push(match &step.action {
            Action::Command(typed) => match split_args(typed) {
                // What normalisation touches runs here; the rest as redplay-cli
                // runs it (reading mode after SUBSCRIBE included).
                Some(argv) if normalise::applies(&argv) => {
                    node.execute(id, argv.clone(), now);
                    node.take_output(id).into_iter().flat_map(|r| printed(&argv, &normalise::reply(&argv, r, &ids))).collect()
                }
                _ => {
                    let mut text = run_line(&mut node, id, typed, now, false).text;
                    // redis-cli waits for a blocked command's reply: when the
                    // transcript shows it at this step, time passes until it
                    // comes (as it does for the real server's replay).
                    while text.is_empty() && !step.expected.is_empty() && node.client(id).is_some_and(|c| c.is_blocked()) {
                        let Some(deadline) = node.next_deadline_ms() else { break };
                        now = now.max(deadline);
                        node.advance(now);
                        text = node.take_output(id).iter().flat_map(format_tty).collect();
                    }
                    text
                }
            },
            _ => node.take_output(id).iter().flat_map(format_tty).collect(),
        });
    }
    let leftover = clients
        .into_iter()
        .map(|(name, id)| (name, node.take_output(id).iter().flat_map(format_tty).collect::<Vec<u8>>()))
        .filter(|(_, out)| !out.is_empty())
        .collect();
    Replay { outputs, leftover }
}

/// How the real-server replay knows a step's output is complete.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Read replies until the printed text is as long as the expected text.
    /// An empty expectation (a blocked command) takes only what arrives at
    /// once; later extra replies surface at the client's next step or as
    /// unread output at the end.
    AsExpected,
    /// Bless: no expectation to go by, so wait briefly for a first reply and
    /// then take whatever follows at once. Timing-based, hence only for
    /// authoring; what bless writes must be reviewed.
    Discover,
}

/// A missing reply in `AsExpected` mode shows up as a mismatch after this long.
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// Reads `argv`'s output (`None`: output arriving unasked) as redis-cli prints it.
fn read_output(conn: &mut Conn, expected: &[u8], reading: Reading, argv: Option<&[Vec<u8>]>, ids: &Ids) -> Vec<u8> {
    let print = |reply: Reply| match argv {
        Some(argv) => printed(argv, &normalise::reply(argv, reply, ids)),
        None => format_tty(&reply),
    };
    let mut out = Vec::new();
    match reading {
        Reading::AsExpected if expected.is_empty() => {
            // A blocked command: nothing should come. Anything that does come
            // is taken now, so the mismatch is reported at this step.
            while conn.has_pending(Duration::from_millis(50)) {
                match conn.read_reply() {
                    Ok(reply) => out.extend_from_slice(&print(reply)),
                    Err(_) => break,
                }
            }
        }
        Reading::AsExpected => {
            conn.set_timeout(Some(REPLY_TIMEOUT));
            // Stop as soon as the text is complete or can no longer match.
            while out.len() < expected.len() && expected.starts_with(&out) {
                match conn.read_reply() {
                    Ok(reply) => out.extend_from_slice(&print(reply)),
                    Err(e) => {
                        out.extend_from_slice(format!("<harness: no reply: {}>\n", e).as_bytes());
                        break;
                    }
                }
            }
            conn.set_timeout(None);
        }
        Reading::Discover => {
            if conn.has_pending(Duration::from_millis(300)) {
                while let Ok(reply) = conn.read_reply() {
                    out.extend_from_slice(&print(reply));
                    if !conn.has_pending(Duration::from_millis(30)) {
                        break;
                    }
                }
            }
        }
    }
    out
}

/// The local port of each connection, to find it in CLIENT LIST.
fn real_ids(server: &RedisServer, conns: &[(String, Conn)]) -> Vec<i64> {
    let mut side = server.connect();
    let listing = match side.call_str(&["CLIENT", "LIST"]) {
        Ok(Reply::Bulk(text)) | Ok(Reply::Verbatim { text, .. }) => String::from_utf8_lossy(&text).into_owned(),
        other => panic!("CLIENT LIST on the real server: {:?}", other),
    };
    drop(side);
    let ids = conns
        .iter()
        .map(|(name, conn)| {
            let addr = format!("addr={} ", conn.local_addr());
            let line = listing.lines().find(|l| l.contains(&addr)).unwrap_or_else(|| panic!("client `{}` not in CLIENT LIST", name));
            let id = line.strip_prefix("id=").and_then(|rest| rest.split(' ').next()).and_then(|n| n.parse().ok());
            id.unwrap_or_else(|| panic!("no id in {:?}", line))
        })
        .collect();
    // The side connection's close must land before the first step counts clients.
    std::thread::sleep(Duration::from_millis(20));
    ids
}

/// What redis-cli --no-raw prints before the first reply of SUBSCRIBE,
/// PSUBSCRIBE or SSUBSCRIBE (it then only reads messages; a transcript may
/// still type lines for that client to show how the server answers them).
/// Written out here rather than taken from core, so the oracle side stays
/// independent; `core/tests/redis_cli_format.rs` checks it against redis-cli.
fn reading_mode_banner(argv: &[Vec<u8>]) -> &'static [u8] {
    let name = argv.first().map(|n| n.to_ascii_lowercase()).unwrap_or_default();
    match name.as_slice() {
        b"subscribe" | b"psubscribe" | b"ssubscribe" => b"Reading messages... (press Ctrl-C to quit)\n",
        _ => b"",
    }
}

/// Replays against the real server, reset first, one connection per client.
pub fn replay_real(t: &Transcript, server: &RedisServer, reading: Reading) -> Replay {
    server.reset();
    let mut conns: Vec<(String, Conn)> = t.clients().into_iter().map(|name| (name, server.connect())).collect();
    let ids = Ids::new(&real_ids(server, &conns));
    let mut outputs = Vec::new();
    for step in &t.steps {
        if let Action::Sleep(ms) = step.action {
            std::thread::sleep(Duration::from_millis(ms));
            outputs.push(Vec::new());
            continue;
        }
        let index = conns.iter().position(|(name, _)| *name == step.client).expect("every client is connected");
        let conn = &mut conns[index].1;
        let output = match &step.action {
            Action::Command(typed) => match split_args(typed) {
                None => b"Invalid argument(s)\n".to_vec(),
                Some(argv) if argv.is_empty() => Vec::new(),
                Some(argv) => {
                    conn.send(&normalise::real_args(argv.clone(), &ids)).expect("sending to redis-server");
                    let banner = reading_mode_banner(&argv);
                    let rest = step.expected.strip_prefix(banner).unwrap_or(&step.expected);
                    [banner, &read_output(conn, rest, reading, Some(&argv), &ids)].concat()
                }
            },
            _ => read_output(conn, &step.expected, reading, None, &ids),
        };
        outputs.push(output);
    }
    // A round trip on another connection lets anything still in flight land.
    let mut sync = server.connect();
    sync.call_str(&["PING"]).expect("PING after transcript");
    let mut leftover = Vec::new();
    for (name, conn) in &mut conns {
        let mut out = Vec::new();
        while conn.has_pending(Duration::from_millis(20)) {
            conn.set_timeout(Some(REPLY_TIMEOUT));
            match conn.read_reply() {
                Ok(reply) => out.extend_from_slice(&format_tty(&reply)),
                Err(_) => break,
            }
        }
        if !out.is_empty() {
            leftover.push((name.clone(), out));
        }
    }
    Replay { outputs, leftover }
}

/// Every `*.txt` transcript under `dir`, sorted so failures list in a stable order.
pub fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {}", dir.display(), e))
        .map(|entry| entry.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}
