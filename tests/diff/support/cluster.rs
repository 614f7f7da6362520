//! A private real Redis Cluster (the oracle) for one test binary: N
//! redis-server processes with `--cluster-enabled yes` on consecutive free
//! loopback ports in 7200-7299, joined with `redis-cli --cluster create`, and
//! killed (their directories removed) when the guard drops. The kernel kills
//! them too if the test process dies (parent-death signal).
//!
//! [`RealCluster::normalize`] rewrites the real cluster's ports and node ids
//! into redplay's (ports 7000 upwards, ids derived from seed 0), so outputs
//! compare byte for byte.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::resp::Conn;
use super::server::CLI_BIN;
use redplay_core::cluster::topology::Topology;
use redplay_core::Reply;

extern "C" {
    fn prctl(option: i32, ...) -> i32;
}

/// The port range these tests may use.
const PORTS: std::ops::Range<u16> = 7200..7300;

pub struct RealCluster {
    pub ports: Vec<u16>,
    /// Node ids, by port order.
    pub ids: Vec<String>,
    children: Vec<Child>,
    dir: PathBuf,
    node_timeout_ms: u64,
    /// redplay's topology for the same shape (seed 0, as redplay-cli uses).
    pub ours: Topology,
    /// For each real node (by port order), the redplay node in the same
    /// place: primaries by position, replicas by their primary. (redis-cli
    /// shuffles replicas between primaries at random when all share a host.)
    pub map: Vec<usize>,
}

fn free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok() && TcpListener::bind(("127.0.0.1", port + 10000)).is_ok()
}

/// Starts one cluster-enabled redis-server on `port`, its files in `dir`.
fn spawn_node(port: u16, dir: &std::path::Path, node_timeout_ms: u64) -> Child {
    std::fs::create_dir_all(dir).expect("node dir");
    let mut command = Command::new("redis-server");
    command
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .args(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"])
        .args(["--cluster-node-timeout", &node_timeout_ms.to_string()])
        // Replicas sync at once instead of after the default 5 s wait for
        // more replicas, and their offsets (CLUSTER SHARDS health) move
        // within a second instead of ten.
        .args(["--repl-diskless-sync-delay", "0", "--repl-ping-replica-period", "1"])
        .args(["--daemonize", "no", "--logfile", ""])
        .arg("--dir")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            prctl(1, 9u64);
            Ok(())
        });
    }
    command.spawn().expect("redis-server must be installed (make setup)")
}

impl RealCluster {
    pub fn start(primaries: usize, replicas: usize) -> RealCluster {
        RealCluster::start_with_timeout(primaries, replicas, 15_000)
    }

