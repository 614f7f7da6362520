//! The RESP server table: `npx redplay serve` (the wasm engine behind a Node
//! TCP server) against redis-server under the same redis-benchmark runs.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const OPS: u64 = 1_000_000;
/// Keys are drawn from 100,000 names, like `redis-benchmark -r 100000`.
const KEYSPACE: u64 = 100_000;

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

fn run_redis_benchmark(port: u16, tests: &str, pipeline: u32, ops: u64) -> Vec<(String, f64)> {
    let output = Command::new("redis-benchmark")
        .args(["-p", &port.to_string(), "-P", &pipeline.to_string(), "-n", &ops.to_string(), "-r", &KEYSPACE.to_string()])
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

/// The same redis-benchmark tests against redplay's RESP server (the wasm
/// engine under Node, `redplay serve`) and against redis-server.
const SERVER_TESTS: &str = "ping_mbulk,set,get,incr,mset";
const SERVER_RUNS: &[(u32, u64)] = &[(1, 100_000), (64, OPS)];

struct RedplayServer(Child);

impl Drop for RedplayServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_redplay_server(port: u16) -> Option<RedplayServer> {
    let child = Command::new("node")
        .args(["wasm/pkg/dist/cli.js", "serve", "--port", &port.to_string()])
        .stdout(Stdio::null())
        .spawn()
        .ok()?;
    let server = RedplayServer(child);
    for _ in 0..250 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(server);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

pub fn print_server_table() {
    println!();
    println!("RESP servers under redis-benchmark (50 clients, -r {}): redplay serve (wasm in Node) vs redis-server", KEYSPACE);
    println!("{:<16} {:>9} {:>16} {:>14} {:>15}", "test", "pipeline", "redplay ops/s", "redis ops/s", "redplay/redis");
    for &(pipeline, ops) in SERVER_RUNS {
        let redis_port = free_port();
        let redis = start_redis(redis_port).map(|server| {
            let results = run_redis_benchmark(redis_port, SERVER_TESTS, pipeline, ops);
            drop(server);
            results
        });
        let ours_port = free_port();
        let ours = start_redplay_server(ours_port).map(|server| {
            let results = run_redis_benchmark(ours_port, SERVER_TESTS, pipeline, ops);
            drop(server);
            results
        });
        let (redis, ours) = (redis.unwrap_or_default(), ours.unwrap_or_default());
        for (name, ours_ops) in &ours {
            let redis_ops = lookup(&redis, name);
            println!(
                "{:<16} {:>9} {:>16} {:>14} {:>15}",
                name,
                pipeline,
                fmt_ops(Some(*ours_ops)),
                fmt_ops(redis_ops),
                fmt_ratio(Some(*ours_ops), redis_ops)
            );
        }
        if ours.is_empty() {
            eprintln!("redplay serve could not be benchmarked (is wasm/pkg built?)");
        }
    }
}

/// ops/s per workload name from `node bench/wasm.mjs` (one `name=ops` per line).
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
