//! Pub/sub: PUBLISH to 0, 1, 100 and 10,000 subscribers, and with 1,000
//! patterns registered. Subscribers are separate connections (sessions for
//! redplay, sockets drained by threads for redis-server); what they receive
//! is drained after every batch, as a server writes it out.

use crate::harness::{Batches, RedisRun, Subscribers, Table, Workload};

const MESSAGE: &str = "hello subscriber";

fn publish(name: &str, ops: u64, channel: &'static str, extra_redis_args: &[&str]) -> Workload {
    let timed = Batches::of_ops(ops, |_| vec![b"PUBLISH".to_vec(), channel.as_bytes().to_vec(), MESSAGE.as_bytes().to_vec()]);
    let mut args: Vec<String> = extra_redis_args.iter().map(|a| a.to_string()).collect();
    args.extend(["PUBLISH", channel, MESSAGE].map(String::from));
    Workload::new(name, ops, timed, RedisRun::Benchmark(args))
}

fn subscribers(count: usize, command: &[String], confirmations: usize) -> Subscribers {
    let mut setup = Batches::default();
    setup.push(command);
    Subscribers { count, setup, confirmations }
}

/// `max_subscribers` caps the largest row (open-files limit).
pub fn tables(max_subscribers: usize) -> Vec<Table> {
    let mut workloads = vec![publish("PUBLISH, 0 subscribers", 1_000_000, "news", &[])];
    // Operations shrink as deliveries per publish grow, to keep each row short.
    for (count, ops, extra) in [(1usize, 500_000u64, &[][..]), (100, 10_000, &[][..]), (10_000, 128, &["-c", "1"][..])] {
        let count = count.min(max_subscribers);
        let subscribe = ["SUBSCRIBE", "news"].map(String::from);
        workloads.push(publish(&format!("PUBLISH, {count} subscribers"), ops, "news", extra).with_subscribers(subscribers(count, &subscribe, 1)));
    }
    let mut psubscribe = vec!["PSUBSCRIBE".to_string()];
    psubscribe.extend((0..1000).map(|i| format!("p:{i}:*")));
    workloads.push(
        publish("PUBLISH, 1,000 patterns (1 match)", 200_000, "p:7:news", &[]).with_subscribers(subscribers(1, &psubscribe, 1000)),
    );
    vec![Table {
        title: "pub/sub: PUBLISH of a 16-byte message; patterns p:0:* .. p:999:* on one connection".into(),
        workloads,
        targets: vec![
            "native >= 3x and wasm under Node >= 1x redis-server's pipelined ops/s".into(),
            "with 1,000 patterns redplay faster than redis-server (which tests every pattern per publish)".into(),
        ],
    }]
}
