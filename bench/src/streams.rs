//! Streams: XADD, XRANGE COUNT 100 and XREADGROUP + XACK throughput; XADD
//! and XRANGE at 1,000 and at 1,000,000 entries; bytes per entry of a
//! million `user u123 action click n 42` entries next to MEMORY USAGE.

use crate::harness::{Batches, MemoryCheck, RedisRun, Table, Workload};

const FIELDS: [&str; 6] = ["user", "u123", "action", "click", "n", "42"];

/// A stream `s` of `n` entries with IDs 1-0, 2-0, ... n-0.
fn loaded(n: u64) -> Batches {
    let mut batches = Batches::default();
    for i in 0..n {
        let id = format!("{}-0", i + 1);
        let mut argv = vec!["XADD", "s", id.as_str()];
        argv.extend(FIELDS);
        batches.push(&argv);
    }
    batches
}

fn words(list: &[&str]) -> Vec<Vec<u8>> {
    list.iter().map(|w| w.as_bytes().to_vec()).collect()
}

fn xadd(name: &str, ops: u64) -> Workload {
    let mut argv = vec!["XADD", "s", "*"];
    argv.extend(FIELDS);
    let redis = RedisRun::Benchmark(argv.iter().map(|w| w.to_string()).collect());
    Workload::new(name, ops, Batches::of_ops(ops, move |_| words(&argv)), redis)
}

/// `XRANGE s <start> + COUNT 100` from a pseudo-random start among the
/// first `size - 100` entries, so every call returns 100 entries whatever
/// the size (drawing among all `size` would return 95 on average at 1,000
/// and 100 at 1,000,000). redis-benchmark's `-r` and `__rand_int__` draw the
/// start the same way.
fn xrange_random(name: &str, ops: u64, size: u64) -> Workload {
    let starts = size - 100;
    let timed = Batches::of_ops(ops, |i| {
        let start = format!("{:012}", i.wrapping_mul(2_654_435_761) % starts);
        words(&["XRANGE", "s", &start, "+", "COUNT", "100"])
    });
    let args = ["-r", &starts.to_string(), "XRANGE", "s", "__rand_int__", "+", "COUNT", "100"].map(String::from).to_vec();
    Workload::new(name, ops, timed, RedisRun::Benchmark(args)).with_setup(loaded(size))
}

pub fn tables() -> Vec<Table> {
    const OPS: u64 = 500_000;
    const RANGE_OPS: u64 = 20_000;
    const GROUP_OPS: u64 = 300_000;
    let mut group_setup = loaded(GROUP_OPS);
    group_setup.push(&["XGROUP", "CREATE", "s", "g", "0"]);
    let group = Workload::new(
        "XREADGROUP+XACK (pair)",
        GROUP_OPS,
        Batches::of_multi_ops(GROUP_OPS, 2, |i| {
            vec![
                words(&["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"]),
                words(&["XACK", "s", "g", &format!("{}-0", i + 1)]),
            ]
        }),
        RedisRun::Pipeline,
    )
    .with_setup(group_setup);
    let range = Workload::new(
        "XRANGE s - + COUNT 100",
        RANGE_OPS,
        Batches::of_ops(RANGE_OPS, |_| words(&["XRANGE", "s", "-", "+", "COUNT", "100"])),
        RedisRun::Benchmark(["XRANGE", "s", "-", "+", "COUNT", "100"].map(String::from).to_vec()),
    )
    .with_setup(loaded(10_000));
    let throughput = Table {
        title: format!(
            "streams: XADD {OPS} ops, XRANGE {RANGE_OPS} on 10,000 entries, {GROUP_OPS} XREADGROUP COUNT 1 + XACK pairs \
             (redis: one pipelined connection, not redis-benchmark)"
        ),
        workloads: vec![xadd("XADD s * (3 fields)", OPS), range, group],
        targets: vec!["native >= 3x and wasm under Node >= 1x redis-server's pipelined ops/s".into()],
    };
    const SIZE_OPS: u64 = 200_000;
    let mut workloads = Vec::new();
    for (label, size) in [("1k", 1_000u64), ("1M", 1_000_000)] {
        let mut add = xadd(&format!("XADD s * @{label}"), SIZE_OPS).with_setup(loaded(size));
        if size == 1_000_000 {
            add = add.with_memory(MemoryCheck { elements: size, key: "s" });
        }
        workloads.push(add);
        workloads.push(xrange_random(&format!("XRANGE s <rand> + COUNT 100 @{label}"), RANGE_OPS, size));
    }
    let by_size = Table {
        title: format!("streams at 1,000 (@1k) and 1,000,000 (@1M) entries; {SIZE_OPS} XADD, {RANGE_OPS} XRANGE"),
        workloads,
        targets: vec![
            "ops/s @1M within 20% of @1k".into(),
            "bytes per entry <= redis-server's MEMORY USAGE per entry (36.1 B measured on this machine)".into(),
        ],
    };
    vec![throughput, by_size]
}

#[cfg(test)]
mod tests {
    use super::*;
    use redplay_core::session::Session;
    use redplay_core::Node;

    /// Every random XRANGE returns its full 100 entries, at the smallest size
    /// too, so the @1k and @1M rows do the same work per call.
    #[test]
    fn random_ranges_return_a_full_count() {
        let ops = 2_000;
        let workload = xrange_random("XRANGE @1k", ops, 1_000);
        let mut node = Node::new();
        let mut session = Session::open(&mut node, 0);
        for batch in &workload.setup.batches {
            session.feed(&mut node, batch, 1);
        }
        let mut out = Vec::new();
        for batch in &workload.timed.batches {
            out.extend(session.feed(&mut node, batch, 2));
        }
        // A reply is an array of 100 entries, each its ID and a `*6` array of
        // field and value bulks.
        let text = String::from_utf8_lossy(&out);
        assert_eq!(text.matches("*100\r\n").count() as u64, ops);
        assert_eq!(text.matches("*6\r\n").count() as u64, ops * 100);
        // redis-benchmark draws among the same starts.
        assert!(matches!(&workload.redis, RedisRun::Benchmark(args) if args.join(" ") == "-r 900 XRANGE s __rand_int__ + COUNT 100"));
    }
}
