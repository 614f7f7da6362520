//! What every benchmark table shares: the workload description, the native
//! runner (an in-process node behind RESP sessions), the wasm runner (the
//! same bytes replayed by `bench/wasm.mjs` under Node), the redis-server
//! runner, and the printing of side-by-side tables.
//!
//! A workload is encoded to RESP once, in Rust; native, wasm and the
//! pipelined redis client all consume those same bytes, so the three columns
//! always run identical commands.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::Instant;

use redplay_core::resp::encode_command;
use redplay_core::session::Session;
use redplay_core::Node;

use crate::redis::Redis;


/// Commands per batch, as `redis-benchmark -P 64` pipelines them.
pub const PIPELINE: usize = 64;

/// Counts live heap bytes while [`HeapCounter::measure`] runs; otherwise a
/// plain pass-through to the system allocator (one relaxed load per call).
pub struct HeapCounter;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for HeapCounter {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            LIVE_BYTES.fetch_add(new_size as isize - layout.size() as isize, Ordering::Relaxed);
        }
        System.realloc(ptr, layout, new_size)
    }
}

impl HeapCounter {
    /// Runs `f` and returns the heap bytes it left allocated (requested
    /// sizes, without the allocator's rounding).
    pub fn measure(f: impl FnOnce()) -> isize {
        LIVE_BYTES.store(0, Ordering::SeqCst);
        COUNTING.store(true, Ordering::SeqCst);
        f();
        COUNTING.store(false, Ordering::SeqCst);
        LIVE_BYTES.load(Ordering::SeqCst)
    }
}

/// RESP commands grouped into pipelined batches.
#[derive(Default, Clone)]
pub struct Batches {
    pub batches: Vec<Vec<u8>>,
    pub commands: usize,
    in_last: usize,
}

impl Batches {
    /// Appends one command; a new batch starts every [`PIPELINE`] commands
    /// (or `per_batch`, for workloads whose operation is several commands).
    pub fn push<A: AsRef<[u8]>>(&mut self, argv: &[A]) {
        self.push_grouped(argv, PIPELINE);
    }

    fn push_grouped<A: AsRef<[u8]>>(&mut self, argv: &[A], per_batch: usize) {
        if self.batches.is_empty() || self.in_last == per_batch {
            self.batches.push(Vec::new());
            self.in_last = 0;
        }
        encode_command(argv, self.batches.last_mut().expect("a batch was just pushed"));
        self.in_last += 1;
        self.commands += 1;
    }

    /// `ops` operations of `op`, [`PIPELINE`] operations per batch.
    pub fn of_ops(ops: u64, op: impl Fn(u64) -> Vec<Vec<u8>>) -> Batches {
        Batches::of_multi_ops(ops, 1, |i| vec![op(i)])
    }

    /// As [`Batches::of_ops`] for operations made of `per_op` commands.
    pub fn of_multi_ops(ops: u64, per_op: usize, op: impl Fn(u64) -> Vec<Vec<Vec<u8>>>) -> Batches {
        let mut batches = Batches::default();
        for i in 0..ops {
            for argv in op(i) {
                batches.push_grouped(&argv, PIPELINE * per_op);
            }
        }
        batches
    }
}

/// Connections that subscribe before the timed part and receive what the
/// timed commands publish (drained after every batch, as a server writes).
#[derive(Clone)]
pub struct Subscribers {
    pub count: usize,
    /// What each connection sends first (SUBSCRIBE ..., PSUBSCRIBE ...).
    pub setup: Batches,
    /// How many confirmation frames that setup produces per connection.
    pub confirmations: usize,
}

/// How redis-server runs the workload.
pub enum RedisRun {
    /// `redis-benchmark -P 64 -n <ops> -q --csv <args>` (after the setup).
    Benchmark(Vec<String>),
    /// The workload's own batches through one pipelined connection (for
    /// operations redis-benchmark cannot express, like XACK of the ID read).
    Pipeline,
}

/// Heap cost of what the setup stored, compared per element.
pub struct MemoryCheck {
    pub elements: u64,
    /// The key whose `MEMORY USAGE ... SAMPLES 0` redis-server reports.
    pub key: &'static str,
}

pub struct Workload {
    pub name: String,
    pub ops: u64,
    /// Run before timing, on every engine.
    pub setup: Batches,
    pub timed: Batches,
    pub subscribers: Option<Subscribers>,
    pub redis: RedisRun,
    pub memory: Option<MemoryCheck>,
}

impl Workload {
    pub fn new(name: impl Into<String>, ops: u64, timed: Batches, redis: RedisRun) -> Workload {
        Workload { name: name.into(), ops, setup: Batches::default(), timed, subscribers: None, redis, memory: None }
    }

