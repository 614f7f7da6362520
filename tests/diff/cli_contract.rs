//! The redplay-cli contract: fed the same lines on stdin, `redplay-cli` prints
//! byte for byte what `redis-cli` prints against a freshly flushed real server,
//! in terminal form (`--no-raw`) and in raw form (the default when stdout is a
//! pipe). Scripts are every single-client transcript (paced by its `sleep`s)
//! and the raw scripts in `tests/transcripts/scripts/*.cli`, which hold lines
//! only redis-cli itself interprets: quoting, repeat counts, blank lines, quit.
//!
//! For transcripts, redis-cli's own output must also equal the transcript's
//! expected text, so transcripts are provably what redis-cli prints.

mod support;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use support::server::{spawn_cli, RedisServer, CLI_BIN};
use support::text;
use support::transcript::{files_in, Action, Transcript};

/// Lines to type, each followed by a pause in ms (the transcript's `sleep`s).
struct Script {
    name: String,
    chunks: Vec<(Vec<u8>, u64)>,
    /// For transcripts: what redis-cli --no-raw must print.
    expected_tty: Option<Vec<u8>>,
}

fn transcript_scripts() -> Vec<Script> {
    let mut scripts = Vec::new();
    for path in files_in(&support::tests_dir().join("transcripts")) {
        let t = Transcript::load(&path).unwrap_or_else(|e| panic!("{}", e));
        if !t.is_single_client() {
            continue;
        }
        let mut chunks: Vec<(Vec<u8>, u64)> = Vec::new();
        let mut expected = Vec::new();
        for step in &t.steps {
            match &step.action {
                Action::Command(typed) => chunks.push(([typed.as_slice(), b"\n"].concat(), 0)),
                Action::Sleep(ms) => match chunks.last_mut() {
                    Some(last) => last.1 += ms,
                    None => chunks.push((Vec::new(), *ms)),
                },
                Action::Receive => {}
            }
            expected.extend_from_slice(&step.expected);
        }
        scripts.push(Script { name: path.display().to_string(), chunks, expected_tty: Some(expected) });
    }
    scripts
}

fn raw_scripts() -> Vec<Script> {
    let dir = support::tests_dir().join("transcripts").join("scripts");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {}", dir.display(), e))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "cli"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| Script {
            name: p.display().to_string(),
            chunks: vec![(std::fs::read(&p).expect("reading script"), 0)],
            expected_tty: None,
        })
        .collect()
}

/// Runs a CLI with the script on stdin, typed chunk by chunk; returns stdout
/// and stderr.
fn run_cli(program: &str, args: &[String], script: &Script) -> (Vec<u8>, Vec<u8>) {
    let mut child = spawn_cli(program, args);
    let mut stdin = child.stdin.take().expect("stdin");
    let chunks = script.chunks.clone();
    let writer = std::thread::spawn(move || {
        for (bytes, pause_ms) in chunks {
            // A CLI that exits early (quit) closes the pipe; that is not an error.
            if stdin.write_all(&bytes).and_then(|_| stdin.flush()).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(pause_ms));
        }
    });
    let output = child.wait_with_output().expect("waiting for CLI");
    writer.join().expect("stdin writer");
    (output.stdout, output.stderr)
}

/// Scripts on which redplay-cli is known to differ from redis-cli, with why.
/// Strict: such a script must still differ, so a fix fails here until its row
/// is removed — the list never goes stale.
const KNOWN_DIVERGENT: &[(&str, &str)] = &[
    (
        "quit-repeat.cli",
        "`2 quit` is not redis-cli's quit: it sends QUIT to the server (OK, then \
         `Error: Server closed the connection` on stderr when the second QUIT finds the \
         socket closed — a race in redis-cli itself), reconnects and goes on",
    ),
];

fn known_divergence(script: &Script) -> Option<&'static str> {
    KNOWN_DIVERGENT.iter().find(|(name, _)| script.name.ends_with(&format!("/{}", name))).map(|&(_, why)| why)
}

fn compare_clis(scripts: &[Script], tty: bool) -> Vec<String> {
    let server = RedisServer::start();
    let mode = if tty { "--no-raw" } else { "raw" };
    let mut real_args = vec!["-p".to_string(), server.port.to_string()];
    let mut ours_args = Vec::new();
    if tty {
        real_args.push("--no-raw".into());
        ours_args.push("--no-raw".to_string());
    }
    let mut failures = Vec::new();
    for script in scripts {
        server.reset();
        // Both CLIs run at once: the paced scripts take as long as their sleeps.
        let ours = std::thread::scope(|s| {
            let ours = s.spawn(|| run_cli(env!("CARGO_BIN_EXE_redplay-cli"), &ours_args, script));
            let real = run_cli(CLI_BIN, &real_args, script);
            (real, ours.join().expect("redplay-cli thread"))
        });
        let ((real_out, real_err), (our_out, our_err)) = ours;
        if let (true, Some(expected)) = (tty, &script.expected_tty) {
            if real_out != *expected {
                failures.push(format!(
                    "{} [{}]: redis-cli itself does not print the transcript's expected text (re-bless?)\n{}",
                    script.name,
                    mode,
                    text::diff(expected, &real_out)
                ));
            }
        }
        if let Some(why) = known_divergence(script) {
            if real_out == our_out && real_err == our_err {
                failures.push(format!(
                    "{} [{}] now matches redis-cli: remove it from KNOWN_DIVERGENT (it was: {})",
                    script.name, mode, why
                ));
            }
            continue;
        }
        for (what, real, ours) in [("stdout", &real_out, &our_out), ("stderr", &real_err, &our_err)] {
            if real != ours {
                failures.push(format!(
                    "{} [{}] {}: redplay-cli (+) differs from redis-cli (-)\n{}",
                    script.name,
                    mode,
                    what,
                    text::diff(real, ours)
                ));
            }
        }
    }
    failures
}

fn all_scripts() -> Vec<Script> {
    let mut scripts = transcript_scripts();
    assert!(!scripts.is_empty(), "no single-client transcripts found");
    let raw = raw_scripts();
    assert!(!raw.is_empty(), "no scripts found in tests/transcripts/scripts");
    scripts.extend(raw);
    scripts
}

fn assert_no_failures(failures: Vec<String>) {
    assert!(failures.is_empty(), "{} CLI mismatch(es):\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn terminal_form_matches_redis_cli() {
    assert_no_failures(compare_clis(&all_scripts(), true));
}

#[test]
fn raw_form_matches_redis_cli() {
    assert_no_failures(compare_clis(&all_scripts(), false));
}

/// The comparison must be able to fail: a script whose expected text is wrong
/// is reported, with the differing line.
#[test]
fn a_wrong_expectation_is_reported() {
    let t = Transcript::parse(Path::new("inline.txt"), b"> ECHO hi\n\"hello\"\n").unwrap();
    let script = Script {
        name: "inline.txt".into(),
        chunks: vec![(b"ECHO hi\n".to_vec(), 0)],
        expected_tty: Some(t.steps[0].expected.clone()),
    };
    let failures = compare_clis(&[script], true);
    assert_eq!(failures.len(), 1, "{:#?}", failures);
    assert!(failures[0].contains("-\"hello\"") && failures[0].contains("+\"hi\""), "{}", failures[0]);
}
