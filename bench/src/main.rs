//! `make bench`: runs the same workloads on redplay's engine in-process
//! (native), on the wasm build under Node, and on a private redis-server,
//! then prints ops/s side by side, one table per command family.
//!
//! Numbers are printed, never asserted: timing belongs in benchmarks, not tests.
//!
//! # Layout
//! - `harness`: workloads, the native and wasm runners, table printing.
//! - `redis`: the redis-server process, its pipelined client, redis-benchmark.
//! - `strings`, `lists`, `streams`, `pubsub`: the tables of each family.
//! - `server`: redplay's RESP server (`npx redplay serve`) vs redis-server.
//! - `cluster`: cluster creation, key routing and bus costs (`redplay-bench cluster`).
//!
//! `redplay-bench --native WORKLOAD [REPEAT]` runs one native workload alone
//! (for profilers); `redplay-bench TABLE...` runs only the named tables.

mod cluster;
mod harness;
mod lists;
mod pubsub;
mod redis;
mod server;
mod streams;
mod strings;

use harness::{run_native, HeapCounter, Table};

#[global_allocator]
static ALLOCATOR: HeapCounter = HeapCounter;

/// Every table, by the name that selects it on the command line.
fn tables() -> Vec<(&'static str, Box<dyn Fn() -> Vec<Table>>)> {
    vec![
        ("strings", Box::new(|| vec![strings::table()])),
        ("lists", Box::new(lists::tables)),
        ("streams", Box::new(streams::tables)),
        ("pubsub", Box::new(|| pubsub::tables(pubsub_capacity()))),
    ]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, name, rest @ ..] = args.as_slice() {
        if flag == "--native" {
            // An optional repeat count keeps profiles dominated by the timed part.
            let repeat: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(1);
            for (_, build) in tables() {
                for table in build() {
                    for workload in table.workloads.iter().filter(|w| w.name == *name) {
                        for _ in 0..repeat {
                            let run = run_native(workload);
                            let cpu = run.cpu_ops.map_or_else(String::new, |ops| format!(" ({ops:.0} per CPU second)"));
                            println!("{} native: {:.0} ops/s{cpu}", workload.name, run.ops);
                        }
                    }
                }
            }
            return;
        }
    }
    let selected: Vec<_> = tables().into_iter().filter(|(name, _)| args.is_empty() || args.iter().any(|a| a == name)).collect();
    let max_subscribers = pubsub_capacity();
    let mut redis = redis::Redis::start(max_subscribers);
    if redis.is_none() {
        eprintln!("redis-server could not be started; its column stays empty");
    }
    println!("redplay benchmark: native = core in-process through RESP sessions, wasm = the wasm build under Node");
    println!("through sessions, redis = redis-server 7 (redis-benchmark -P 64 unless noted); 64 commands per batch");
    for (_, build) in selected {
        for table in build() {
            harness::run_table(&table, redis.as_mut());
        }
    }
    if args.is_empty() || args.iter().any(|a| a == "cluster") {
        cluster::run();
    }
    if args.is_empty() || args.iter().any(|a| a == "server") {
        server::print_server_table();
    }
}

/// Subscriber connections redis-server must accept: the pub/sub table's
/// largest count, capped so this process (which holds one socket per
/// subscriber) and redis-server (which inherits its limit) stay under the
/// open-files limit.
fn pubsub_capacity() -> usize {
    let wanted = 10_000;
    let possible = redis::open_files_limit().saturating_sub(200);
    if possible < wanted {
        eprintln!("open-files limit allows {possible} subscribers, not {wanted}; raise `ulimit -n` for the full table");
    }
    wanted.min(possible)
}
