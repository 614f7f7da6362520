//! What one node knows about its cluster, and the redirection check every
//! command passes before it runs (MOVED, ASK, CROSSSLOT, TRYAGAIN, CLUSTERDOWN).
//!
//! Each node keeps its own view of the topology (as each Redis node does);
//! the [`super::Cluster`] driver keeps the views in step, standing in for the
//! gossip of the cluster bus. What a node wants to tell the others — a
//! message published, a write for its replicas, a slot handed over — goes
//! into its `outgoing` queue, which the driver empties after every command.

use crate::vec_map::{VecMap, VecSet};
use alloc::vec::Vec;

use super::slot::key_slot;
use super::topology::Topology;
use crate::commands::{self, flags, Outcome};
use crate::error::Error;
use crate::node::{ClientId, Node, Resolved};
use crate::reply::Reply;

/// Something a node sends over the (simulated) cluster bus or replication link.
#[derive(Clone, Debug, PartialEq)]
pub enum Outgoing {
    /// PUBLISH: every other node delivers it to its subscribers.
    Publish { channel: Vec<u8>, message: Vec<u8> },
    /// SPUBLISH: only the other nodes of the shard deliver it.
    PublishShard { channel: Vec<u8>, message: Vec<u8> },
    /// A write that ran on a primary, for its replicas to run again.
    Replicate { db: usize, argv: Vec<Vec<u8>> },
    /// CLUSTER SETSLOT <slot> NODE <node>: the slot's new owner.
    SlotOwner { slot: u16, node: usize },
    /// CLUSTER FAILOVER on a replica.
    Failover { force: bool },
    /// MIGRATE: keys for another node; the driver replies to the client.
    Migrate(MigrateRequest),
}

/// A MIGRATE the driver carries out: the keys, copied from the source's
/// database, go to the node listening on `port`.
#[derive(Clone, Debug, PartialEq)]
pub struct MigrateRequest {
    pub client: ClientId,
    pub port: u32,
    pub source_db: usize,
    pub target_db: i64,
    pub copy: bool,
    pub replace: bool,
    pub auth: Option<(Option<Vec<u8>>, Vec<u8>)>,
    /// Each key with its entry and expiry time, as they were when MIGRATE ran.
    pub keys: Vec<(Vec<u8>, crate::db::Entry, Option<u64>)>,
}

/// One node's cluster state.
#[derive(Clone, Debug)]
pub struct NodeCluster {
    /// This node's index in the topology.
    pub myself: usize,
    pub view: Topology,
    /// Slots this node is handing to another node (CLUSTER SETSLOT MIGRATING).
    pub migrating: VecMap<u16, usize>,
    /// Slots this node is receiving (CLUSTER SETSLOT IMPORTING).
    pub importing: VecMap<u16, usize>,
    /// Clients whose next command may touch an importing slot (ASKING).
    pub asking: VecSet<ClientId>,
    /// Clients that read from replicas (READONLY).
    pub readonly: VecSet<ClientId>,
    /// On a replica, the client its primary's writes arrive through.
    pub primary_link: Option<ClientId>,
    pub outgoing: Vec<Outgoing>,
    /// Bytes of writes sent to replicas (or received from the primary).
    pub repl_offset: u64,
    /// This node's bus traffic, kept up to date by the driver for CLUSTER INFO.
    pub traffic: super::bus::NodeTraffic,
    /// `view.is_ok()`, cached: every slot served by a node not marked FAIL.
    pub view_ok: bool,
}

impl NodeCluster {
    pub fn new(myself: usize, view: Topology) -> NodeCluster {
        let view_ok = view.is_ok();
        NodeCluster {
            view_ok,
            myself,
            view,
            migrating: VecMap::new(),
            importing: VecMap::new(),
            asking: VecSet::new(),
            readonly: VecSet::new(),
            primary_link: None,
            outgoing: Vec::new(),
            repl_offset: 0,
            traffic: Default::default(),
        }
    }

    /// Replaces the view (the driver's gossip) and refreshes what is cached from it.
    pub fn set_view(&mut self, view: Topology) {
        self.view_ok = view.is_ok();
        self.view = view;
    }

