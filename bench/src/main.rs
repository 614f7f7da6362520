//! `make bench`: runs the same workloads on redplay's engine in-process
//! (native), on the wasm build under Node, and on a private redis-server
//! through `redis-benchmark -P 64`, then prints ops/s side by side.
//!
//! Workloads are rows of a table; later command families add rows. Numbers
//! are printed, never asserted: timing belongs in benchmarks, not tests.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use redplay_core::resp::encode_command;
use redplay_core::session::Session;
use redplay_core::Node;

/// One benchmarked operation: how to build its i-th command for redplay, and
/// the redis-benchmark test name that runs the same command.
struct Workload {
    name: &'static str,
    redis_test: &'static str,
    command: fn(u64) -> Vec<Vec<u8>>,
}

/// Keys are drawn from 100,000 names, like `redis-benchmark -r 100000`.
const KEYSPACE: u64 = 100_000;

fn key(i: u64) -> Vec<u8> {
    format!("key:{:012}", (i.wrapping_mul(2_654_435_761)) % KEYSPACE).into_bytes()
}

const WORKLOADS: &[Workload] = &[
    Workload { name: "SET", redis_test: "SET", command: |i| vec![b"SET".to_vec(), key(i), b"xxx".to_vec()] },
    Workload { name: "GET", redis_test: "GET", command: |i| vec![b"GET".to_vec(), key(i)] },
    Workload { name: "INCR", redis_test: "INCR", command: |i| vec![b"INCR".to_vec(), key(i)] },
    Workload {
        name: "MSET (10 keys)",
        redis_test: "MSET (10 keys)",
        command: |i| {
            let mut argv = vec![b"MSET".to_vec()];
            for k in 0..10 {
                argv.push(key(i * 10 + k));
                argv.push(b"xxx".to_vec());
            }
            argv
        },
    },
];

const OPS: u64 = 1_000_000;

/// Commands per batch, as `redis-benchmark -P 64` pipelines them.
const PIPELINE: u64 = 64;

/// Runs `OPS` commands of a workload against one in-process node through a
/// RESP session, pipelined like redis-benchmark (parsing and reply encoding
/// included, as for the server); ops/s.
fn native_ops_per_sec(workload: &Workload) -> f64 {
    let mut node = Node::new();
    let mut session = Session::open(&mut node, 0);
    // Requests are encoded before timing starts, as redis-benchmark prepares its buffers.
    let batches: Vec<Vec<u8>> = (0..OPS)
        .step_by(PIPELINE as usize)
        .map(|start| {
            let mut bytes = Vec::new();
            for i in start..(start + PIPELINE).min(OPS) {
                encode_command(&(workload.command)(i), &mut bytes);
            }
            bytes
        })
        .collect();
    let started = Instant::now();
    let mut written = 0usize;
    for (i, batch) in batches.iter().enumerate() {
        written += session.feed(&mut node, batch, i as u64).len();
    }
    let elapsed = started.elapsed();
    assert!(written > 0, "the session must reply");
    OPS as f64 / elapsed.as_secs_f64()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(6390)
}

struct RedisServer(Child);

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_redis(port: u16) -> Option<RedisServer> {
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let server = RedisServer(child);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(server);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// ops/s per redis-benchmark test name, from its CSV output.
fn redis_benchmark(port: u16) -> Vec<(String, f64)> {
    let tests = "set,get,incr,mset";
    let output = Command::new("redis-benchmark")
        .args(["-p", &port.to_string(), "-P", "64", "-n", &OPS.to_string(), "-r", &KEYSPACE.to_string()])
        .args(["-q", "--csv", "-t", tests])
        .output();
    let Ok(output) = output else { return Vec::new() };
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split(',').map(|f| f.trim_matches('"'));
            let name = fields.next()?.to_string();
            let rps = fields.next()?.parse().ok()?;
            Some((name, rps))
        })
        .collect()
}

/// ops/s per workload name from `node bench/wasm.mjs` (one `name=ops` per line).
fn wasm_ops_per_sec() -> Vec<(String, f64)> {
    let output = Command::new("node").arg("bench/wasm.mjs").arg(OPS.to_string()).output();
    let Ok(output) = output else { return Vec::new() };
    if !output.status.success() {
        eprintln!("wasm benchmark failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let (name, ops) = line.split_once('=')?;
            Some((name.to_string(), ops.parse().ok()?))
        })
        .collect()
}

fn lookup(list: &[(String, f64)], name: &str) -> Option<f64> {
    list.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
}

fn fmt_ops(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{:.0}", v))
}

fn fmt_ratio(ours: Option<f64>, redis: Option<f64>) -> String {
    match (ours, redis) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
        _ => "-".to_string(),
    }
}

