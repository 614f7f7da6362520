//! Redis Cluster, simulated: a set of full [`Node`]s (each with its own
//! keyspace, clients and view of the cluster) joined by a simulated bus.
//!
//! # Layout
//! - [`slot`]: CRC16 key hashing with hash tags (a pure function).
//! - [`topology`]: nodes, roles, epochs and the slot map; the layout
//!   `redis-cli --cluster create` makes.
//! - [`state`]: one node's cluster state and the MOVED/ASK/CROSSSLOT check
//!   that runs before every command.
//! - [`bus`]: message counters per node, kind and link.
//! - [`client`]: a cluster-aware client like `redis-cli -c`.
//! - [`Cluster`] (here): the driver that carries bus messages and
//!   replication between nodes, detects failures and promotes replicas.
//!
//! # Model
//! - Time is virtual: every call takes `now_ms`.
//! - Views are kept in step at once (the gossip that spreads a slot's new
//!   owner or a failover is not modelled). A stopped node's link is down at
//!   once; after `node_timeout_ms` it is suspected (PFAIL, `fail?`), after
//!   [`FAIL_AGREEMENT_MS`] more it is marked FAIL (the other primaries'
//!   reports have spread), and a primary's first live replica is promoted
//!   [`ELECTION_DELAY_MS`] after that (Redis adds up to 500 ms at random and
//!   a second per rank).
//! - Classic PUBLISH is delivered locally and sent to every other reachable
//!   node (one bus message each); SPUBLISH only to the other nodes of the
//!   publisher's shard. Shard subscribers of a slot that moves to another
//!   shard get `sunsubscribe`.
//! - Replication: every write command a primary runs successfully (with
//!   WRITE in its flags, including each command inside EXEC) is run again on
//!   each replica, in order, through a dedicated link client, at the same
//!   virtual time — identical state plus identical commands give identical
//!   results. A blocking command (BLPOP, BLMOVE, XREADGROUP BLOCK...) is
//!   replicated when it is served, as the command it was blocked on: by
//!   then its data is on the replica, so the replica runs it without
//!   blocking and pops or delivers the same entries. Keys expire on each
//!   node by the same clock, so expirations are not replicated.
//! - A stopped node keeps its data (as a paused process would). A replica
//!   that was stopped, and an old primary that rejoins as a replica after a
//!   failover, copy their primary's data (a full resync).

pub mod bus;
pub mod client;
pub mod slot;
pub mod state;
pub mod topology;
pub mod view;

use alloc::vec::Vec;

use crate::db::Db;
use crate::node::{ClientId, Node, Status, DATABASES};
use crate::pubsub::{CLASSIC, SHARD};
use crate::reply::Reply;
use bus::{Bus, Kind};
pub use state::{NodeCluster, Outgoing};
pub use topology::{Topology, TopologyError, BASE_PORT};

/// A key, its entry and its expiry time, copied for a full resync.
type KeyCopy = (Vec<u8>, crate::db::Entry, Option<u64>);

/// Redis's default `cluster-node-timeout`.
pub const DEFAULT_NODE_TIMEOUT_MS: u64 = 15_000;

/// From PFAIL to FAIL: the time the failure reports take to reach a
/// majority of primaries over gossip (measured on Redis 7.0: 200-500 ms).
pub const FAIL_AGREEMENT_MS: u64 = 500;

/// From FAIL to the replica's promotion: Redis's fixed election delay.
pub const ELECTION_DELAY_MS: u64 = 500;

/// One member of the cluster.
pub struct Member {
    pub node: Node,
    pub running: bool,
    down_since: Option<u64>,
    /// When the others marked it FAIL.
    failed_at: Option<u64>,
    /// Set on a primary that was failed over while down: the replica that took its place.
    replaced_by: Option<usize>,
}

/// Why a cluster operation was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterError {
    Topology(TopologyError),
    NoSuchNode,
    NotAPrimary,
    NodeDown,
}

pub struct Cluster {
    members: Vec<Member>,
    topology: Topology,
    bus: Bus,
    pub node_timeout_ms: u64,
    now_ms: u64,
}