    /// `start` with `cluster-node-timeout` set (failover tests use a short one).
    pub fn start_with_timeout(primaries: usize, replicas: usize, node_timeout_ms: u64) -> RealCluster {
        let total = primaries * (replicas + 1);
        let base = (PORTS.start..PORTS.end - total as u16)
            .find(|&b| (b..b + total as u16).all(free))
            .expect("no free block of ports in 7200-7299");
        let ports: Vec<u16> = (base..base + total as u16).collect();
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cluster-{}-{}", std::process::id(), base));
        std::fs::create_dir_all(&dir).expect("cluster dir");
        let children = ports.iter().map(|&port| spawn_node(port, &dir.join(port.to_string()), node_timeout_ms)).collect();
        let mut cluster = RealCluster {
            ports: ports.clone(),
            ids: Vec::new(),
            children,
            dir,
            node_timeout_ms,
            ours: Topology::create(primaries, replicas, 0).expect("topology"),
            map: Vec::new(),
        };
        for &port in &ports {
            wait_for(|| Conn::connect(port).and_then(|mut c| c.call_str(&["PING"])).is_ok(), "PING");
        }
        let mut args: Vec<String> = vec!["--cluster".into(), "create".into()];
        args.extend(ports.iter().map(|p| format!("127.0.0.1:{}", p)));
        args.extend(["--cluster-replicas".into(), replicas.to_string(), "--cluster-yes".into()]);
        let mut create = Command::new(CLI_BIN).args(&args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("redis-cli");
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = create.try_wait().expect("redis-cli") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = create.kill();
                panic!("redis-cli --cluster create did not finish in 30 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(status.success(), "redis-cli --cluster create failed");
        // Every node agrees the cluster is up and knows every node's role.
        let expected_nodes = total;
        wait_for(
            || {
                ports.iter().all(|&p| {
                    let info = cluster.text(p, &["CLUSTER", "INFO"]);
                    let nodes = cluster.text(p, &["CLUSTER", "NODES"]);
                    let slots_list_replicas = match Conn::connect(p).and_then(|mut c| c.call_str(&["CLUSTER", "SLOTS"])) {
                        Ok(Reply::Array(ranges)) => {
                            ranges.iter().all(|r| matches!(r, Reply::Array(items) if items.len() == 3 + replicas))
                        }
                        _ => false,
                    };
                    info.contains("cluster_state:ok")
                        && cluster.shards_settled(p)
                        && nodes.lines().count() == expected_nodes
                        && nodes.lines().filter(|l| l.contains("slave")).count() == primaries * replicas
                        && slots_list_replicas
                })
            },
            "cluster_state:ok",
        );
        cluster.ids = ports.iter().map(|&p| cluster.text(p, &["CLUSTER", "MYID"])).collect();
        cluster.map = cluster.placement(primaries);
        cluster
    }

    /// Pairs real nodes with redplay's (see `map`).
    fn placement(&self, primaries: usize) -> Vec<usize> {
        let nodes = self.text(self.ports[0], &["CLUSTER", "NODES"]);
        let primary_of = |id: &str| -> Option<usize> {
            let line = nodes.lines().find(|l| l.starts_with(id))?;
            let master = line.split(' ').nth(3)?;
            self.ids.iter().position(|i| i == master)
        };
        let mut taken = vec![0usize; primaries];
        (0..self.ports.len())
            .map(|i| match primary_of(&self.ids[i]) {
                Some(p) if p < primaries => {
                    let ours: Vec<usize> = self.ours.replicas_of(p).collect();
                    let k = taken[p];
                    taken[p] += 1;
                    ours.get(k).copied().unwrap_or(i)
                }
                _ => i,
            })
            .collect()
    }

    /// CLUSTER SHARDS on `port` shows no replica still loading its first sync.
    pub fn shards_settled(&self, port: u16) -> bool {
        fn has_loading(reply: &Reply) -> bool {
            match reply {
                Reply::Bulk(b) => b.as_slice() == b"loading",
                Reply::Array(items) => items.iter().any(has_loading),
                _ => false,
            }
        }
        matches!(Conn::connect(port).and_then(|mut c| c.call_str(&["CLUSTER", "SHARDS"])), Ok(r) if !has_loading(&r))
    }

    /// The real node standing where redplay's node `mine` is.
    pub fn real_index(&self, mine: usize) -> usize {
        self.map.iter().position(|&m| m == mine).expect("every redplay node has a real twin")
    }

    /// Kills real node `index` (SIGKILL: it stops answering at once).
    pub fn kill(&mut self, index: usize) {
        let _ = self.children[index].kill();
        let _ = self.children[index].wait();
    }

    /// Starts real node `index` again with its old nodes.conf: it rejoins
    /// with its id and last known configuration.
    pub fn restart(&mut self, index: usize) {
        let port = self.ports[index];
        self.children[index] = spawn_node(port, &self.dir.join(port.to_string()), self.node_timeout_ms);
        wait_for(|| Conn::connect(port).and_then(|mut c| c.call_str(&["PING"])).is_ok(), "PING after restart");
    }

    /// A command's reply as text (bulk or verbatim), empty otherwise.
    pub fn text(&self, port: u16, argv: &[&str]) -> String {
        match Conn::connect(port).and_then(|mut c| c.call_str(argv)) {
            Ok(Reply::Bulk(b)) | Ok(Reply::Verbatim { text: b, .. }) => String::from_utf8_lossy(&b).into_owned(),
            _ => String::new(),
        }
    }

    pub fn conn(&self, index: usize) -> Conn {
        Conn::connect(self.ports[index]).expect("connecting to a cluster node")
    }

    /// Removes every key on every node.
    pub fn flush(&self) {
        for index in 0..self.ports.len() {
            let _ = self.conn(index).call_str(&["FLUSHALL"]);
        }
    }

    /// Real ports and ids replaced by redplay's; CLUSTER NODES clocks zeroed.
    pub fn normalize(&self, bytes: &[u8]) -> Vec<u8> {
        let mut text = String::from_utf8_lossy(bytes).into_owned();
        // Through a placeholder, so a port is never replaced twice.
        for (i, port) in self.ports.iter().enumerate() {
            text = text.replace(&format!("127.0.0.1:{}@{}", port, port + 10000), &format!("\u{1}B{}", i));
            text = text.replace(&format!("127.0.0.1:{}", port), &format!("\u{1}A{}", i));
            if let Some(id) = self.ids.get(i) {
                text = text.replace(id.as_str(), &format!("\u{1}I{}", i));
            }
        }
        for i in (0..self.ports.len()).rev() {
            let ours = &self.ours.nodes[self.map[i]];
            text = text.replace(&format!("\u{1}B{}", i), &format!("127.0.0.1:{}@{}", ours.port, ours.port as u32 + 10000));
            text = text.replace(&format!("\u{1}A{}", i), &format!("127.0.0.1:{}", ours.port));
            text = text.replace(&format!("\u{1}I{}", i), &ours.id);
        }
        zero_clocks(&text).into_bytes()
    }
}

/// CLUSTER NODES lines carry ping/pong times; both sides print zeros after this.
pub fn zero_clocks(text: &str) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let words: Vec<&str> = line.split(' ').collect();
        let is_node_line = words.len() >= 8
            && words[0].len() == 40
            && words[0].bytes().all(|b| b.is_ascii_hexdigit())
            && words[1].starts_with("127.0.0.1:");
        if is_node_line {
            let mut words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
            words[4] = "0".into();
            words[5] = "0".into();
            out.push_str(&words.join(" "));
        } else {
            out.push_str(line);
        }
    }
    out
}

pub fn wait_for(mut ready: impl FnMut() -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        assert!(Instant::now() < deadline, "real cluster: {} not reached in 30 s", what);
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl Drop for RealCluster {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
