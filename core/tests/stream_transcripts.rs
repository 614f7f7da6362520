//! Replays `tests/transcripts/streams-*.txt` against a fresh core node.
//!
//! Format (shared with the project's transcript harness): `> CMD` is typed by
//! the default client, `name> CMD` by client `name` (its own connection); the
//! lines that follow are exactly what `redis-cli --no-raw` prints. `name<`
//! collects output that reached `name` later (a blocked reader being served),
//! `sleep N` advances the virtual clock by N ms. `#` lines and blank lines are
//! ignored; an output line starting with `\` has that backslash removed.
//! The expected text was generated from Redis 7.0.15 and reviewed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use redplay_core::cli::{format_tty, split_args};
use redplay_core::{ClientId, Node};

enum Step {
    Command { client: String, line: String, expected: Vec<String> },
    Collect { client: String, expected: Vec<String> },
    Sleep(u64),
}

fn parse(text: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for line in text.lines() {
        let directive_command = line.find("> ").filter(|&i| line[..i].chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if let Some(i) = directive_command {
            steps.push(Step::Command { client: line[..i].to_string(), line: line[i + 2..].to_string(), expected: Vec::new() });
        } else if line.ends_with('<') && !line.is_empty() && line[..line.len() - 1].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            steps.push(Step::Collect { client: line[..line.len() - 1].to_string(), expected: Vec::new() });
        } else if let Some(ms) = line.strip_prefix("sleep ").and_then(|n| n.parse().ok()) {
            steps.push(Step::Sleep(ms));
        } else if line.starts_with('#') || line.is_empty() {
            continue;
        } else {
            let text = line.strip_prefix('\\').unwrap_or(line).to_string();
            match steps.last_mut() {
                Some(Step::Command { expected, .. }) | Some(Step::Collect { expected, .. }) => expected.push(text),
                _ => panic!("output line {:?} follows no command", line),
            }
        }
    }
    steps
}

fn output_lines(node: &mut Node, client: ClientId) -> Vec<String> {
    let mut text = Vec::new();
    for reply in node.take_output(client) {
        text.extend(format_tty(&reply));
    }
    let text = String::from_utf8_lossy(&text).into_owned();
    text.lines().map(str::to_string).collect()
}

fn replay(path: &PathBuf) {
    let text = std::fs::read_to_string(path).expect("transcript is readable");
    let mut node = Node::new();
    let mut now: u64 = 1_700_000_000_000;
    let mut clients: BTreeMap<String, ClientId> = BTreeMap::new();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    for (index, step) in parse(&text).into_iter().enumerate() {
        match step {
            Step::Command { client, line, expected } => {
                let id = *clients.entry(client.clone()).or_insert_with(|| node.connect(now));
                let argv = split_args(line.as_bytes()).expect("transcript commands split");
                node.execute(id, argv, now);
                let got = output_lines(&mut node, id);
                assert_eq!(got, expected, "{} step {}: {}> {}", name, index, client, line);
            }
            Step::Collect { client, expected } => {
                let id = *clients.entry(client.clone()).or_insert_with(|| node.connect(now));
                let got = output_lines(&mut node, id);
                assert_eq!(got, expected, "{} step {}: {}<", name, index, client);
            }
            Step::Sleep(ms) => {
                now += ms;
                node.advance(now);
            }
        }
    }
    for (client, id) in clients {
        assert!(output_lines(&mut node, id).is_empty(), "{}: output for {:?} was never checked", name, client);
    }
}

#[test]
fn stream_transcripts() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/transcripts");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/transcripts exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("streams-")))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for file in &files {
        replay(file);
    }
}
