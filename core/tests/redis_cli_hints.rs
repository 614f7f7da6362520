//! The grey hints redis-cli 7.0.15 showed after typing each command's name
//! and a space (and a few longer lines), recorded from a pty against a real
//! server: `typed<TAB>hint` per line in `redis_cli_hints.txt`. redis-cli builds
//! them from COMMAND DOCS, so this checks the argument trees end to end.

#[test]
fn hints_match_recorded_redis_cli() {
    let mut differences = Vec::new();
    let recorded = include_str!("redis_cli_hints.txt");
    for line in recorded.lines() {
        let (typed, expected) = line.split_once('\t').expect("typed<TAB>hint");
        let got = redplay_core::repl::hint(typed.as_bytes()).unwrap_or_default();
        if got != expected {
            differences.push(format!("{typed:?}\n  redis-cli: {expected:?}\n  redplay:   {got:?}"));
        }
    }
    assert!(recorded.lines().count() > 150);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
