//! What a front end shows of a [`Cluster`], and how it keeps one: a
//! snapshot of every node (role, slot ranges, key count, up or failed), the
//! bus links that carried messages, the console prompt of a cluster client,
//! and the whole cluster as bytes and back (topology, node states and each
//! node's keyspace) so a page can keep it across reloads.
//!
//! Save format (integers are LEB128 varints, byte strings a varint length
//! then the bytes, optional values stored as value+1 or 0):
//! ```text
//! "RPC" 1  now timeout current-epoch
//!          nodes { id port primary? epoch failed running down-since? replaced-by? keyspace }
//!          ranges { first last owner }
//! ```
//! Bus counters, clients and half-done migrations are not kept (a reshard
//! from the page finishes in one call). Loading checks everything and never
//! panics on bad input.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::client::ClusterClient;
use super::slot::SLOTS;
use super::topology::{NodeInfo, MAX_NODES, UNASSIGNED};
use super::Cluster;
use crate::snapshot;

const MAGIC: &[u8; 4] = b"RPC\x01";

/// One node as the page draws it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    pub id: String,
    pub port: u16,
    /// For a replica, the index of its primary.
    pub primary: Option<usize>,
    pub running: bool,
    /// Marked FAIL by the others.
    pub failed: bool,
    pub config_epoch: u64,
    /// Contiguous slot ranges served (primaries only).
    pub ranges: Vec<(u16, u16)>,
    pub slot_count: usize,
    /// Live keys in every database.
    pub keys: usize,
    /// Virtual time the node was stopped at, while it is down.
    pub down_since: Option<u64>,
}

/// Messages and bytes carried on one bus link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkView {
    pub from: usize,
    pub to: usize,
    pub messages: u64,
    pub bytes: u64,
}

/// Why saved bytes could not be loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadError {
    NotASave,
    Truncated,
    Invalid(&'static str),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotASave => f.write_str("not a redplay cluster (or another version)"),
            LoadError::Truncated => f.write_str("cluster save is truncated"),
            LoadError::Invalid(what) => write!(f, "cluster save is invalid: {what}"),
        }
    }
}

impl Cluster {
    /// Every node, in index order, at `now_ms`.
    pub fn node_views(&self, now_ms: u64) -> Vec<NodeView> {
        let topology = &self.topology;
        self.members
            .iter()
            .zip(&topology.nodes)
            .enumerate()
            .map(|(index, (member, info))| {
                let ranges = topology.ranges_of(index);
                NodeView {
                    id: info.id.clone(),
                    port: info.port,
                    primary: info.primary,
                    running: member.running,
                    failed: info.failed,
                    config_epoch: topology.shown_epoch(index),
                    slot_count: ranges.iter().map(|(a, b)| (b - a) as usize + 1).sum(),
                    ranges,
                    keys: member.node.dbs.iter().map(|db| db.live_entries(now_ms).count()).sum(),
                    down_since: member.down_since,
                }
            })
            .collect()
    }

    /// Every link that carried a message since the counters were reset.
    pub fn link_views(&self) -> Vec<LinkView> {
        self.bus.links.iter().map(|(&(from, to), c)| LinkView { from, to, messages: c.messages, bytes: c.bytes }).collect()
    }

    /// The cluster as bytes, for [`Cluster::load`].
    pub fn save(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        for n in [self.now_ms, self.node_timeout_ms, self.topology.current_epoch, self.members.len() as u64] {
            put_uint(&mut out, n);
        }
        for (member, info) in self.members.iter().zip(&self.topology.nodes) {
            put_bytes(&mut out, info.id.as_bytes());
            put_uint(&mut out, info.port.into());
            put_option(&mut out, info.primary.map(|p| p as u64));
            put_uint(&mut out, info.config_epoch);
            put_uint(&mut out, info.failed.into());
            put_uint(&mut out, member.running.into());
            put_option(&mut out, member.down_since);
            put_option(&mut out, member.replaced_by.map(|r| r as u64));
            put_bytes(&mut out, &snapshot::dump(&member.node, self.now_ms));
        }
        let ranges = self.topology.all_ranges();
        put_uint(&mut out, ranges.len() as u64);
        for (first, last, owner) in ranges {
            for n in [first as u64, last as u64, owner as u64] {
                put_uint(&mut out, n);
            }
        }
        out
    }

