//! redplay-cli: one in-process redplay node on the real clock, driven like
//! `redis-cli`. With commands piped on stdin it prints one reply per line as
//! redis-cli does (raw by default when stdout is not a terminal; `--no-raw`
//! forces terminal formatting). On a terminal it shows redis-cli's prompt.

use std::io::{self, BufRead, IsTerminal, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use redplay_core::cli::{run_line, LineEffect};
use redplay_core::repl;
use redplay_core::Node;

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
        let output = run_line(&mut node, client, &line, now_ms(), options.raw);
        let _ = stdout.write_all(&output.text);
        let _ = stdout.flush();
        match output.effect {
            LineEffect::Exit | LineEffect::Closed => break,
            LineEffect::Clear => {
                let _ = stdout.write_all(b"\x1b[H\x1b[2J");
            }
            LineEffect::None | LineEffect::Blocked => {}
        }
    }
}
