//! Lists: LPUSH, RPOP and LRANGE 0 99 throughput; RPOPLPUSH and LRANGE at
//! 1,000 and at 1,000,000 elements; bytes per element of a million 16-byte
//! values next to redis-server's MEMORY USAGE.

use crate::harness::{Batches, MemoryCheck, RedisRun, Table, Workload};

/// The pushed value (16 bytes, the size the memory comparison uses).
const VALUE: &str = "vvvvvvvvvvvvvvvv";

/// A list `q` of `n` distinct 16-byte values, pushed 1,000 per command.
fn loaded(n: u64) -> Batches {
    let mut batches = Batches::default();
    let mut start = 0;
    while start < n {
        let mut argv = vec!["RPUSH".to_string(), "q".to_string()];
        argv.extend((start..(start + 1000).min(n)).map(|i| format!("{i:016}")));
        batches.push(&argv);
        start += 1000;
    }
    batches
}

fn argv(words: &[&str]) -> Vec<Vec<u8>> {
    words.iter().map(|w| w.as_bytes().to_vec()).collect()
}

fn bench(words: &[&str]) -> RedisRun {
    RedisRun::Benchmark(words.iter().map(|w| w.to_string()).collect())
}

/// `ops` times the same command, on redplay and through redis-benchmark.
fn repeated(name: &str, ops: u64, words: &'static [&'static str]) -> Workload {
    Workload::new(name, ops, Batches::of_ops(ops, |_| argv(words)), bench(words))
}

pub fn tables() -> Vec<Table> {
    const OPS: u64 = 1_000_000;
    // LRANGE runs 100 elements per op: 100,000 ops keep the timed part long
    // enough (a quarter second or more) for the @1M vs @1k comparison.
    const RANGE_OPS: u64 = 100_000;
    let throughput = Table {
        title: format!("lists: LPUSH/RPOP {OPS} ops, LRANGE {RANGE_OPS} ops on a 1,000-element list"),
        workloads: vec![
            repeated("LPUSH q <16 B>", OPS, &["LPUSH", "q", VALUE]),
            repeated("RPOP q", OPS, &["RPOP", "q"]).with_setup(loaded(OPS)),
            repeated("LRANGE q 0 99", RANGE_OPS, &["LRANGE", "q", "0", "99"]).with_setup(loaded(1000)),
        ],
        targets: vec!["native >= 3x and wasm under Node >= 1x redis-server's pipelined ops/s".into()],
    };
    const SIZE_OPS: u64 = 300_000;
    let mut workloads = Vec::new();
    for (label, size) in [("1k", 1_000u64), ("1M", 1_000_000)] {
        let mut rotate = repeated(&format!("RPOPLPUSH q q @{label}"), SIZE_OPS, &["RPOPLPUSH", "q", "q"]).with_setup(loaded(size));
        if size == 1_000_000 {
            rotate = rotate.with_memory(MemoryCheck { elements: size, key: "q" });
        }
        workloads.push(rotate);
        workloads.push(repeated(&format!("LRANGE q 0 99 @{label}"), RANGE_OPS, &["LRANGE", "q", "0", "99"]).with_setup(loaded(size)));
    }
    let by_size = Table {
        title: format!("lists at 1,000 (@1k) and 1,000,000 (@1M) elements of 16 bytes; {SIZE_OPS} RPOPLPUSH, {RANGE_OPS} LRANGE"),
        workloads,
        targets: vec![
            "ops/s @1M within 20% of @1k".into(),
            "bytes per element <= redis-server's MEMORY USAGE per element (18.1 B measured on this machine)".into(),
        ],
    };
    vec![throughput, by_size]
}
