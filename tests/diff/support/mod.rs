//! Shared machinery of the differential test binaries (`transcripts`,
//! `cli_contract`, `differential`), compiled into each of them.
//!
//! # Layout
//! - [`server`]: a private `redis-server` on a free loopback port, killed on drop.
//! - [`cluster`]: a private real Redis Cluster on ports 7200-7299, killed on drop.
//! - [`resp`]: a minimal RESP client that reads replies into core's `Reply`.
//! - [`transcript`]: the transcript format, its replay against core and against
//!   the real server, and bless mode.
//! - [`normalise`]: client ids, socket details and INFO fields made comparable.
//! - [`text`]: readable diffs of expected vs actual output.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

pub mod cluster;
pub mod normalise;
pub mod resp;
pub mod server;
pub mod text;
pub mod transcript;

use std::path::PathBuf;

/// The repository's `tests/` directory (the tests are declared in `cli/`).
pub fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("tests")
}

/// Wall-clock time in ms since the Unix epoch: the time the real server sees.
pub fn wall_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("system clock before 1970")
        .as_millis() as u64
}