fn main() {
    // `--native WORKLOAD` runs one native workload alone (for profilers);
    // `--only cluster` runs the cluster section alone.
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, name] = args.as_slice() {
        if flag == "--only" && name == "cluster" {
            cluster_bench();
            return;
        }
        if flag == "--native" {
            for workload in WORKLOADS.iter().filter(|w| w.name == name) {
                println!("{} native: {:.0} ops/s", workload.name, native_ops_per_sec(workload));
            }
            return;
        }
    }
    println!("redplay benchmark: {} ops per workload; redis-server via redis-benchmark -P 64 -r {}", OPS, KEYSPACE);
    let port = free_port();
    let redis = match start_redis(port) {
        Some(server) => {
            let results = redis_benchmark(port);
            drop(server);
            results
        }
        None => {
            eprintln!("redis-server could not be started; its column stays empty");
            Vec::new()
        }
    };
    let wasm = wasm_ops_per_sec();
    println!(
        "{:<16} {:>14} {:>14} {:>14} {:>13} {:>12}",
        "operation", "native ops/s", "wasm ops/s", "redis ops/s", "native/redis", "wasm/redis"
    );
    for workload in WORKLOADS {
        let native = Some(native_ops_per_sec(workload));
        let wasm_ops = lookup(&wasm, workload.name);
        let redis_ops = lookup(&redis, workload.redis_test);
        println!(
            "{:<16} {:>14} {:>14} {:>14} {:>13} {:>12}",
            workload.name,
            fmt_ops(native),
            fmt_ops(wasm_ops),
            fmt_ops(redis_ops),
            fmt_ratio(native, redis_ops),
            fmt_ratio(wasm_ops, redis_ops),
        );
    }
    println!("targets: native >= 3x and wasm under Node >= 1x redis-server's pipelined ops/s");
    cluster_bench();
}

/// Cluster numbers: building a 100-primary cluster, routing a million keys
/// (slot hashing plus the MOVED check on a node that serves none of them),
/// and the bus cost of PUBLISH vs SPUBLISH for the same traffic.
fn cluster_bench() {
    use redplay_core::cluster::bus::Kind;
    use redplay_core::cluster::slot::key_slot;
    use redplay_core::cluster::Cluster;
    use std::time::Instant;

    let key = |i: u64| format!("user:{}", i).into_bytes();
    println!();
    let started = Instant::now();
    let mut cluster = match Cluster::new(100, 0, 1, 0) {
        Ok(cluster) => cluster,
        Err(e) => {
            eprintln!("cluster bench: {:?}", e);
            return;
        }
    };
    println!("cluster: 100 primaries created in {:.1} ms", started.elapsed().as_secs_f64() * 1000.0);

    const KEYS: u64 = 1_000_000;
    let started = Instant::now();
    let mut per_node = vec![0u64; cluster.len()];
    for i in 0..KEYS {
        if let Some(owner) = cluster.topology().owner(key_slot(&key(i))) {
            per_node[owner] += 1;
        }
    }
    let hashing = started.elapsed().as_secs_f64();
    let (min, max) = (per_node.iter().min().copied().unwrap_or(0), per_node.iter().max().copied().unwrap_or(0));
    println!(
        "cluster: {} keys hashed to slots and owners in {:.0} ms ({:.1} M keys/s); keys per node {}..{}",
        KEYS,
        hashing * 1000.0,
        KEYS as f64 / hashing / 1e6,
        min,
        max
    );
    let Some(client) = cluster.connect(0, 0) else { return };
    let started = Instant::now();
    let mut moved = 0u64;
    for i in 0..KEYS {
        let k = key(i);
        let replies = cluster.call(0, client, &[b"GET", &k], 1);
        if matches!(replies.first(), Some(redplay_core::Reply::Error(e)) if e.starts_with(b"MOVED")) {
            moved += 1;
        }
    }
    let routing = started.elapsed().as_secs_f64();
    println!(
        "cluster: {} GETs routed on node 7000 in {:.0} ms ({:.0} ops/s), {} answered MOVED",
        KEYS,
        routing * 1000.0,
        KEYS as f64 / routing,
        moved
    );

    const MESSAGES: u64 = 10_000;
    println!("{:<10} {:>16} {:>16} {:>16} {:>16}", "nodes", "PUBLISH bus msgs", "SPUBLISH bus msgs", "PUBLISH msg/s", "SPUBLISH msg/s");
    for (primaries, replicas) in [(3, 0), (5, 1), (50, 1)] {
        let Ok(mut cluster) = Cluster::new(primaries, replicas, 1, 0) else { continue };
        let nodes = cluster.len();
        let channel = b"news";
        let owner = cluster.owner_of_key(channel).unwrap_or(0);
        let Some(client) = cluster.connect(owner, 0) else { continue };
        let mut rates = [0.0f64; 2];
        let mut counts = [0u64; 2];
        for (slot, (command, kind)) in [(&b"PUBLISH"[..], Kind::Publish), (&b"SPUBLISH"[..], Kind::PublishShard)].into_iter().enumerate() {
            cluster.reset_bus();
            let started = Instant::now();
            for _ in 0..MESSAGES {
                cluster.call(owner, client, &[command, channel, b"hello"], 1);
            }
            rates[slot] = MESSAGES as f64 / started.elapsed().as_secs_f64();
            counts[slot] = cluster.bus().total(kind).messages;
        }
        println!(
            "{:<10} {:>16} {:>16} {:>16.0} {:>16.0}",
            format!("{} ({}+{}r)", nodes, primaries, primaries * replicas),
            counts[0],
            counts[1],
            rates[0],
            rates[1]
        );
    }
    println!("(bus messages for {} publishes each; SPUBLISH stays inside the channel's shard)", MESSAGES);
}
