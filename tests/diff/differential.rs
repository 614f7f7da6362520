//! Seeded random differential testing: the same random command sequence runs
//! on core and on a private redis-server over one connection, and every reply
//! must be the same protocol value. See `fuzz/mod.rs` for the families and
//! for how to add one.
//!
//! `REDPLAY_FUZZ_COUNT` sets the number of commands (default 100,000 across
//! all families), `REDPLAY_FUZZ_SEED` fixes the seed (decimal or 0x-hex); the
//! seed is always printed. On a divergence the test prints the seed, the first
//! differing command and a shrunk sequence that still diverges, as redis-cli
//! lines ready to paste into a transcript.

mod fuzz;
mod support;

use std::time::Duration;

use fuzz::session::{compare_session, generate_session, render_session_step, shrink_session, CoreSession, RealSession};
use fuzz::{compare, describe, env_number, generate, render, render_step, seed, shrink, Command, CoreEngine, Engine, RedisEngine, FAMILIES, SESSION_FAMILIES};
use redplay_core::Reply;
use support::server::RedisServer;

const DEFAULT_COUNT: usize = 100_000;

/// Steps per session family by default (`REDPLAY_SESSION_COUNT`).
const DEFAULT_SESSION_COUNT: usize = 20_000;

fn show(replies: &[Reply]) -> String {
    match replies {
        [] => "(no reply)".into(),
        [one] => describe(one),
        many => format!("{} replies: {}", many.len(), many.iter().map(describe).collect::<Vec<_>>().join(" ")),
    }
}

#[test]
fn core_matches_redis_on_random_commands() {
    let seed = seed();
    let count = env_number("REDPLAY_FUZZ_COUNT").map_or(DEFAULT_COUNT, |n| n as usize);
    let reproduce = format!("REDPLAY_FUZZ_SEED={} REDPLAY_FUZZ_COUNT={}", seed, count);
    eprintln!("differential: seed {} ({})", seed, reproduce);
    let commands = generate(seed, count, FAMILIES);
    let server = RedisServer::start();
    let mut core = CoreEngine::new();
    let mut real = RedisEngine::new(&server);
    let mut tally = vec![(0, 0); FAMILIES.len()];
    if let Err(d) = compare(&commands, FAMILIES, &mut core, &mut real, &mut tally) {
        let failing = commands[..=d.index].to_vec();
        let shrunk = shrink(failing, FAMILIES, &mut core, &mut real, Duration::from_secs(30));
        // Replay the shrunk sequence once more to show its own divergence.
        core.reset();
        real.reset();
        let mut scratch = vec![(0, 0); FAMILIES.len()];
        let last = compare(&shrunk, FAMILIES, &mut core, &mut real, &mut scratch).err();
        let lines: Vec<String> = shrunk.iter().map(render_step).collect();
        panic!(
            "core diverged from redis-server (seed {seed}; rerun with {reproduce})\n\
             first divergence: command #{} `{}`\n  core: {}\n  real: {}\n\n\
             shrunk to {} command(s) that still diverge{}:\n{}\n",
            d.index,
            render_step(&d.drawn),
            show(&d.core),
            show(&d.real),
            shrunk.len(),
            last.map_or(String::from(" (flaky: the shrunk sequence passed on replay)"), |l| format!(
                " (at `{}`:\n  core: {}\n  real: {})",
                render_step(&l.drawn),
                show(&l.core),
                show(&l.real)
            )),
            lines.join("\n")
        );
    }
    let summary: Vec<String> =
        FAMILIES.iter().zip(&tally).map(|(f, (errors, ok))| format!("{}: {} ok, {} errors", f.name, ok, errors)).collect();
    eprintln!("differential: {} commands agreed ({})", count, summary.join("; "));
    assert_eq!(tally.iter().map(|(e, o)| e + o).sum::<usize>(), count, "every command compared");
    // A generator that only produces errors (or never does) tests little.
    if count >= 10_000 {
        for (family, (errors, ok)) in FAMILIES.iter().zip(&tally) {
            assert!(*errors > 0 && *ok > 0, "family {} produced {} ok / {} error replies", family.name, ok, errors);
        }
    }
}

#[test]
fn generation_is_reproducible_from_the_seed() {
    assert_eq!(generate(7, 500, FAMILIES), generate(7, 500, FAMILIES));
    assert_ne!(generate(7, 500, FAMILIES), generate(8, 500, FAMILIES));
    let counts = generate(1, 10_000, FAMILIES).iter().fold(vec![0; FAMILIES.len()], |mut acc, d| {
        acc[d.family] += 1;
        acc
    });
    assert!(counts.iter().all(|&n| n > 500), "every family is drawn: {:?}", counts);
}

/// Core with one planted bug: `GET` of a value longer than 100 bytes answers
/// nil. The harness must catch it and shrink it to the two commands it needs.
struct PlantedBug(CoreEngine);

impl Engine for PlantedBug {
    fn reset(&mut self) {
        self.0.reset();
    }

    fn run(&mut self, commands: &[(usize, &Command)], now_ms: u64) -> Vec<Vec<Reply>> {
        let mut replies = self.0.run(commands, now_ms);
        for ((_, command), reply) in commands.iter().zip(&mut replies) {
            let long = matches!(reply.as_slice(), [Reply::Bulk(v)] if v.len() > 100);
            if command[0].eq_ignore_ascii_case(b"get") && long {
                *reply = vec![Reply::Nil];
            }
        }
        replies
    }
}

