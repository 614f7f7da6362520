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

use fuzz::{compare, describe, generate, render, render_step, shrink, Command, CoreEngine, Engine, RedisEngine, FAMILIES};
use redplay_core::Reply;
use support::server::RedisServer;

const DEFAULT_COUNT: usize = 100_000;

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{}={:?} is not a number", name, text)))
}

fn seed() -> u64 {
    env_number("REDPLAY_FUZZ_SEED").unwrap_or_else(|| {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
        nanos ^ ((std::process::id() as u64) << 32)
    })
}

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
