//! The simulated cluster bus: message counters per node, per message kind
//! and per link, so the cost of classic PUBLISH (copied to every node) and
//! of SPUBLISH (kept inside one shard) can be compared in numbers.
//!
//! Message sizes follow Redis 7.0's wire format: a fixed header of
//! [`HEADER_BYTES`] plus the kind's payload (for publish messages: two
//! 4-byte lengths, the channel and the message, padded to 8 bytes).

use crate::vec_map::VecMap;
use alloc::string::String;

/// Size of a cluster bus message header (`sizeof(clusterMsg)` minus its data union, Redis 7.0 on x86-64).
pub const HEADER_BYTES: u64 = 2256;

/// Message kinds, in the order CLUSTER INFO lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Fail,
    Publish,
    Update,
    PublishShard,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Fail, Kind::Publish, Kind::Update, Kind::PublishShard];

    /// The name CLUSTER INFO uses (`cluster_stats_messages_<name>_sent`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Fail => "fail",
            Kind::Publish => "publish",
            Kind::Update => "update",
            Kind::PublishShard => "publishshard",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Messages and bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    pub messages: u64,
    pub bytes: u64,
}

impl Counter {
    fn add(&mut self, bytes: u64) {
        self.messages += 1;
        self.bytes += bytes;
    }
}

/// One node's traffic by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeTraffic {
    pub sent: [Counter; 4],
    pub received: [Counter; 4],
}

impl NodeTraffic {
    pub fn sent_total(&self) -> Counter {
        total(&self.sent)
    }

    pub fn received_total(&self) -> Counter {
        total(&self.received)
    }

    /// The `cluster_stats_messages_*` lines of CLUSTER INFO.
    pub fn info_lines(&self) -> String {
        let mut out = String::new();
        for (direction, counters) in [("sent", &self.sent), ("received", &self.received)] {
            for kind in Kind::ALL {
                let count = counters[kind.index()].messages;
                if count > 0 {
                    out.push_str(&alloc::format!("cluster_stats_messages_{}_{}:{}\r\n", kind.name(), direction, count));
                }
            }
            out.push_str(&alloc::format!("cluster_stats_messages_{}:{}\r\n", direction, total(counters).messages));
        }
        out
    }
}

fn total(counters: &[Counter; 4]) -> Counter {
    counters.iter().fold(Counter::default(), |a, c| Counter { messages: a.messages + c.messages, bytes: a.bytes + c.bytes })
}

/// Every node's traffic and every link's.
#[derive(Clone, Debug, Default)]
pub struct Bus {
    pub nodes: VecMap<usize, NodeTraffic>,
    /// (from, to) → traffic on that link.
    pub links: VecMap<(usize, usize), Counter>,
}

impl Bus {
    /// Counts one message of `kind` and `bytes` from `from` to `to`.
    pub fn record(&mut self, from: usize, to: usize, kind: Kind, bytes: u64) {
        self.nodes.get_or_default(from).sent[kind.index()].add(bytes);
        self.nodes.get_or_default(to).received[kind.index()].add(bytes);
        self.links.get_or_default((from, to)).add(bytes);
    }

    pub fn node(&self, node: usize) -> NodeTraffic {
        self.nodes.get(&node).cloned().unwrap_or_default()
    }

    /// All messages of `kind` sent by any node.
    pub fn total(&self, kind: Kind) -> Counter {
        self.nodes.values().fold(Counter::default(), |a, t| {
            let c = t.sent[kind.index()];
            Counter { messages: a.messages + c.messages, bytes: a.bytes + c.bytes }
        })
    }

    /// All messages of every kind.
    pub fn grand_total(&self) -> Counter {
        self.links.values().fold(Counter::default(), |a, c| Counter { messages: a.messages + c.messages, bytes: a.bytes + c.bytes })
    }

    pub fn reset(&mut self) {
        self.nodes.clear();
        self.links.clear();
    }
}

/// Bytes of a publish message for `channel` and `message`.
pub fn publish_bytes(channel: &[u8], message: &[u8]) -> u64 {
    let payload = 8 + channel.len() as u64 + message.len() as u64;
    HEADER_BYTES + payload.div_ceil(8) * 8
}

/// Bytes of a FAIL or UPDATE message (their payload is a node id, plus the
/// slot bitmap and epoch for UPDATE).
pub fn control_bytes(kind: Kind) -> u64 {
    match kind {
        Kind::Update => HEADER_BYTES + 40 + 8 + 2048,
        _ => HEADER_BYTES + 40,
    }
}