    pub fn is_primary(&self) -> bool {
        self.view.nodes.get(self.myself).is_some_and(|n| n.is_primary())
    }
}

/// `MOVED <slot> <addr>` / `ASK <slot> <addr>`.
fn redirect(kind: &str, slot: u16, view: &Topology, node: usize) -> Error {
    let address = view.nodes.get(node).map(|n| n.address()).unwrap_or_default();
    Error::text(alloc::format!("{} {} {}", kind, slot, address))
}

pub const CROSSSLOT: &str = "CROSSSLOT Keys in request don't hash to the same slot";
pub const TRYAGAIN: &str = "TRYAGAIN Multiple keys request during rehashing of slot";
pub const CLUSTERDOWN_UNBOUND: &str = "CLUSTERDOWN Hash slot not served";
pub const CLUSTERDOWN: &str = "CLUSTERDOWN The cluster is down";

impl Node {
    /// This node's cluster state, when it is part of a cluster.
    pub fn cluster_state(&self) -> Option<&NodeCluster> {
        self.cluster.as_deref()
    }

    pub fn cluster_state_mut(&mut self) -> Option<&mut NodeCluster> {
        self.cluster.as_deref_mut()
    }

    /// Makes this node a member of a cluster (or a standalone server again with `None`).
    pub fn set_cluster_state(&mut self, state: Option<NodeCluster>) {
        self.cluster = state.map(alloc::boxed::Box::new);
    }

    /// Decides whether this node serves the command, as Redis 7.0 does before
    /// running (or queueing) it: all keys must share a slot (for EXEC: all the
    /// keys of every queued command); the slot must be ours — or migrating
    /// with every key still here, or importing after ASKING, or served by our
    /// primary for a READONLY read (shard channels need no READONLY) —
    /// otherwise the client is redirected. ASKING lasts one command (outside MULTI).
    pub(crate) fn check_cluster(&mut self, client: ClientId, resolved: Resolved, argv: &[Vec<u8>]) -> Result<Resolved, Error> {
        let Some(state) = self.cluster.as_deref_mut() else { return Ok(resolved) };
        if state.primary_link == Some(client) {
            return Ok(resolved);
        }
        let name = resolved.spec.name;
        let in_multi = self.client(client).is_some_and(|c| c.in_multi());
        let Some(state) = self.cluster.as_deref_mut() else { return Ok(resolved) };
        let asking = state.asking.contains(&client);
        let is_asking = name == "asking" && resolved.parent.is_none();
        if !(in_multi || is_asking) {
            state.asking.remove(&client);
        }
        let readonly_client = state.readonly.contains(&client);
        let is_exec = name == "exec" && resolved.parent.is_none();
        // The commands whose keys count, with their specs.
        let mut commands_to_check: Vec<(Resolved, Vec<Vec<u8>>)> = Vec::new();
        if is_exec {
            let queued = self.client(client).and_then(|c| c.multi.as_ref()).map(|m| m.queued.clone());
            let Some(queued) = queued else { return Ok(resolved) };
            for q in queued {
                if let Ok(r) = self.resolve(&q) {
                    commands_to_check.push((r, q));
                }
            }
        } else {
            if !resolved.spec.has_flag(flags::MOVABLE_KEYS) && resolved.spec.keys.first <= 0 {
                return Ok(resolved);
            }
            commands_to_check.push((resolved, argv.to_vec()));
        }
        let db = self.client(client).map_or(0, |c| c.db);
        let now = self.now_ms();
        let mut slot: Option<u16> = None;
        let mut is_write = false;
        let mut shard_pubsub = false;
        let (mut existing, mut missing, mut keys_seen) = (0usize, 0usize, 0usize);
        for (r, cargv) in &commands_to_check {
            is_write |= r.spec.has_flag(flags::WRITE);
            let pubsub_shard = matches!(r.spec.name, "spublish" | "ssubscribe" | "sunsubscribe");
            shard_pubsub |= pubsub_shard;
            for index in commands::keys_of(r.spec, cargv) {
                let Some(key) = cargv.get(index) else { continue };
                let key_slot = key_slot(key);
                match slot {
                    None => slot = Some(key_slot),
                    Some(s) if s != key_slot => {
                        if is_exec {
                            self.discard_transaction(client);
                        }
                        return Err(Error::text(CROSSSLOT));
                    }
                    Some(_) => {}
                }
                keys_seen += 1;
                let Some(state) = self.cluster.as_deref() else { return Ok(resolved) };
                let open = state.migrating.contains_key(&key_slot) || state.importing.contains_key(&key_slot);
                if open && !pubsub_shard {
                    let last_db = self.dbs.len().saturating_sub(1);
                    if self.dbs[db.min(last_db)].contains(key, now) {
                        existing += 1;
                    } else {
                        missing += 1;
                    }
                }
            }
        }
        let Some(slot) = slot else { return Ok(resolved) };
        let Some(state) = self.cluster.as_deref() else { return Ok(resolved) };
        let view = &state.view;
        let verdict = (|| {
            let Some(owner) = view.owner(slot) else { return Err(Error::text(CLUSTERDOWN_UNBOUND)) };
            if !state.view_ok {
                return Err(Error::text(CLUSTERDOWN));
            }
            let myself = state.myself;
            // MIGRATE runs here whenever its slot is open, so resharding can
            // move keys between the two nodes freely.
            if name == "migrate" && (state.migrating.contains_key(&slot) || state.importing.contains_key(&slot)) {
                return Ok(());
            }
            if owner == myself {
                if let (Some(&target), true) = (state.migrating.get(&slot), missing > 0) {
                    if existing > 0 {
                        return Err(Error::text(TRYAGAIN));
                    }
                    return Err(redirect("ASK", slot, view, target));
                }
                return Ok(());
            }
            if state.importing.contains_key(&slot) && asking {
                if keys_seen > 1 && missing > 0 {
                    return Err(Error::text(TRYAGAIN));
                }
                return Ok(());
            }
            let my_primary = view.nodes.get(myself).and_then(|n| n.primary);
            if (readonly_client || shard_pubsub) && !is_write && my_primary == Some(owner) {
                return Ok(());
            }
            Err(redirect("MOVED", slot, view, owner))
        })();
        if verdict.is_err() && is_exec {
            self.discard_transaction(client);
        }
        verdict.map(|()| resolved)
    }