#[test]
fn a_planted_bug_is_found_and_shrunk() {
    let commands = generate(42, 5_000, FAMILIES);
    let mut tally = vec![(0, 0); FAMILIES.len()];
    let (mut good, mut bad) = (CoreEngine::new(), PlantedBug(CoreEngine::new()));
    let divergence = compare(&commands, FAMILIES, &mut bad, &mut good, &mut tally).expect_err("the planted bug is found");
    assert!(
        divergence.drawn.command[0].eq_ignore_ascii_case(b"get"),
        "{}: {:?} vs {:?}",
        render_step(&divergence.drawn),
        divergence.core,
        divergence.real
    );
    let shrunk = shrink(commands[..=divergence.index].to_vec(), FAMILIES, &mut bad, &mut good, Duration::from_secs(30));
    let lines: Vec<String> = shrunk.iter().map(render_step).collect();
    assert_eq!(shrunk.len(), 2, "{:#?}", lines);
    // Some write of a long value (SET, SETEX, MSET, APPEND...), then the GET.
    assert!(shrunk[1].command[0].eq_ignore_ascii_case(b"get") && !shrunk[0].command[0].eq_ignore_ascii_case(b"get"), "{:#?}", lines);
}

#[test]
fn rendered_commands_read_back_identically() {
    for drawn in generate(3, 2_000, FAMILIES) {
        let line = render(&drawn.command);
        assert_eq!(redplay_core::cli::split_args(line.as_bytes()), Some(drawn.command), "{}", line);
    }
}

/// One session family against the real server (see `fuzz/session.rs`).
fn session_family_matches_redis(name: &str) {
    let (index, family) = SESSION_FAMILIES.iter().enumerate().find(|(_, f)| f.name == name).expect("a session family");
    let seed = seed();
    let count = env_number("REDPLAY_SESSION_COUNT").map_or(DEFAULT_SESSION_COUNT, |n| n as usize);
    let reproduce = format!("REDPLAY_FUZZ_SEED={} REDPLAY_SESSION_COUNT={}", seed, count);
    eprintln!("{} sessions: seed {} ({})", name, seed, reproduce);
    let steps = generate_session(seed, count, family, index);
    let server = RedisServer::start();
    let mut core = CoreSession::new();
    let mut real = RealSession::new(&server);
    let started = std::time::Instant::now();
    match compare_session(&steps, family, &mut core, &mut real) {
        Ok(tally) => {
            assert_eq!(tally.compared + tally.skipped, count, "every step compared or skipped");
            assert!(tally.skipped * 4 < count, "{} of {} steps skipped: the generator sends too much to blocked clients", tally.skipped, count);
            eprintln!(
                "{} sessions: {} steps agreed ({} skipped; {} blocked, {} woken) in {:?}",
                name,
                tally.compared,
                tally.skipped,
                tally.blocks,
                tally.wakes,
                started.elapsed()
            );
        }
        Err(d) => {
            let first = d.describe();
            let shrunk = shrink_session(steps[..=d.index].to_vec(), &d, family, &mut core, &mut real, Duration::from_secs(60));
            core = CoreSession::new();
            real.reset();
            let last = compare_session(&shrunk, family, &mut core, &mut real).err();
            let lines: Vec<String> = shrunk.iter().map(render_session_step).collect();
            panic!(
                "{name} sessions: core diverged from redis-server (seed {seed}; rerun with {reproduce})\n\
                 first divergence: {first}\n\n\
                 shrunk to {} step(s) that still diverge{}:\n{}\n",
                shrunk.len(),
                last.map_or(String::from(" (flaky: the shrunk sequence passed on replay)"), |l| format!(" ({})", l.describe())),
                lines.join("\n")
            );
        }
    }
}

#[test]
fn lists_sessions_match_redis() {
    session_family_matches_redis("lists");
}

#[test]
fn session_generation_is_reproducible_and_renders_back() {
    for (index, family) in SESSION_FAMILIES.iter().enumerate() {
        let steps = generate_session(5, 3_000, family, index);
        assert_eq!(steps, generate_session(5, 3_000, family, index), "{}", family.name);
        assert_ne!(steps, generate_session(6, 3_000, family, index), "{}", family.name);
        for step in &steps {
            if let fuzz::session::Action::Cmd(command) = &step.action {
                let line = render(command);
                assert_eq!(redplay_core::cli::split_args(line.as_bytes()).as_ref(), Some(command), "{}", line);
            }
        }
    }
}

#[test]
fn streams_sessions_match_redis() {
    session_family_matches_redis("streams");
}

#[test]
fn pubsub_sessions_match_redis() {
    session_family_matches_redis("pubsub");
}

/// Prints a session's steps: `REDPLAY_FUZZ_SEED=.. REDPLAY_SESSION_FAMILY=streams
/// REDPLAY_SESSION_COUNT=.. cargo test --test differential print_session -- --ignored --nocapture`.
#[test]
#[ignore]
fn print_session() {
    let name = std::env::var("REDPLAY_SESSION_FAMILY").unwrap_or_else(|_| "lists".into());
    let (index, family) = SESSION_FAMILIES.iter().enumerate().find(|(_, f)| f.name == name).expect("a session family");
    let count = env_number("REDPLAY_SESSION_COUNT").map_or(DEFAULT_SESSION_COUNT, |n| n as usize);
    for (i, step) in generate_session(seed(), count, family, index).iter().enumerate() {
        println!("#{} {}", i, render_session_step(step));
    }
}
