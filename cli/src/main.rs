//! redplay-cli: one in-process redplay node on the real clock, driven like
//! `redis-cli`. With commands piped on stdin it prints one reply per line as
//! redis-cli does (raw by default when stdout is not a terminal; `--no-raw`
//! forces terminal formatting). On a terminal it shows redis-cli's prompt.

use std::io::{self, BufRead, IsTerminal, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use redplay_core::cli::{format_raw, format_tty, run_line, LineEffect};
use redplay_core::repl;
use redplay_core::{ClientId, Node};

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

struct Options {
    raw: bool,
}

fn parse_options() -> Result<Options, String> {
    let mut raw = !io::stdout().is_terminal();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--no-raw" => raw = false,
            "--raw" => raw = true,
            other => return Err(format!("Unrecognized option or bad number of args for: '{}'", other)),
        }
    }
    Ok(Options { raw })
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
    let mut node = Node::new();
    let client = node.connect(now_ms());
    let stdin = io::stdin();
    let mut stdout = io::stdout();
    let mut line = Vec::new();
    let mut input = stdin.lock();
    loop {
        if interactive {
            let _ = write!(stdout, "{}", repl::prompt(&node, client));
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
        let output = run_line(&mut node, client, &line, started, options.raw);
        let _ = stdout.write_all(&output.text);
        let _ = stdout.flush();
        match output.effect {
            LineEffect::Exit | LineEffect::Closed => break,
            LineEffect::Clear => {
                let _ = stdout.write_all(b"\x1b[H\x1b[2J");
            }
            LineEffect::Subscribed => read_messages(&mut node, client, options.raw),
            LineEffect::Blocked => wait_for_reply(&mut node, client, options.raw),
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
fn wait_for_reply(node: &mut Node, client: ClientId, raw: bool) {
    let mut stdout = io::stdout();
    loop {
        let now = now_ms();
        node.advance(now);
        let replies = node.take_output(client);
        if !replies.is_empty() {
            for reply in replies {
                let printed = if raw { format_raw(&reply) } else { format_tty(&reply) };
                let _ = stdout.write_all(&printed);
            }
            let _ = stdout.flush();
            if !node.client(client).is_some_and(|c| c.is_blocked()) {
                return;
            }
        }
        let wait = node.next_deadline_ms().map_or(100, |deadline| deadline.saturating_sub(now).clamp(1, 100));
        std::thread::sleep(std::time::Duration::from_millis(wait));
    }
}

/// redis-cli's reading mode after SUBSCRIBE: typed lines are no longer sent,
/// replies are printed as they arrive, and only Ctrl-C ends it. In this
/// single-client process nothing else publishes, so it waits like redis-cli
/// would on a quiet channel.
fn read_messages(node: &mut Node, client: ClientId, raw: bool) -> ! {
    let mut stdout = io::stdout();
    loop {
        node.advance(now_ms());
        for reply in node.take_output(client) {
            let printed = if raw { format_raw(&reply) } else { format_tty(&reply) };
            let _ = stdout.write_all(&printed);
        }
        let _ = stdout.flush();
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