    /// A cluster from [`Cluster::save`]'s bytes.
    pub fn load(bytes: &[u8]) -> Result<Cluster, LoadError> {
        let mut input = Reader(bytes.strip_prefix(MAGIC.as_slice()).ok_or(LoadError::NotASave)?);
        let now_ms = input.uint()?;
        let node_timeout_ms = input.uint()?;
        let current_epoch = input.uint()?;
        let count = input.uint()? as usize;
        if count == 0 || count > MAX_NODES {
            return Err(LoadError::Invalid("node count"));
        }
        // Every node starts as a lone primary; the saved shape replaces that.
        let mut cluster = Cluster::new(count, 0, 0, now_ms).map_err(|_| LoadError::Invalid("node count"))?;
        cluster.node_timeout_ms = node_timeout_ms;
        cluster.topology.current_epoch = current_epoch;
        for index in 0..count {
            let id = core::str::from_utf8(input.bytes()?).map_err(|_| LoadError::Invalid("node id"))?;
            let port = u16::try_from(input.uint()?).map_err(|_| LoadError::Invalid("port"))?;
            let primary = input.index(count)?;
            let config_epoch = input.uint()?;
            let failed = input.flag()?;
            let running = input.flag()?;
            let down_since = input.option()?;
            let replaced_by = input.index(count)?;
            let member = &mut cluster.members[index];
            snapshot::restore(&mut member.node, input.bytes()?).map_err(|_| LoadError::Invalid("keyspace"))?;
            member.running = running;
            member.down_since = down_since;
            member.replaced_by = replaced_by;
            // Failure detection resumes from the saved stop time: PFAIL is
            // recomputed on the next advance, a failed node's election clock
            // restarts from when the others would have agreed.
            member.failed_at = match (failed, down_since) {
                (true, Some(since)) => Some(since.saturating_add(node_timeout_ms).saturating_add(super::FAIL_AGREEMENT_MS)),
                _ => None,
            };
            let link_down = !running;
            cluster.topology.nodes[index] =
                NodeInfo { id: id.into(), port, primary, config_epoch, failed, suspected: false, link_down };
        }
        let nodes = &cluster.topology.nodes;
        if nodes.iter().any(|n| n.primary.is_some_and(|p| !nodes[p].is_primary())) {
            return Err(LoadError::Invalid("replica of a replica"));
        }
        if (1..count).any(|i| nodes[..i].iter().any(|n| n.port == nodes[i].port)) {
            return Err(LoadError::Invalid("two nodes on one port"));
        }
        cluster.topology.slots.iter_mut().for_each(|s| *s = UNASSIGNED);
        for _ in 0..input.uint()? {
            let (first, last) = (input.uint()? as usize, input.uint()? as usize);
            let owner = input.index_plain(count)?;
            if first > last || last >= SLOTS || !cluster.topology.nodes[owner].is_primary() {
                return Err(LoadError::Invalid("slot range"));
            }
            cluster.topology.slots[first..=last].iter_mut().for_each(|s| *s = owner as u16);
        }
        if !input.0.is_empty() {
            return Err(LoadError::Invalid("bytes after the end"));
        }
        for index in 0..count {
            if cluster.topology.nodes[index].is_primary() {
                if let Some(state) = cluster.members[index].node.cluster_state_mut() {
                    state.primary_link = None;
                }
            } else {
                cluster.ensure_link(index);
            }
        }
        cluster.broadcast_topology();
        Ok(cluster)
    }
}

impl ClusterClient {
    /// redis-cli's prompt for this console: `not connected> ` while its node is down.
    pub fn console_prompt(&self, cluster: &Cluster) -> String {
        if cluster.is_running(self.node) {
            self.prompt(cluster)
        } else {
            String::from("not connected> ")
        }
    }
}