impl Cluster {
    /// A cluster of `primaries` primaries with `replicas` replicas each, laid
    /// out as `redis-cli --cluster create` does; node ids come from `seed`.
    pub fn new(primaries: usize, replicas: usize, seed: u64, now_ms: u64) -> Result<Cluster, ClusterError> {
        let topology = Topology::create(primaries, replicas, seed).map_err(ClusterError::Topology)?;
        let mut members = Vec::with_capacity(topology.nodes.len());
        for index in 0..topology.nodes.len() {
            let mut node = Node::new();
            node.advance(now_ms);
            let mut state = NodeCluster::new(index, topology.clone());
            if !topology.nodes[index].is_primary() {
                state.primary_link = Some(node.connect(now_ms));
            }
            node.set_cluster_state(Some(state));
            members.push(Member { node, running: true, down_since: None, failed_at: None, replaced_by: None });
        }
        Ok(Cluster { members, topology, bus: Bus::default(), node_timeout_ms: DEFAULT_NODE_TIMEOUT_MS, now_ms })
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The authoritative topology (every node's view converges to it).
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    pub fn reset_bus(&mut self) {
        self.bus.reset();
        self.sync_traffic();
    }

    pub fn node(&self, index: usize) -> Option<&Node> {
        self.members.get(index).map(|m| &m.node)
    }

    pub fn node_mut(&mut self, index: usize) -> Option<&mut Node> {
        self.members.get_mut(index).map(|m| &mut m.node)
    }

    pub fn is_running(&self, index: usize) -> bool {
        self.members.get(index).is_some_and(|m| m.running)
    }

    /// The node listening on `port`.
    pub fn index_of_port(&self, port: u16) -> Option<usize> {
        self.topology.nodes.iter().position(|n| n.port == port)
    }

    /// The node serving `key`'s slot.
    pub fn owner_of_key(&self, key: &[u8]) -> Option<usize> {
        self.topology.owner(slot::key_slot(key))
    }

    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// Opens a connection to node `index`; `None` when it is stopped or unknown.
    pub fn connect(&mut self, index: usize, now_ms: u64) -> Option<ClientId> {
        self.advance(now_ms);
        let member = self.members.get_mut(index).filter(|m| m.running)?;
        Some(member.node.connect(now_ms))
    }

    pub fn disconnect(&mut self, index: usize, client: ClientId) {
        if let Some(member) = self.members.get_mut(index) {
            member.node.disconnect(client);
        }
    }

    /// Runs a command on node `index` for `client`, then carries what it
    /// sent over the bus and to replicas. A stopped node answers nothing
    /// (`Status::Closed`).
    pub fn execute(&mut self, index: usize, client: ClientId, argv: Vec<Vec<u8>>, now_ms: u64) -> Status {
        self.advance(now_ms);
        let Some(member) = self.members.get_mut(index).filter(|m| m.running) else { return Status::Closed };
        let status = member.node.execute(client, argv, self.now_ms);
        self.pump(index);
        status
    }

    /// `execute` then the client's output.
    pub fn call(&mut self, index: usize, client: ClientId, argv: &[&[u8]], now_ms: u64) -> Vec<Reply> {
        let owned = argv.iter().map(|a| a.to_vec()).collect();
        self.execute(index, client, owned, now_ms);
        self.take_output(index, client)
    }

    pub fn take_output(&mut self, index: usize, client: ClientId) -> Vec<Reply> {
        self.members.get_mut(index).map(|m| m.node.take_output(client)).unwrap_or_default()
    }

    /// Moves the virtual clock: nodes fire their timers, and nodes stopped
    /// for longer than the node timeout are marked failed (and failed over).
    pub fn advance(&mut self, now_ms: u64) {
        if now_ms <= self.now_ms {
            return;
        }
        self.now_ms = now_ms;
        for index in 0..self.members.len() {
            if self.members[index].running {
                self.members[index].node.advance(now_ms);
                self.pump(index);
            }
        }
        self.detect_failures();
    }

    /// Delivers everything node `from` queued, until nothing is left.
    fn pump(&mut self, from: usize) {
        loop {
            let events = match self.members.get_mut(from).and_then(|m| m.node.cluster_state_mut()) {
                Some(state) if !state.outgoing.is_empty() => core::mem::take(&mut state.outgoing),
                _ => return,
            };
            for event in events {
                self.deliver(from, event);
            }
            self.sync_traffic();
        }
    }

    fn deliver(&mut self, from: usize, event: Outgoing) {
        let now = self.now_ms;
        match event {
            Outgoing::Publish { channel, message } => {
                let bytes = bus::publish_bytes(&channel, &message);
                for to in 0..self.members.len() {
                    if to != from && self.members[to].running {
                        self.bus.record(from, to, Kind::Publish, bytes);
                        self.members[to].node.publish(&CLASSIC, &channel, &message);
                    }
                }
            }
            Outgoing::PublishShard { channel, message } => {
                let bytes = bus::publish_bytes(&channel, &message);
                let shard = self.topology.shard_primary(from);
                for to in 0..self.members.len() {
                    if to != from && self.members[to].running && self.topology.shard_primary(to) == shard {
                        self.bus.record(from, to, Kind::PublishShard, bytes);
                        self.members[to].node.publish(&SHARD, &channel, &message);
                    }
                }
            }
            Outgoing::Replicate { db, argv } => {
                let replicas: Vec<usize> = self.topology.replicas_of(from).collect();
                for replica in replicas {
                    let member = &mut self.members[replica];
                    if !member.running {
                        continue;
                    }
                    let link = match member.node.cluster_state().and_then(|s| s.primary_link) {
                        Some(link) => link,
                        None => {
                            let link = member.node.connect(now);
                            if let Some(state) = member.node.cluster_state_mut() {
                                state.primary_link = Some(link);
                            }
                            link
                        }
                    };
                    member.node.execute_replicated(link, db, argv.clone(), now);
                }
            }
            Outgoing::SlotOwner { slot, node } => self.assign_slot(slot, node),
            Outgoing::Failover { force } => {
                let _ = self.failover(from, force);
            }
            Outgoing::Migrate(request) => {
                let client = request.client;
                let reply = self.migrate(from, request);
                self.members[from].node.send(client, reply);
            }
        }
    }

    /// Carries out a MIGRATE from node `from` and returns its reply. The
    /// target gets what Redis sends it — AUTH, SELECT, then one RESTORE
    /// ASKING per key — and answers as it would: RESTORE is refused with
    /// MOVED unless the target serves or imports the slot, and with BUSYKEY
    /// when the key exists and REPLACE was not given. A failed AUTH or SELECT
    /// does not stop the restores, but the source then keeps every key.
    fn migrate(&mut self, from: usize, request: state::MigrateRequest) -> Reply {
        let now = self.now_ms;
        let target = u16::try_from(request.port).ok().and_then(|port| self.index_of_port(port));
        let Some(to) = target.filter(|&to| self.members[to].running) else {
            return Reply::Error(b"IOERR error or timeout writing to target instance".to_vec());
        };
        if to == from {
            // The node would wait for its own answer until the timeout.
            return Reply::Error(b"IOERR error or timeout reading to target instance".to_vec());
        }
        let link = self.members[to].node.connect(now);
        let mut first_error: Option<Vec<u8>> = None;
        let mut handshake = Vec::new();
        if let Some((user, password)) = &request.auth {
            let mut argv = alloc::vec![b"AUTH".to_vec()];
            argv.extend(user.iter().cloned());
            argv.push(password.clone());
            handshake.push(argv);
        }
        handshake.push(alloc::vec![b"SELECT".to_vec(), alloc::format!("{}", request.target_db).into_bytes()]);
        let mut handshake_failed = false;
        for argv in handshake {
            self.members[to].node.execute(link, argv, now);
            for reply in self.members[to].node.take_output(link) {
                if let Reply::Error(text) = reply {
                    handshake_failed = true;
                    first_error.get_or_insert(text);
                }
            }
        }
        let target_db = self.members[to].node.client(link).map_or(0, |c| c.db);
        // A target with a password refuses every RESTORE until AUTH succeeds.
        let locked = self.members[to].node.auth_required(link);
        self.members[to].node.disconnect(link);
        let target_nodes: Vec<usize> = core::iter::once(to).chain(self.topology.replicas_of(to)).collect();
        let mut moved = Vec::new();
        for (key, entry, expire_at) in request.keys {
            let verdict = match locked {
                true => Err(b"NOAUTH Authentication required.".to_vec()),
                false => self.restore_check(to, target_db, &key, request.replace),
            };
            if let Err(text) = verdict {
                first_error.get_or_insert(text);
                continue;
            }
            let mut entry = entry;
            entry.accessed_ms = now;
            for &node in &target_nodes {
                if self.members[node].running {
                    let db = &mut self.members[node].node.dbs[target_db];
                    db.remove(&key, now);
                    db.insert_entry(&key, entry.clone(), expire_at);
                }
            }
            if !request.copy && !handshake_failed {
                self.members[from].node.dbs[request.source_db].remove(&key, now);
                moved.push(key);
            }
        }
        self.members[to].node.after_command();
        self.members[from].node.after_command();
        if !moved.is_empty() {
            let mut argv = alloc::vec![b"DEL".to_vec()];
            argv.extend(moved);
            self.deliver(from, Outgoing::Replicate { db: request.source_db, argv });
        }
        match first_error {
            Some(text) => {
                let mut message = b"ERR Target instance replied with error: ".to_vec();
                message.extend_from_slice(&text);
                Reply::Error(message)
            }
            None => Reply::ok(),
        }
    }

    /// Whether node `to` accepts `RESTORE key ... [REPLACE]` sent after ASKING.
    fn restore_check(&mut self, to: usize, db: usize, key: &[u8], replace: bool) -> Result<(), Vec<u8>> {
        let now = self.now_ms;
        let node = &mut self.members[to].node;
        if let Some(state) = node.cluster_state() {
            let slot = slot::key_slot(key);
            let owner = state.view.owner(slot);
            if owner.is_none() {
                return Err(state::CLUSTERDOWN_UNBOUND.as_bytes().to_vec());
            }
            if !state.view_ok {
                return Err(state::CLUSTERDOWN.as_bytes().to_vec());
            }
            if owner != Some(state.myself) && !state.importing.contains_key(&slot) {
                let address = owner.and_then(|o| state.view.nodes.get(o)).map(|n| n.address()).unwrap_or_default();
                return Err(alloc::format!("MOVED {} {}", slot, address).into_bytes());
            }
        }
        if !replace && node.dbs[db].contains(key, now) {
            return Err(b"BUSYKEY Target key name already exists.".to_vec());
        }
        Ok(())
    }

    /// Copies each node's bus counters into its state for CLUSTER INFO.
    fn sync_traffic(&mut self) {
        for (index, member) in self.members.iter_mut().enumerate() {
            let traffic = self.bus.node(index);
            if let Some(state) = member.node.cluster_state_mut() {
                state.traffic = traffic;
            }
        }
    }

    /// Gives `slot` to primary `node` in every view (a new config epoch for
    /// it); shard subscribers of the slot on the shard that lost it are told.
    pub fn assign_slot(&mut self, slot: u16, node: usize) {
        let old = self.topology.owner(slot);
        if old == Some(node) || !self.topology.nodes.get(node).is_some_and(|n| n.is_primary()) {
            return;
        }
        self.topology.current_epoch += 1;
        let epoch = self.topology.current_epoch;
        self.topology.nodes[node].config_epoch = epoch;
        if let Some(entry) = self.topology.slots.get_mut(slot as usize) {
            *entry = node as u16;
        }
        let ok = self.topology.is_ok();
        for member in &mut self.members {
            if let Some(state) = member.node.cluster_state_mut() {
                state.view.current_epoch = epoch;
                state.view.nodes[node].config_epoch = epoch;
                state.view.slots[slot as usize] = node as u16;
                if Some(state.myself) == old {
                    state.migrating.remove(&slot);
                }
                if state.myself == node {
                    state.importing.remove(&slot);
                }
                state.view_ok = ok;
            }
        }
        if let Some(old) = old {
            let losers: Vec<usize> = core::iter::once(old).chain(self.topology.replicas_of(old)).collect();
            for loser in losers {
                self.members[loser].node.drop_shard_channels(|channel| slot::key_slot(channel) == slot);
            }
        }
    }

    /// Sends the authoritative topology to every node (after a role change).
    fn broadcast_topology(&mut self) {
        for member in &mut self.members {
            let topology = self.topology.clone();
            if let Some(state) = member.node.cluster_state_mut() {
                state.set_view(topology);
            }
        }
    }

    /// Makes replica `replica` the primary of its shard: it takes the
    /// slots; the old primary and the other replicas follow it.
    pub fn failover(&mut self, replica: usize, force: bool) -> Result<(), ClusterError> {
        let info = self.topology.nodes.get(replica).ok_or(ClusterError::NoSuchNode)?;
        let Some(old) = info.primary else { return Err(ClusterError::NotAPrimary) };
        if !force && !self.is_running(old) {
            return Err(ClusterError::NodeDown);
        }
        self.promote(replica, old);
        if self.is_running(old) {
            self.topology.nodes[old].primary = Some(replica);
            self.ensure_link(old);
        } else {
            self.members[old].replaced_by = Some(replica);
        }
        self.broadcast_topology();
        Ok(())
    }

    fn promote(&mut self, replica: usize, old: usize) {
        self.topology.current_epoch += 1;
        let epoch = self.topology.current_epoch;
        self.topology.nodes[replica].primary = None;
        self.topology.nodes[replica].config_epoch = epoch;
        for n in 0..self.topology.nodes.len() {
            if n != replica && self.topology.nodes[n].primary == Some(old) {
                self.topology.nodes[n].primary = Some(replica);
            }
        }
        for owner in self.topology.slots.iter_mut() {
            if *owner as usize == old {
                *owner = replica as u16;
            }
        }
    }

    fn ensure_link(&mut self, index: usize) {
        let now = self.now_ms;
        let member = &mut self.members[index];
        if member.node.cluster_state().is_some_and(|s| s.primary_link.is_none()) {
            let link = member.node.connect(now);
            if let Some(state) = member.node.cluster_state_mut() {
                state.primary_link = Some(link);
            }
        }
    }

    /// Stops node `index`: it answers nothing until restarted. After the node
    /// timeout the others mark it failed and, for a primary, promote a replica.
    pub fn stop(&mut self, index: usize, now_ms: u64) -> Result<(), ClusterError> {
        self.advance(now_ms);
        let member = self.members.get_mut(index).ok_or(ClusterError::NoSuchNode)?;
        if member.running {
            member.running = false;
            member.down_since = Some(self.now_ms);
            self.topology.nodes[index].link_down = true;
            self.broadcast_topology();
        }
        Ok(())
    }

    /// Restarts node `index`. A primary that was replaced rejoins as a
    /// replica of its replacement; any replica copies its primary's data.
    pub fn restart(&mut self, index: usize, now_ms: u64) -> Result<(), ClusterError> {
        self.advance(now_ms);
        let member = self.members.get_mut(index).ok_or(ClusterError::NoSuchNode)?;
        if member.running {
            return Ok(());
        }
        member.running = true;
        member.down_since = None;
        member.failed_at = None;
        let replaced_by = member.replaced_by.take();
        member.node.advance(self.now_ms);
        let info = &mut self.topology.nodes[index];
        info.failed = false;
        info.suspected = false;
        info.link_down = false;
        if let Some(new_primary) = replaced_by {
            let shard_primary = self.topology.shard_primary(new_primary);
            self.topology.nodes[index].primary = Some(shard_primary);
        }
        if let Some(primary) = self.topology.nodes[index].primary {
            self.ensure_link(index);
            self.full_sync(primary, index);
        }
        self.broadcast_topology();
        Ok(())
    }

    /// Replaces `replica`'s data with a copy of `primary`'s.
    fn full_sync(&mut self, primary: usize, replica: usize) {
        let now = self.now_ms;
        let copies: Vec<Vec<KeyCopy>> = (0..DATABASES)
            .map(|i| {
                let db = &self.members[primary].node.dbs[i];
                db.live_entries(now).map(|(k, e)| (k.to_vec(), e.clone(), db.expire_at(k))).collect()
            })
            .collect();
        let target = &mut self.members[replica].node;
        for (i, entries) in copies.into_iter().enumerate() {
            let mut db = Db::new();
            for (key, entry, expire_at) in entries {
                db.insert_entry(&key, entry, expire_at);
            }
            target.dbs[i] = db;
        }
    }

    /// Moves stopped nodes along PFAIL, FAIL and (for a primary with a
    /// live replica) the replica's promotion, as virtual time allows.
    fn detect_failures(&mut self) {
        let now = self.now_ms;
        for index in 0..self.members.len() {
            let Some(since) = self.members[index].down_since else { continue };
            let suspect_at = since.saturating_add(self.node_timeout_ms);
            let fail_at = suspect_at.saturating_add(FAIL_AGREEMENT_MS);
            let mut changed = false;
            let info = &mut self.topology.nodes[index];
            if now >= suspect_at && !info.failed && !info.suspected {
                info.suspected = true;
                changed = true;
            }
            if now >= fail_at && !info.failed {
                info.failed = true;
                info.suspected = false;
                self.members[index].failed_at = Some(fail_at);
                changed = true;
                // One running node reaches the verdict and tells every other one.
                if let Some(reporter) = (0..self.members.len()).find(|&i| self.members[i].running) {
                    for to in 0..self.members.len() {
                        if to != reporter && self.members[to].running {
                            self.bus.record(reporter, to, Kind::Fail, bus::control_bytes(Kind::Fail));
                        }
                    }
                }
            }
            let elected_at = self.members[index].failed_at.map(|at| at.saturating_add(ELECTION_DELAY_MS));
            let awaits_election = self.topology.nodes[index].is_primary() && self.members[index].replaced_by.is_none();
            if awaits_election && elected_at.is_some_and(|at| now >= at) {
                let candidate = self.topology.replicas_of(index).find(|&r| self.members[r].running);
                if let Some(replica) = candidate {
                    self.promote(replica, index);
                    self.members[index].replaced_by = Some(replica);
                    changed = true;
                }
            }
            if changed {
                self.broadcast_topology();
                self.sync_traffic();
            }
        }
    }

    /// Starts moving `slot` to primary `to`: the owner marks it MIGRATING,
    /// `to` marks it IMPORTING (as CLUSTER SETSLOT does on each side).
    pub fn begin_migration(&mut self, slot: u16, to: usize) -> Result<(), ClusterError> {
        let from = self.topology.owner(slot).ok_or(ClusterError::NoSuchNode)?;
        if !self.topology.nodes.get(to).is_some_and(|n| n.is_primary()) {
            return Err(ClusterError::NotAPrimary);
        }
        if from == to {
            return Ok(());
        }
        if let Some(state) = self.members[from].node.cluster_state_mut() {
            state.migrating.insert(slot, to);
        }
        if let Some(state) = self.members[to].node.cluster_state_mut() {
            state.importing.insert(slot, from);
        }
        Ok(())
    }

    /// Moves up to `count` keys of `slot` (database 0) from its owner to the
    /// node it migrates to, on the replicas too (as MIGRATE does). Returns
    /// how many moved.
    pub fn migrate_keys(&mut self, slot: u16, count: usize) -> usize {
        let Some(from) = self.topology.owner(slot) else { return 0 };
        let Some(to) = self.members[from].node.cluster_state().and_then(|s| s.migrating.get(&slot).copied()) else {
            return 0;
        };
        let now = self.now_ms;
        // In CLUSTER GETKEYSINSLOT order, as `redis-cli --cluster reshard` moves them.
        let keys = crate::commands::cluster::keys_in_slot(&self.members[from].node.dbs[0], slot, count, now);
        let sources: Vec<usize> = core::iter::once(from).chain(self.topology.replicas_of(from)).collect();
        let targets: Vec<usize> = core::iter::once(to).chain(self.topology.replicas_of(to)).collect();
        for key in &keys {
            let mut moved = None;
            for &source in &sources {
                let taken = self.members[source].node.dbs[0].take(key, now);
                if source == from {
                    moved = taken;
                }
            }
            let Some((entry, expire_at)) = moved else { continue };
            for &target in &targets {
                let db = &mut self.members[target].node.dbs[0];
                db.remove(key, now);
                db.insert_entry(key, entry.clone(), expire_at);
            }
            self.members[to].node.after_command();
        }
        keys.len()
    }

    /// Finishes a migration: the importing node owns `slot` now.
    pub fn end_migration(&mut self, slot: u16) {
        let Some(from) = self.topology.owner(slot) else { return };
        let Some(to) = self.members[from].node.cluster_state().and_then(|s| s.migrating.get(&slot).copied()) else {
            return;
        };
        self.assign_slot(slot, to);
    }

    /// Moves every slot in `first..=last` to primary `to` with its keys;
    /// returns the number of keys moved.
    pub fn reshard(&mut self, first: u16, last: u16, to: usize) -> Result<usize, ClusterError> {
        if !self.topology.nodes.get(to).is_some_and(|n| n.is_primary()) {
            return Err(ClusterError::NotAPrimary);
        }
        let mut moved = 0;
        for slot in first..=last.min(slot::SLOTS as u16 - 1) {
            if self.topology.owner(slot) == Some(to) || self.topology.owner(slot).is_none() {
                continue;
            }
            self.begin_migration(slot, to)?;
            moved += self.migrate_keys(slot, usize::MAX);
            self.end_migration(slot);
        }
        Ok(moved)
    }
}

#[cfg(test)]
mod tests;
