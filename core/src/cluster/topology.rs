//! A cluster's shape: its nodes (id, port, primary or replica of whom,
//! configuration epoch, failure flag) and which primary serves each slot.
//!
//! [`Topology::create`] lays a cluster out the way `redis-cli --cluster
//! create` does for nodes all on one host: the first N nodes are primaries
//! and split the slots evenly, the rest are replicas handed out R per primary.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::slot::SLOTS;

/// The first virtual node's port; node `i` listens on `BASE_PORT + i`.
pub const BASE_PORT: u16 = 7000;

/// Marks a slot no node serves.
pub const UNASSIGNED: u16 = u16::MAX;

/// The host every virtual node pretends to listen on.
pub const HOST: &str = "127.0.0.1";

/// Most nodes a topology may hold (primaries and replicas together).
pub const MAX_NODES: usize = 4096;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeInfo {
    /// 40 lower-case hex digits, derived from the cluster's seed.
    pub id: String,
    pub port: u16,
    /// For a replica, the index of its primary.
    pub primary: Option<usize>,
    pub config_epoch: u64,
    /// Marked FAIL by the others (it stopped answering for longer than the node timeout).
    pub failed: bool,
    /// Suspected (PFAIL, `fail?`): timed out, not yet agreed to be failed.
    pub suspected: bool,
    /// The bus link to it is down (it stopped answering).
    pub link_down: bool,
}

impl NodeInfo {
    pub fn is_primary(&self) -> bool {
        self.primary.is_none()
    }

    /// `127.0.0.1:<port>`, as MOVED and ASK name it.
    pub fn address(&self) -> String {
        alloc::format!("{}:{}", HOST, self.port)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topology {
    pub nodes: Vec<NodeInfo>,
    /// Owner (node index) of each slot, or [`UNASSIGNED`].
    pub slots: Vec<u16>,
    pub current_epoch: u64,
}

/// Why a topology cannot be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TopologyError {
    NoPrimaries,
    TooManyNodes,
}

impl Topology {
    /// `primaries` primaries with `replicas` replicas each, ports from
    /// [`BASE_PORT`], ids derived from `seed`.
    pub fn create(primaries: usize, replicas: usize, seed: u64) -> Result<Topology, TopologyError> {
        if primaries == 0 {
            return Err(TopologyError::NoPrimaries);
        }
        let total = replicas.checked_add(1).and_then(|r| r.checked_mul(primaries)).ok_or(TopologyError::TooManyNodes)?;
        if total > MAX_NODES || primaries > SLOTS {
            return Err(TopologyError::TooManyNodes);
        }
        let mut nodes: Vec<NodeInfo> = (0..total)
            .map(|i| NodeInfo {
                id: node_id(seed, i as u64),
                port: BASE_PORT + i as u16,
                primary: None,
                config_epoch: i as u64 + 1,
                failed: false,
                suspected: false,
                link_down: false,
            })
            .collect();
        for (primary, others) in replica_assignment(primaries, replicas) {
            for replica in others {
                nodes[replica].primary = Some(primary);
            }
        }
        let mut slots = vec![UNASSIGNED; SLOTS];
        for (owner, (first, last)) in slot_split(primaries).into_iter().enumerate() {
            for slot in &mut slots[first as usize..=last as usize] {
                *slot = owner as u16;
            }
        }
        Ok(Topology { nodes, slots, current_epoch: total as u64 })
    }

    /// The node serving `slot`, if any.
    pub fn owner(&self, slot: u16) -> Option<usize> {
        match self.slots.get(slot as usize) {
            Some(&owner) if owner != UNASSIGNED => Some(owner as usize),
            _ => None,
        }
    }

    /// The contiguous slot ranges `node` serves, in slot order.
    pub fn ranges_of(&self, node: usize) -> Vec<(u16, u16)> {
        let mut ranges: Vec<(u16, u16)> = Vec::new();
        for (slot, &owner) in self.slots.iter().enumerate() {
            if owner as usize != node || owner == UNASSIGNED {
                continue;
            }
            let slot = slot as u16;
            match ranges.last_mut() {
                Some(last) if last.1 + 1 == slot => last.1 = slot,
                _ => ranges.push((slot, slot)),
            }
        }
        ranges
    }

    /// Every (first, last, owner) range of assigned slots, in slot order.
    pub fn all_ranges(&self) -> Vec<(u16, u16, usize)> {
        let mut ranges: Vec<(u16, u16, usize)> = Vec::new();
        for (slot, &owner) in self.slots.iter().enumerate() {
            if owner == UNASSIGNED {
                continue;
            }
            let slot = slot as u16;
            match ranges.last_mut() {
                Some(last) if last.1 + 1 == slot && last.2 == owner as usize => last.1 = slot,
                _ => ranges.push((slot, slot, owner as usize)),
            }
        }
        ranges
    }

    /// The replicas of `node`, in node order.
    pub fn replicas_of(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        self.nodes.iter().enumerate().filter(move |(_, n)| n.primary == Some(node)).map(|(i, _)| i)
    }

    /// The primary of the shard `node` belongs to (itself for a primary).
    pub fn shard_primary(&self, node: usize) -> usize {
        self.nodes.get(node).and_then(|n| n.primary).unwrap_or(node)
    }

    /// Finds a node by its id.
    pub fn find(&self, id: &[u8]) -> Option<usize> {
        self.nodes.iter().position(|n| n.id.as_bytes() == id)
    }

    /// The epoch a node shows: a replica shows its primary's.
    pub fn shown_epoch(&self, node: usize) -> u64 {
        let shown = self.shard_primary(node);
        self.nodes.get(shown).map_or(0, |n| n.config_epoch)
    }