    pub fn with_setup(mut self, setup: Batches) -> Workload {
        self.setup = setup;
        self
    }

    pub fn with_subscribers(mut self, subscribers: Subscribers) -> Workload {
        self.subscribers = Some(subscribers);
        self
    }

    pub fn with_memory(mut self, memory: MemoryCheck) -> Workload {
        self.memory = Some(memory);
        self
    }
}

/// A printed table: workloads plus the target line(s) under them.
pub struct Table {
    pub title: String,
    pub workloads: Vec<Workload>,
    pub targets: Vec<String>,
}

/// One workload's numbers over every round of a table.
#[derive(Default)]
pub struct Measured {
    /// ops/s of each round, per engine (a failed run leaves no entry).
    pub native: Vec<f64>,
    pub wasm: Vec<f64>,
    pub redis: Vec<f64>,
    /// Native ops per CPU second of each round (see [`NativeRun::cpu_ops`]).
    pub native_cpu: Vec<f64>,
    /// Native heap bytes per element and redis-server's MEMORY USAGE per element.
    pub native_bytes: Option<f64>,
    pub redis_bytes: Option<f64>,
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// Ratios of the rounds where both engines ran (each round runs every
/// engine, so a round's ratio compares numbers taken minutes apart at most).
fn round_ratios(ours: &[f64], theirs: &[f64]) -> Vec<f64> {
    ours.iter().zip(theirs).filter(|(_, &b)| b > 0.0).map(|(a, b)| a / b).collect()
}

/// How many rounds each table runs (see [`run_table`]):
/// `REDPLAY_BENCH_ROUNDS`, 3 unless set. One run on this kind of
/// machine can be off by a third either way; the median of three is not.
pub fn rounds() -> usize {
    std::env::var("REDPLAY_BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).filter(|&r| r > 0).unwrap_or(3)
}

/// One native run of a workload.
pub struct NativeRun {
    /// Operations per second of wall-clock time.
    pub ops: f64,
    /// Operations per second of this thread's CPU time (Linux only): steadier
    /// than `ops` on a loaded machine, for before/after comparisons.
    pub cpu_ops: Option<f64>,
}

/// CPU time this thread has run, in nanoseconds (the scheduler's count).
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// The timed part of [`run_native`], apart so a profiler can collect just it
/// (`valgrind --tool=callgrind --toggle-collect='*run_timed*'`). Returns the
/// reply bytes written.
#[inline(never)]
fn run_timed(workload: &Workload, node: &mut Node, session: &mut Session, subscribers: &mut [Session], mut clock: u64) -> usize {
    let mut written = 0usize;
    for batch in &workload.timed.batches {
        clock += 1;
        written += session.feed(node, batch, clock).len();
        for sub in subscribers.iter_mut() {
            written += sub.drain(node).len();
        }
    }
    written
}

/// Feeds a workload to an in-process node behind RESP sessions.
pub fn run_native(workload: &Workload) -> NativeRun {
    let mut node = Node::new();
    let mut session = Session::open(&mut node, 0);
    let mut clock = 0u64;
    let mut subscribers = Vec::new();
    if let Some(subs) = &workload.subscribers {
        for _ in 0..subs.count {
            let mut sub = Session::open(&mut node, 0);
            for batch in &subs.setup.batches {
                sub.feed(&mut node, batch, 0);
            }
            subscribers.push(sub);
        }
    }
    for batch in &workload.setup.batches {
        clock += 1;
        session.feed(&mut node, batch, clock);
    }
    let started = Instant::now();
    let cpu_started = thread_cpu_ns();
    let written = run_timed(workload, &mut node, &mut session, &mut subscribers, clock);
    let elapsed = started.elapsed();
    let cpu_ns = cpu_started.zip(thread_cpu_ns()).map(|(from, to)| to.saturating_sub(from));
    assert!(written > 0, "{}: the session must reply", workload.name);
    NativeRun {
        ops: workload.ops as f64 / elapsed.as_secs_f64(),
        cpu_ops: cpu_ns.filter(|&ns| ns > 0).map(|ns| workload.ops as f64 * 1e9 / ns as f64),
    }
}

/// Native heap bytes per element of the key the workload's setup builds,
/// if it asks for a memory comparison.
fn native_bytes_per_element(workload: &Workload) -> Option<f64> {
    workload.memory.as_ref().map(|check| key_bytes(&workload.setup, check) / check.elements as f64)
}

/// Heap bytes the key of `check` holds after `setup`: what deleting it frees
/// (so buffers the session keeps from loading are not counted).
fn key_bytes(setup: &Batches, check: &MemoryCheck) -> f64 {
    let mut node = Node::new();
    let mut session = Session::open(&mut node, 0);
    for (clock, batch) in setup.batches.iter().enumerate() {
        session.feed(&mut node, batch, clock as u64 + 1);
    }
    let mut del = Vec::new();
    encode_command(&["DEL", check.key], &mut del);
    let mut reply = Vec::new();
    let freed = -HeapCounter::measure(|| reply = session.feed(&mut node, &del, setup.batches.len() as u64 + 1));
    assert_eq!(reply, b":1\r\n", "the setup must create {}", check.key);
    // The reply buffer is still allocated when measuring ends.
    (freed + reply.capacity() as isize) as f64
}

/// Writes each workload for `bench/wasm.mjs`: records of a kind byte, a
/// little-endian u32 length and the bytes. Kinds: 0 name, 1 ops (decimal),
/// 2 setup batch, 3 subscriber (u32 count, then its setup bytes), 4 timed batch.
fn write_wasm_file(path: &Path, workload: &Workload) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut record = |kind: u8, bytes: &[u8]| -> std::io::Result<()> {
        out.write_all(&[kind])?;
        out.write_all(&(bytes.len() as u32).to_le_bytes())?;
        out.write_all(bytes)
    };
    record(0, workload.name.as_bytes())?;
    record(1, workload.ops.to_string().as_bytes())?;
    for batch in &workload.setup.batches {
        record(2, batch)?;
    }
    if let Some(subs) = &workload.subscribers {
        let mut bytes = (subs.count as u32).to_le_bytes().to_vec();
        bytes.extend(subs.setup.batches.concat());
        record(3, &bytes)?;
    }
    for batch in &workload.timed.batches {
        record(4, batch)?;
    }
    Ok(())
}

/// ops/s per workload (in table order) from one `node bench/wasm.mjs` run.
pub fn run_wasm(workloads: &[Workload]) -> Vec<Option<f64>> {
    // REDPLAY_BENCH_WASM_DIR keeps the workload files there (to profile
    // `node --cpu-prof bench/wasm.mjs FILE` by hand); else a temporary folder.
    let kept = std::env::var_os("REDPLAY_BENCH_WASM_DIR").map(PathBuf::from);
    let dir = kept.clone().unwrap_or_else(|| std::env::temp_dir().join(format!("redplay-bench-{}", std::process::id())));
    let _ = std::fs::create_dir_all(&dir);
    let mut files: Vec<PathBuf> = Vec::new();
    for (i, workload) in workloads.iter().enumerate() {
        let path = dir.join(format!("{i}.bin"));
        if let Err(error) = write_wasm_file(&path, workload) {
            eprintln!("cannot write {}: {error}", path.display());
            return vec![None; workloads.len()];
        }
        files.push(path);
    }
    let output = Command::new("node").arg("bench/wasm.mjs").args(&files).output();
    if kept.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let Ok(output) = output else { return vec![None; workloads.len()] };
    if !output.status.success() {
        eprintln!("wasm benchmark failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let results: Vec<(String, f64)> = text
        .lines()
        .filter_map(|line| {
            let (name, ops) = line.rsplit_once('=')?;
            Some((name.to_string(), ops.parse().ok()?))
        })
        .collect();
    workloads.iter().map(|w| results.iter().find(|(n, _)| *n == w.name).map(|(_, v)| *v)).collect()
}

pub fn fmt_ops(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{:.0}", v))
}

/// Runs every workload of a table on the three engines, [`rounds`] times,
/// and prints the medians. In a round the wasm column runs first (one Node
/// process for the table), then each workload natively and right after on
/// redis-server, so the two numbers a native ratio divides are taken
/// seconds apart, not minutes.
pub fn run_table(table: &Table, mut redis: Option<&mut Redis>) -> Vec<Measured> {
    println!();
    println!("== {} ==", table.title);
    let mut measured: Vec<Measured> = table.workloads.iter().map(|_| Measured::default()).collect();
    let rounds = rounds();
    for round in 0..rounds {
        for (m, wasm) in measured.iter_mut().zip(run_wasm(&table.workloads)) {
            m.wasm.extend(wasm);
        }
        for (workload, m) in table.workloads.iter().zip(&mut measured) {
            let native = run_native(workload);
            m.native.push(native.ops);
            m.native_cpu.extend(native.cpu_ops);
            // Memory is the same every round: measured in the first.
            if round == 0 {
                m.native_bytes = native_bytes_per_element(workload);
            }
            if let Some(redis) = redis.as_deref_mut() {
                let (ops, bytes) = redis.run(workload);
                m.redis.extend(ops);
                if round == 0 {
                    m.redis_bytes = bytes;
                }
            }
        }
    }
    print_table(table, &measured, rounds);
    measured
}

/// A ratio column: the median of the rounds' ratios, and the lowest when
/// there are several rounds (`4.10x >3.52`).
fn fmt_ratios(ratios: &[f64]) -> String {
    let Some(middle) = median(ratios) else { return "-".to_string() };
    let lowest = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    if ratios.len() > 1 {
        format!("{middle:.2}x >{lowest:.2}")
    } else {
        format!("{middle:.2}x")
    }
}

/// The median at 1M against the median at 1k, as a signed percentage.
fn size_change(at_1k: &[f64], at_1m: &[f64]) -> String {
    match (median(at_1k), median(at_1m)) {
        (Some(small), Some(large)) if small > 0.0 => format!("{:+.1}%", (large / small - 1.0) * 100.0),
        _ => "-".to_string(),
    }
}

/// Workloads named `X @1k` and `X @1M`: the median ops/s at 1M against 1k,
/// per engine, as signed percentages; for native also per CPU second, which
/// leaves out the time another process had the core.
fn print_size_comparison(table: &Table, measured: &[Measured]) {
    let names: Vec<&str> = table.workloads.iter().map(|w| w.name.as_str()).collect();
    for (small, name) in names.iter().enumerate() {
        let Some(base) = name.strip_suffix(" @1k") else { continue };
        let Some(large) = names.iter().position(|n| n.strip_suffix(" @1M") == Some(base)) else { continue };
        let change = |pick: fn(&Measured) -> &Vec<f64>| size_change(pick(&measured[small]), pick(&measured[large]));
        println!(
            "@1M vs @1k, {base}: native {} (per CPU second {}), wasm {}, redis {}",
            change(|m| &m.native),
            change(|m| &m.native_cpu),
            change(|m| &m.wasm),
            change(|m| &m.redis)
        );
    }
}

fn print_table(table: &Table, measured: &[Measured], rounds: usize) {
    let width = table.workloads.iter().map(|w| w.name.len()).max().unwrap_or(9).max(9);
    if rounds > 1 {
        println!("(median of {rounds} rounds; after a ratio, `>` the lowest round's)");
    }
    println!(
        "{:<width$} {:>13} {:>13} {:>13} {:>14} {:>14}",
        "operation", "native ops/s", "wasm ops/s", "redis ops/s", "native/redis", "wasm/redis"
    );
    for (workload, m) in table.workloads.iter().zip(measured) {
        println!(
            "{:<width$} {:>13} {:>13} {:>13} {:>14} {:>14}",
            workload.name,
            fmt_ops(median(&m.native)),
            fmt_ops(median(&m.wasm)),
            fmt_ops(median(&m.redis)),
            fmt_ratios(&round_ratios(&m.native, &m.redis)),
            fmt_ratios(&round_ratios(&m.wasm, &m.redis)),
        );
    }
    print_size_comparison(table, measured);
    for (workload, m) in table.workloads.iter().zip(measured) {
        if let Some(check) = &workload.memory {
            let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"));
            println!(
                "memory after `{}` setup: redplay {} B/element (native heap), redis {} B/element (MEMORY USAGE {} SAMPLES 0), {} elements",
                workload.name,
                fmt(m.native_bytes),
                fmt(m.redis_bytes),
                check.key,
                check.elements
            );
        }
    }
    for target in &table.targets {
        println!("target: {target}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_ratio_columns() {
        let cases: [(&[f64], Option<f64>); 4] =
            [(&[], None), (&[5.0], Some(5.0)), (&[9.0, 1.0, 4.0], Some(4.0)), (&[4.0, 1.0, 3.0, 10.0], Some(3.5))];
        for (values, expected) in cases {
            assert_eq!(median(values), expected, "{values:?}");
        }
        // Ratios pair rounds; a round without a redis number has no ratio.
        assert_eq!(round_ratios(&[8.0, 9.0, 6.0], &[2.0, 3.0, 0.0]), vec![4.0, 3.0]);
        assert_eq!(fmt_ratios(&[4.0, 3.0, 5.0]), "4.00x >3.00");
        assert_eq!(fmt_ratios(&[2.5]), "2.50x");
        assert_eq!(fmt_ratios(&[]), "-");
        // Size comparisons divide medians; an engine without numbers prints `-`.
        assert_eq!(size_change(&[100.0, 50.0, 200.0], &[90.0, 80.0, 300.0]), "-10.0%");
        assert_eq!(size_change(&[100.0], &[125.0]), "+25.0%");
        assert_eq!(size_change(&[], &[125.0]), "-");
    }
}
