//! The real redis-server column: a private server process, a pipelined
//! client that loads setups and runs what redis-benchmark cannot express,
//! `redis-benchmark -P 64` for the rest, and subscriber connections that
//! drain what a publish sends them.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use redplay_core::resp::encode_command;

use crate::harness::{Batches, MemoryCheck, RedisRun, Subscribers, Workload};

/// Connections redis-server may accept beyond the benchmark's subscribers.
const SPARE_CLIENTS: usize = 100;

pub struct Redis {
    child: Child,
    port: u16,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(6390)
}

/// The soft limit on open files of this process (redis-server inherits it).
pub fn open_files_limit() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("Max open files"))?;
            line.split_whitespace().nth(3)?.parse().ok()
        })
        .unwrap_or(1024)
}

impl Redis {
    /// Starts a private redis-server that accepts `max_subscribers` more clients.
    pub fn start(max_subscribers: usize) -> Option<Redis> {
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--maxclients", &(max_subscribers + SPARE_CLIENTS).to_string()])
            // Subscribers drain as fast as they can; a slow sweep must not get them killed.
            .args(["--client-output-buffer-limit", "pubsub 0 0 0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let server = Redis { child, port };
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(server);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Runs a workload after FLUSHALL and its setup; ops/s and MEMORY USAGE per element.
    pub fn run(&mut self, workload: &Workload) -> (Option<f64>, Option<f64>) {
        let mut flush = Batches::default();
        flush.push(&["FLUSHALL"]);
        if pipeline(self.port, &flush).is_none() || pipeline(self.port, &workload.setup).is_none() {
            return (None, None);
        }
        let bytes = workload.memory.as_ref().and_then(|check| self.bytes_per_element(check));
        let subscribers = workload.subscribers.as_ref().map(|subs| SubscriberThreads::start(self.port, subs));
        let ops = match &workload.redis {
            RedisRun::Benchmark(args) => self.benchmark(workload.ops, args),
            RedisRun::Pipeline => pipeline(self.port, &workload.timed).map(|d| workload.ops as f64 / d.as_secs_f64()),
        };
        drop(subscribers);
        (ops, bytes)
    }

    fn bytes_per_element(&self, check: &MemoryCheck) -> Option<f64> {
        let reply = query(self.port, &["MEMORY", "USAGE", check.key, "SAMPLES", "0"])?;
        let text = String::from_utf8_lossy(&reply);
        let bytes: f64 = text.trim().strip_prefix(':')?.parse().ok()?;
        Some(bytes / check.elements as f64)
    }

    fn benchmark(&self, ops: u64, args: &[String]) -> Option<f64> {
        let output = Command::new("redis-benchmark")
            .args(["-p", &self.port.to_string(), "-P", "64", "-n", &ops.to_string(), "-q", "--csv"])
            .args(args)
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&output.stdout);
        let line = text.lines().nth(1)?;
        // The test name may hold commas (it is the command line): rps is the
        // first field after it, so read the fields from the right.
        let fields: Vec<&str> = line.split("\",\"").collect();
        let rps_index = fields.len().checked_sub(7)?;
        fields.get(rps_index)?.trim_matches('"').parse().ok()
    }
}

/// Where the complete RESP2 reply starting at `at` ends, if it is all in `buf`.
fn reply_end(buf: &[u8], at: usize) -> Option<usize> {
    let line_end = at + buf.get(at..)?.windows(2).position(|w| w == b"\r\n")?;
    let after = line_end + 2;
    let number = || std::str::from_utf8(&buf[at + 1..line_end]).ok()?.parse::<i64>().ok();
    match buf[at] {
        b'$' => {
            let len = number()?;
            if len < 0 {
                return Some(after);
            }
            let end = after + len as usize + 2;
            (end <= buf.len()).then_some(end)
        }
        b'*' => {
            let mut pos = after;
            for _ in 0..number()?.max(0) {
                pos = reply_end(buf, pos)?;
            }
            Some(pos)
        }
        _ => Some(after),
    }
}

/// Reads until `expected` replies have arrived; false if the peer closed.
fn read_replies(stream: &mut TcpStream, expected: usize) -> bool {
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut chunk = vec![0u8; 1 << 16];
    let mut seen = 0usize;
    let mut pos = 0usize;
    while seen < expected {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        while seen < expected {
            match reply_end(&buf, pos) {
                Some(end) => {
                    pos = end;
                    seen += 1;
                }
                None => break,
            }
        }
        buf.drain(..pos);
        pos = 0;
    }
    true
}

/// Sends every batch on one connection (a writer thread keeps the server
/// busy while this thread reads) and waits for all replies; the elapsed time.
pub fn pipeline(port: u16, batches: &Batches) -> Option<Duration> {
    if batches.commands == 0 {
        return Some(Duration::ZERO);
    }
    let mut reader = TcpStream::connect(("127.0.0.1", port)).ok()?;
    let mut writer = reader.try_clone().ok()?;
    let started = Instant::now();
    let all = batches.batches.clone();
    let sender = std::thread::spawn(move || all.iter().all(|batch| writer.write_all(batch).is_ok()));
    let complete = read_replies(&mut reader, batches.commands);
    let sent = sender.join().unwrap_or(false);
    (complete && sent).then(|| started.elapsed())
}

/// One command's raw reply.
pub fn query(port: u16, argv: &[&str]) -> Option<Vec<u8>> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    let mut request = Vec::new();
    encode_command(argv, &mut request);
    stream.write_all(&request).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if reply_end(&buf, 0).is_some() {
            return Some(buf);
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Subscriber connections drained by a few threads until dropped.
struct SubscriberThreads {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Threads that drain subscriber sockets (they share 2 cores with the server).
const DRAIN_THREADS: usize = 2;

impl SubscriberThreads {
    /// Connects and subscribes every connection, waits for the confirmations,
    /// then drains in the background.
    fn start(port: u16, subs: &Subscribers) -> SubscriberThreads {
        let stop = Arc::new(AtomicBool::new(false));
        let setup = subs.setup.batches.concat();
        let mut ready = Vec::new();
        let mut threads = Vec::new();
        for t in 0..DRAIN_THREADS {
            let share = subs.count / DRAIN_THREADS + usize::from(t < subs.count % DRAIN_THREADS);
            let (setup, stop, confirmations) = (setup.clone(), stop.clone(), subs.confirmations);
            let (tx, rx) = std::sync::mpsc::channel();
            ready.push(rx);
            threads.push(std::thread::spawn(move || {
                let mut streams = Vec::with_capacity(share);
                for _ in 0..share {
                    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { break };
                    if stream.write_all(&setup).is_err() || !read_replies(&mut stream, confirmations) {
                        break;
                    }
                    let _ = stream.set_nonblocking(true);
                    streams.push(stream);
                }
                let _ = tx.send(streams.len());
                let mut chunk = vec![0u8; 1 << 16];
                while !stop.load(Ordering::Relaxed) {
                    let mut idle = true;
                    for stream in &mut streams {
                        while let Ok(n) = stream.read(&mut chunk) {
                            if n == 0 {
                                break;
                            }
                            idle = false;
                        }
                    }
                    if idle {
                        std::thread::sleep(Duration::from_micros(200));
                    }
                }
            }));
        }
        let connected: usize = ready.iter().map(|rx| rx.recv().unwrap_or(0)).sum();
        if connected < subs.count {
            eprintln!("only {connected} of {} subscribers could connect to redis-server", subs.count);
        }
        SubscriberThreads { stop, threads }
    }
}

impl Drop for SubscriberThreads {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}
