//! Replays every transcript in `tests/transcripts/*.txt` against a fresh core
//! node and against the real redis-server; both must print exactly the
//! expected text. `REDPLAY_BLESS=1` first rewrites each file's expected text
//! from the real server (review the diff before committing it).
//!
//! The format is documented in `support/transcript.rs`.

mod support;

use std::path::Path;

use support::server::RedisServer;
use support::transcript::{check, files_in, replay_core, replay_real, Action, Reading, Transcript};
use support::{tests_dir, wall_ms};

/// Steps where core is known to differ from Redis, reported and awaiting a fix
/// in `core/src`: (file, the step as written, why). Every step of that file
/// written exactly so may differ on core (never on the real server). Strict:
/// each entry must still differ somewhere, so a fix fails this test until its
/// row is removed — the list never goes stale.
const KNOWN_DIVERGENT: &[(&str, &str, &str)] = &[];

fn known_divergent(file: &Path, step: &str) -> bool {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    KNOWN_DIVERGENT.iter().any(|(f, s, _)| *f == name && *s == step)
}

fn blessing() -> bool {
    std::env::var_os("REDPLAY_BLESS").is_some_and(|v| v != "0" && !v.is_empty())
}

#[test]
fn every_transcript_matches_core_and_redis() {
    let dir = tests_dir().join("transcripts");
    let files = files_in(&dir);
    assert!(!files.is_empty(), "no transcripts found in {}", dir.display());
    let server = RedisServer::start();
    let mut failures = Vec::new();
    let mut diverged: Vec<(std::path::PathBuf, String)> = Vec::new();
    for path in &files {
        let mut transcript = match Transcript::load(path) {
            Ok(t) => t,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        if blessing() {
            let replay = replay_real(&transcript, &server, Reading::Discover);
            let blessed = transcript.blessed(&replay.outputs);
            std::fs::write(path, &blessed).expect("writing blessed transcript");
            eprintln!("blessed {}", path.display());
            transcript = Transcript::parse(path, &blessed).expect("re-reading blessed transcript");
        }
        failures.extend(check(&transcript, &replay_real(&transcript, &server, Reading::AsExpected), "redis-server"));
        let mut core_replay = replay_core(&transcript, wall_ms());
        // Known divergences are recorded, then taken as matching.
        for (step, got) in transcript.steps.iter().zip(core_replay.outputs.iter_mut()) {
            if *got != step.expected && known_divergent(path, &step.label()) {
                diverged.push((path.clone(), step.label()));
                *got = step.expected.clone();
            }
        }
        failures.extend(check(&transcript, &core_replay, "core"));
    }
    for (file, step, why) in KNOWN_DIVERGENT {
        if !diverged.iter().any(|(path, label)| path.ends_with(file) && label == step) {
            failures.push(format!("fixed? `{}` in {} now matches on core: remove it from KNOWN_DIVERGENT ({})", step, file, why));
        }
    }
    assert!(
        failures.is_empty(),
        "{} transcript mismatch(es) in {} file(s):\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

/// The checks must be able to fail: a wrong expected line is reported against
/// both sides, and output nobody asked for is reported too.
#[test]
fn a_wrong_expectation_is_reported_against_both_sides() {
    let server = RedisServer::start();
    let source = b"> SET k v\nOK\n> GET k\n\"not v\"\n";
    let t = Transcript::parse(Path::new("inline.txt"), source).unwrap();
    let real = check(&t, &replay_real(&t, &server, Reading::AsExpected), "redis-server");
    let core = check(&t, &replay_core(&t, wall_ms()), "core");
    for failures in [&real, &core] {
        assert_eq!(failures.len(), 1, "{:#?}", failures);
        assert!(failures[0].contains("inline.txt:3") && failures[0].contains("+\"v\""), "{}", failures[0]);
    }

    // No output lines after a command (it should block) but it does reply.
    let t = Transcript::parse(Path::new("inline.txt"), b"> PING\n").unwrap();
    for (side, replay) in [("redis-server", replay_real(&t, &server, Reading::AsExpected)), ("core", replay_core(&t, wall_ms()))] {
        let failures = check(&t, &replay, side);
        assert!(failures.len() == 1 && failures[0].contains("+PONG"), "{}: {:#?}", side, failures);
    }

    // Output arriving for a client after its step is reported as unchecked.
    let t = Transcript::parse(Path::new("inline.txt"), b"> PING\n").unwrap();
    let mut replay = replay_core(&t, wall_ms());
    replay.outputs[0].clear();
    replay.leftover.push((String::new(), b"PONG\n".to_vec()));
    let failures = check(&t, &replay, "core");
    assert!(failures.len() == 1 && failures[0].contains("never checked"), "{:#?}", failures);
}

#[test]
fn multi_client_steps_use_separate_connections() {
    let server = RedisServer::start();
    let source = b"alice> SET shared 1\nOK\nbob> GET shared\n\"1\"\nalice<\nbob<\n";
    let t = Transcript::parse(Path::new("inline.txt"), source).unwrap();
    assert_eq!(t.clients(), ["alice", "bob"]);
    assert!(!t.is_single_client());
    for (side, replay) in [("redis-server", replay_real(&t, &server, Reading::AsExpected)), ("core", replay_core(&t, wall_ms()))] {
        assert_eq!(check(&t, &replay, side), Vec::<String>::new());
    }
}

#[test]
fn parsing_the_format() {
    let source = b"# a comment\n\n> ECHO \"a b\"\n\"a b\"\nsleep 250\nbob> PING\nPONG\nbob<\n> \n> ECHO x\n\\# not a comment\n\\\n\\\\x\n";
    let t = Transcript::parse(Path::new("p.txt"), source).unwrap();
    let summary: Vec<(usize, &str, Action, &[u8])> =
        t.steps.iter().map(|s| (s.line_no, s.client.as_str(), s.action.clone(), s.expected.as_slice())).collect();
    let expected: Vec<(usize, &str, Action, &[u8])> = vec![
        (3, "", Action::Command(b"ECHO \"a b\"".to_vec()), b"\"a b\"\n"),
        (5, "", Action::Sleep(250), b""),
        (6, "bob", Action::Command(b"PING".to_vec()), b"PONG\n"),
        (8, "bob", Action::Receive, b""),
        (9, "", Action::Command(b"".to_vec()), b""),
        (10, "", Action::Command(b"ECHO x".to_vec()), b"# not a comment\n\n\\x\n"),
    ];
    assert_eq!(summary, expected);
    // Blessing with the same outputs reproduces the file (minus nothing).
    let outputs: Vec<Vec<u8>> = t.steps.iter().map(|s| s.expected.clone()).collect();
    assert_eq!(String::from_utf8_lossy(&t.blessed(&outputs)), String::from_utf8_lossy(source));
}

#[test]
fn refusing_what_transcripts_cannot_express() {
    let cases: &[(&[u8], &str)] = &[
        (b"OK\n", "output line before any"),
        (b"> 3 PING\nPONG\n", "repeat count"),
        (b"> quit\n", "built-in"),
        (b"> \"\" arg\n", "repeat count"),
        (b"> \" 2\" PING\n", "repeat count"),
        (b"> \"\\x00x\" PING\n", "repeat count"),
        (b"> \"7\\x00x\" PING\n", "repeat count"),
        (b"sleep 10\nOK\n", "prints nothing"),
    ];
    for (source, message) in cases {
        match Transcript::parse(Path::new("bad.txt"), source) {
            Ok(_) => panic!("accepted {:?}", String::from_utf8_lossy(source)),
            Err(e) => assert!(e.contains(message), "{:?}: {}", String::from_utf8_lossy(source), e),
        }
    }
}

/// Without the oracle the suite fails loudly, pointing at the setup step.
#[test]
fn a_missing_redis_server_fails_with_directions() {
    let outcome = std::panic::catch_unwind(|| RedisServer::start_program("redis-server-not-installed"));
    let message = outcome.err().and_then(|e| e.downcast::<String>().ok()).expect("start must panic");
    assert!(message.contains("not found") && message.contains("make setup"), "{}", message);
}