    /// Records a write that just ran on a primary for its replicas.
    pub(crate) fn note_write(&mut self, client: ClientId, resolved: Resolved, argv: &[Vec<u8>], outcome: &Outcome) {
        let Some(state) = self.cluster.as_deref() else { return };
        if !resolved.spec.has_flag(flags::WRITE) || !state.is_primary() || state.view.replicas_of(state.myself).next().is_none() {
            return;
        }
        // The driver replicates a MIGRATE as the DEL of the keys it moved.
        if resolved.spec.name == "migrate" {
            return;
        }
        if let Outcome::Reply(Reply::Error(_)) = outcome {
            return;
        }
        let db = self.client(client).map_or(0, |c| c.db);
        if let Some(state) = self.cluster.as_deref_mut() {
            state.repl_offset += argv.iter().map(|a| a.len() as u64 + 16).sum::<u64>();
            state.outgoing.push(Outgoing::Replicate { db, argv: argv.to_vec() });
        }
    }

    /// Runs a write received from this replica's primary: never blocks and
    /// is never redirected.
    pub(crate) fn execute_replicated(&mut self, link: ClientId, db: usize, argv: Vec<Vec<u8>>, now_ms: u64) {
        self.advance(now_ms);
        if let Some(c) = self.client_mut(link) {
            c.db = db.min(crate::node::DATABASES - 1);
        }
        let Ok(resolved) = self.resolve(&argv) else { return };
        if let Some(state) = self.cluster.as_deref_mut() {
            state.repl_offset += argv.iter().map(|a| a.len() as u64 + 16).sum::<u64>();
        }
        self.run(link, resolved, &argv, false);
        self.take_output(link);
        self.after_command();
    }
}
