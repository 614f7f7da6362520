//! Strings: SET, GET, INCR and MSET over 100,000 keys, as redis-benchmark's
//! built-in tests run them with `-r 100000`.

use crate::harness::{Batches, RedisRun, Table, Workload};

const OPS: u64 = 1_000_000;

/// Keys are drawn from 100,000 names, like `redis-benchmark -r 100000`.
const KEYSPACE: u64 = 100_000;

fn key(i: u64) -> Vec<u8> {
    format!("key:{:012}", (i.wrapping_mul(2_654_435_761)) % KEYSPACE).into_bytes()
}

fn builtin(test: &str) -> RedisRun {
    RedisRun::Benchmark(vec!["-r".into(), KEYSPACE.to_string(), "-t".into(), test.into()])
}

pub fn table() -> Table {
    let workloads = vec![
        Workload::new("SET", OPS, Batches::of_ops(OPS, |i| vec![b"SET".to_vec(), key(i), b"xxx".to_vec()]), builtin("set")),
        Workload::new("GET", OPS, Batches::of_ops(OPS, |i| vec![b"GET".to_vec(), key(i)]), builtin("get")),
        Workload::new("INCR", OPS, Batches::of_ops(OPS, |i| vec![b"INCR".to_vec(), key(i)]), builtin("incr")),
        Workload::new(
            "MSET (10 keys)",
            OPS,
            Batches::of_ops(OPS, |i| {
                let mut argv = vec![b"MSET".to_vec()];
                for k in 0..10 {
                    argv.push(key(i * 10 + k));
                    argv.push(b"xxx".to_vec());
                }
                argv
            }),
            builtin("mset"),
        ),
    ];
    Table {
        title: format!("strings: {OPS} ops each, keys from {KEYSPACE}"),
        workloads,
        targets: vec!["native >= 3x and wasm under Node >= 1x redis-server's pipelined ops/s".into()],
    }
}