    /// Every slot has an owner that is not marked FAIL (cluster_state:ok).
    pub fn is_ok(&self) -> bool {
        self.slots.iter().all(|&owner| self.nodes.get(owner as usize).is_some_and(|n| !n.failed))
    }

    /// Number of primaries serving at least one slot (cluster_size).
    pub fn size(&self) -> usize {
        let mut serving = vec![false; self.nodes.len()];
        for &owner in &self.slots {
            if let Some(flag) = serving.get_mut(owner as usize) {
                *flag = true;
            }
        }
        serving.into_iter().filter(|&s| s).count()
    }
}

/// The slot range of each of `primaries` primaries, as `redis-cli --cluster
/// create` computes it: a single-precision share per node, each range ending
/// at the running total rounded to nearest, the last one at slot 16383.
pub fn slot_split(primaries: usize) -> Vec<(u16, u16)> {
    let per_node = SLOTS as f32 / primaries as f32;
    let mut cursor = 0.0f32;
    let mut first: i64 = 0;
    let mut ranges = Vec::with_capacity(primaries);
    for i in 0..primaries {
        let mut last = round_half_away(cursor + per_node - 1.0);
        if last > SLOTS as i64 - 1 || i == primaries - 1 {
            last = SLOTS as i64 - 1;
        }
        if last < first {
            last = first;
        }
        ranges.push((first as u16, last as u16));
        first = last + 1;
        cursor += per_node;
    }
    ranges
}

/// C's `lround` for the non-negative values `slot_split` meets.
fn round_half_away(value: f32) -> i64 {
    let value = value as f64;
    if value < 0.0 {
        -((-value + 0.5) as i64)
    } else {
        (value + 0.5) as i64
    }
}

/// Which nodes replicate which primary: the nodes after the primaries,
/// rotated left by one, R consecutive ones per primary (what `redis-cli
/// --cluster create` proposes for nodes sharing one host; its anti-affinity
/// pass cannot improve on that and, for R ≥ 2, may swap replicas at random).
pub fn replica_assignment(primaries: usize, replicas: usize) -> Vec<(usize, Vec<usize>)> {
    let mut rest: Vec<usize> = (primaries..primaries * (replicas + 1)).collect();
    if !rest.is_empty() {
        rest.rotate_left(1);
    }
    (0..primaries).map(|p| (p, rest.iter().skip(p * replicas).take(replicas).copied().collect())).collect()
}

/// A 40-hex-digit node id from a seed and the node's index (splitmix64).
pub fn node_id(seed: u64, index: u64) -> String {
    let mut state = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5DEE_CE66_D1CE_4E5B;
    let mut id = String::with_capacity(40);
    while id.len() < 40 {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        for shift in (0..16).rev() {
            if id.len() == 40 {
                break;
            }
            let digit = ((z >> (shift * 4)) & 15) as u32;
            id.push(core::char::from_digit(digit, 16).unwrap_or('0'));
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_split_matches_redis_cli() {
        // Printed by redis-cli 7.0.15 `--cluster create` for 3, 4 and 6 primaries.
        assert_eq!(slot_split(3), vec![(0, 5460), (5461, 10922), (10923, 16383)]);
        assert_eq!(slot_split(4), vec![(0, 4095), (4096, 8191), (8192, 12287), (12288, 16383)]);
        assert_eq!(
            slot_split(6),
            vec![(0, 2730), (2731, 5460), (5461, 8191), (8192, 10922), (10923, 13652), (13653, 16383)]
        );
        assert_eq!(slot_split(1), vec![(0, 16383)]);
        for n in 1..=200 {
            let ranges = slot_split(n);
            assert_eq!(ranges.len(), n);
            assert_eq!(ranges[0].0, 0);
            assert_eq!(ranges[n - 1].1, 16383);
            for pair in ranges.windows(2) {
                assert_eq!(pair[0].1 + 1, pair[1].0, "{} primaries", n);
            }
        }
    }

    #[test]
    fn replicas_follow_redis_cli_proposal() {
        // redis-cli: "Adding replica 127.0.0.1:7204 to 127.0.0.1:7200" and so on.
        assert_eq!(replica_assignment(3, 1), vec![(0, vec![4]), (1, vec![5]), (2, vec![3])]);
        assert_eq!(replica_assignment(3, 2), vec![(0, vec![4, 5]), (1, vec![6, 7]), (2, vec![8, 3])]);
        assert_eq!(
            replica_assignment(6, 1),
            vec![(0, vec![7]), (1, vec![8]), (2, vec![9]), (3, vec![10]), (4, vec![11]), (5, vec![6])]
        );
        assert_eq!(replica_assignment(2, 0), vec![(0, vec![]), (1, vec![])]);
    }

    #[test]
    fn create_lays_out_ports_ids_and_slots() {
        let t = Topology::create(3, 1, 42).unwrap();
        assert_eq!(t.nodes.len(), 6);
        assert_eq!(t.nodes[5].port, 7005);
        assert_eq!(t.nodes[4].primary, Some(0));
        assert_eq!(t.owner(0), Some(0));
        assert_eq!(t.owner(16383), Some(2));
        assert_eq!(t.ranges_of(1), vec![(5461, 10922)]);
        assert!(t.nodes.iter().all(|n| n.id.len() == 40 && n.id.bytes().all(|b| b.is_ascii_hexdigit())));
        let mut ids: Vec<_> = t.nodes.iter().map(|n| n.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 6);
        assert_eq!(Topology::create(3, 1, 42), Ok(t));
        assert_eq!(Topology::create(0, 1, 1), Err(TopologyError::NoPrimaries));
        assert_eq!(Topology::create(usize::MAX, 2, 1), Err(TopologyError::TooManyNodes));
        assert_eq!(Topology::create(100, 0, 1).map(|t| t.size()), Ok(100));
    }
}