fn put_uint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_uint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn put_option(out: &mut Vec<u8>, value: Option<u64>) {
    put_uint(out, value.map_or(0, |v| v.saturating_add(1)));
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn uint(&mut self) -> Result<u64, LoadError> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.0.split_first().ok_or(LoadError::Truncated)?;
            self.0 = rest;
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(LoadError::Invalid("number too long"))
    }

    fn bytes(&mut self) -> Result<&'a [u8], LoadError> {
        let len = usize::try_from(self.uint()?).map_err(|_| LoadError::Truncated)?;
        if len > self.0.len() {
            return Err(LoadError::Truncated);
        }
        let (bytes, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(bytes)
    }

    fn flag(&mut self) -> Result<bool, LoadError> {
        match self.uint()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(LoadError::Invalid("flag")),
        }
    }

    fn option(&mut self) -> Result<Option<u64>, LoadError> {
        Ok(self.uint()?.checked_sub(1))
    }

    /// An optional node index below `count`.
    fn index(&mut self, count: usize) -> Result<Option<usize>, LoadError> {
        match self.option()? {
            Some(i) if i < count as u64 => Ok(Some(i as usize)),
            Some(_) => Err(LoadError::Invalid("node index")),
            None => Ok(None),
        }
    }

    fn index_plain(&mut self, count: usize) -> Result<usize, LoadError> {
        match self.uint()? {
            i if i < count as u64 => Ok(i as usize),
            _ => Err(LoadError::Invalid("node index")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::bus::Kind;
    use super::*;
    use alloc::vec;

    fn run(c: &mut Cluster, node: usize, line: &str, now: u64) {
        let client = c.connect(node, now).expect("node runs");
        let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        c.call(node, client, &argv, now);
        c.disconnect(node, client);
    }

    #[test]
    fn node_views_show_roles_ranges_and_keys() {
        let mut c = Cluster::new(3, 1, 0, 0).unwrap();
        run(&mut c, 0, "SET b 1", 1); // slot 3300, node 0; replicated to node 4
        run(&mut c, 2, "RPUSH foo x", 1); // slot 12182, node 2
        let views = c.node_views(1);
        assert_eq!(views.len(), 6);
        assert_eq!(views[0].ranges, vec![(0, 5460)]);
        assert_eq!(views[1].slot_count, 5462);
        assert_eq!((views[0].keys, views[4].keys, views[2].keys, views[1].keys), (1, 1, 1, 0));
        assert_eq!(views[4].primary, Some(0));
        assert!(views[4].ranges.is_empty());
        assert_eq!(views[4].config_epoch, views[0].config_epoch);
        assert!(views.iter().all(|v| v.running && !v.failed && v.down_since.is_none()));
    }

    #[test]
    fn links_count_publish_to_all_and_spublish_within_the_shard() {
        let mut c = Cluster::new(3, 1, 0, 0).unwrap();
        run(&mut c, 0, "PUBLISH news hi", 1);
        assert_eq!(c.link_views().len(), 5);
        assert!(c.link_views().iter().all(|l| l.from == 0 && l.messages == 1));
        c.reset_bus();
        run(&mut c, 2, "SPUBLISH foo hi", 1); // foo is in node 2's slots; node 3 replicates it
        assert_eq!(c.link_views().iter().map(|l| (l.from, l.to)).collect::<Vec<_>>(), vec![(2, 3)]);
        assert_eq!(c.bus().total(Kind::PublishShard).messages, 1);
    }

    #[test]
    fn a_saved_cluster_loads_with_its_shape_states_and_keys() {
        let mut c = Cluster::new(3, 1, 7, 0).unwrap();
        run(&mut c, 0, "SET b 1", 1);
        c.stop(0, 10).unwrap();
        c.advance(10 + c.node_timeout_ms); // node 4 takes over slots 0-5460
        c.reshard(16000, 16383, 1).unwrap();
        c.stop(5, 20_000).unwrap();
        let saved = c.save();
        let loaded = Cluster::load(&saved).unwrap();
        assert_eq!(loaded.topology(), c.topology());
        assert_eq!(loaded.node_views(20_000), c.node_views(20_000));
        assert_eq!(loaded.now_ms(), c.now_ms());
        assert_eq!(loaded.save(), saved);
        // The old primary still rejoins as a replica of its replacement, with its data.
        let mut loaded = loaded;
        loaded.restart(0, 30_000).unwrap();
        assert_eq!(loaded.topology().nodes[0].primary, Some(4));
        assert_eq!(loaded.node_views(30_000)[0].keys, 1);
        // A replica keeps following writes after a load.
        run(&mut loaded, 4, "SET b 2", 30_001);
        let client = loaded.connect(0, 30_002).unwrap();
        loaded.call(0, client, &[b"READONLY"], 30_002);
        assert_eq!(loaded.call(0, client, &[b"GET", b"b"], 30_002), vec![crate::reply::Reply::Bulk(b"2".to_vec())]);
    }

    #[test]
    fn bad_saves_are_refused_without_panics() {
        let saved = Cluster::new(3, 1, 0, 0).unwrap().save();
        assert_eq!(Cluster::load(b"").err(), Some(LoadError::NotASave));
        for len in MAGIC.len()..saved.len() {
            assert!(Cluster::load(&saved[..len]).is_err(), "prefix of {len} bytes");
        }
        let mut longer = saved.clone();
        longer.push(0);
        assert_eq!(Cluster::load(&longer).err(), Some(LoadError::Invalid("bytes after the end")));
        // Flipping any byte gives an error or some cluster, never a panic.
        for i in MAGIC.len()..saved.len() {
            let mut bad = saved.clone();
            bad[i] ^= 0x5a;
            let _ = Cluster::load(&bad);
        }
    }

    #[test]
    fn console_prompt_says_not_connected_while_the_node_is_down() {
        let mut c = Cluster::new(3, 0, 0, 0).unwrap();
        let client = ClusterClient::connect(&mut c, 1, true, 0).unwrap();
        assert_eq!(client.console_prompt(&c), "127.0.0.1:7001> ");
        c.stop(1, 1).unwrap();
        assert_eq!(client.console_prompt(&c), "not connected> ");
    }
}
