//! One Redis instance: its databases, its connected clients with their
//! outboxes, and the loop that looks a command up, checks it and runs it.
//!
//! Every command's replies (and anything pushed to other clients) land in
//! outboxes, already shaped for each client's protocol; front ends drain them.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::commands::{self, Block, CommandSpec, Ctx, Outcome};
use crate::config::Config;
use crate::db::{Db, Map};
use crate::error::Error;
use crate::reply::{Protocol, Reply};
use crate::vec_map::VecMap;

pub type ClientId = u64;

/// How often `advance` removes keys whose time has passed (Redis: hz 10).
const EXPIRY_SWEEP_INTERVAL_MS: u64 = 100;

/// The share of `used_memory` a fresh node reports before holding any key.
pub const BASELINE_MEMORY_BYTES: usize = 850 * 1024;

/// Number of databases, as Redis's default `databases 16`.
pub const DATABASES: usize = 16;

/// What happened to the command just executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Its replies are in the client's outbox.
    Done,
    /// The client waits; its reply arrives in the outbox later.
    Blocked,
    /// The client asked to close the connection (QUIT); the reply is in the outbox.
    Closed,
}

/// Per-connection state.
pub struct Client {
    pub id: ClientId,
    pub db: usize,
    pub protocol: Protocol,
    pub name: Option<Vec<u8>>,
    /// The address shown by CLIENT LIST (`127.0.0.1:<port>`), made up per client.
    pub addr: String,
    pub connected_ms: u64,
    pub last_command_ms: u64,
    /// The last command run, for CLIENT LIST's `cmd=` (`None` before the first).
    pub last_command: Option<Resolved>,
    /// Commands queued since MULTI; `None` outside a transaction.
    pub(crate) multi: Option<Multi>,
    /// Keys this client WATCHes.
    pub(crate) watched: Vec<WatchedKey>,
    /// A watched key changed: the next EXEC fails.
    pub(crate) watch_invalidated: bool,
    /// The client asked to be closed (CLIENT KILL of itself): after its reply.
    pub(crate) close_requested: bool,
    /// Set while the client waits in a blocking command.
    pub(crate) blocked: Option<Blocked>,
    /// Commands that arrived while blocked; they run once it is unblocked.
    pending: VecDeque<Vec<Vec<u8>>>,
    /// Set by a handler that returns `Outcome::Block`: the argv to store for
    /// re-runs instead of the one typed (XREAD's `$` resolved to an ID).
    pub(crate) rerun_argv: Option<Vec<Vec<u8>>>,
    /// Replies waiting to be read, each with the protocol it was produced for.
    outbox: VecDeque<(Queued, Protocol)>,
    /// Channels, patterns and shard channels this client listens on (pubsub.rs).
    pub(crate) subs: crate::pubsub::Subscriptions,
    /// False until AUTH succeeds while `requirepass` is set; only NO_AUTH
    /// commands run before that.
    pub authenticated: bool,
}

/// A reply waiting in an outbox: a client's own, or one frame shared by all
/// the clients a publish reaches (built and encoded once instead of once per
/// subscriber).
#[derive(Debug)]
pub(crate) enum Queued {
    Own(Reply),
    /// Wire bytes for the protocol queued alongside.
    Shared(Arc<Vec<u8>>),
    /// Wire bytes of a frame only this client receives (a message with one
    /// receiver needs no shared count).
    Frame(Vec<u8>),
}

/// A queued frame's bytes decoded back into the reply they encode.
fn frame_reply(frame: &[u8]) -> Reply {
    crate::resp::decode_reply(frame).ok().flatten().map_or(Reply::NilArray, |(reply, _)| reply)
}

/// Bytes a shared frame's encoding starts with room for (a pub/sub message
/// with short names fits).
const SHARED_FRAME_RESERVE: usize = 96;

impl Queued {
    /// The typed reply (a `BulkArray` expanded to its `Array`).
    fn into_reply(self) -> Reply {
        match self {
            Queued::Own(reply) => reply.expanded(),
            // Decoding the bytes gives back the reply shaped for their protocol.
            Queued::Shared(frame) => frame_reply(&frame),
            Queued::Frame(frame) => frame_reply(&frame),
        }
    }

    /// Appends the reply's wire bytes (`protocol` is the one it was shaped for).
    fn write(&self, protocol: Protocol, out: &mut Vec<u8>) {
        match self {
            Queued::Own(reply) => crate::resp::encode(reply, protocol, out),
            Queued::Shared(frame) => out.extend_from_slice(frame),
            Queued::Frame(frame) => out.extend_from_slice(frame),
        }
    }

    /// Bytes `write` appends, exactly for a shared frame, a guess for others.
    fn size_hint(&self) -> usize {
        match self {
            Queued::Own(_) => 16,
            Queued::Shared(frame) => frame.len(),
            Queued::Frame(frame) => frame.len(),
        }
    }
}

/// A client waiting in a blocking command.
pub(crate) struct Blocked {
    pub(crate) argv: Vec<Vec<u8>>,
    pub(crate) db: usize,
    pub(crate) keys: Vec<Vec<u8>>,
    pub(crate) deadline_ms: Option<u64>,
    pub(crate) on_timeout: Reply,
    pub(crate) since_ms: u64,
}

/// A transaction being queued.
#[derive(Default)]
pub(crate) struct Multi {
    pub(crate) queued: Vec<Vec<Vec<u8>>>,
    /// A queued command was rejected (unknown, wrong arity...): EXEC aborts.
    pub(crate) failed: bool,
}

pub(crate) struct WatchedKey {
    pub(crate) db: usize,
    pub(crate) key: Vec<u8>,
    /// The key had already expired when it was watched (then its later
    /// removal is not a change).
    pub(crate) expired_when_watched: bool,
}

impl Client {
    pub fn in_multi(&self) -> bool {
        self.multi.is_some()
    }

    pub fn watched_count(&self) -> usize {
        self.watched.len()
    }

    /// Queues `reply` in the outbox, shaped for the client's protocol.
    fn queue_reply(&mut self, reply: Reply) {
        let shaped = reply.for_protocol(self.protocol);
        self.outbox.push_back((Queued::Own(shaped), self.protocol));
    }

    pub fn is_blocked(&self) -> bool {
        self.blocked.is_some()
    }

    /// When the client started waiting, if it is blocked.
    pub fn blocked_since_ms(&self) -> Option<u64> {
        self.blocked.as_ref().map(|b| b.since_ms)
    }

    pub fn subscriptions(&self) -> &crate::pubsub::Subscriptions {
        &self.subs
    }
}

/// A command found in the table, with its container for subcommands.
#[derive(Clone, Copy)]
pub struct Resolved {
    pub spec: &'static CommandSpec,
    pub parent: Option<&'static CommandSpec>,
}

impl Resolved {
    /// `get`, or `client|list` for a subcommand.
    pub fn full_name(&self) -> String {
        match self.parent {
            Some(parent) => alloc::format!("{}|{}", parent.name, self.spec.name),
            None => String::from(self.spec.name),
        }
    }
}

pub struct Node {
    pub(crate) dbs: Vec<Db>,
    clients: BTreeMap<ClientId, Client>,
    /// Final replies of clients that closed (QUIT), until the front end takes them.
    closed_outboxes: VecMap<ClientId, VecDeque<(Queued, Protocol)>>,
    next_client_id: ClientId,
    commands: Map<&'static [u8], &'static CommandSpec>,
    /// The command `command` found last: pipelines mostly repeat one
    /// command, and comparing its name is cheaper than hashing it.
    last_looked_up: core::cell::Cell<Option<&'static CommandSpec>>,
    now_ms: u64,
    /// Number of WATCHed keys over all clients; zero skips watch bookkeeping.
    pub(crate) watch_count: usize,
    /// Clients blocked on each (database, key), in the order they blocked.
    /// (Sorted vectors, not trees: usually a handful of entries, and each
    /// tree type costs the wasm build kilobytes of code.)
    blocked_on: VecMap<(usize, Vec<u8>), VecDeque<ClientId>>,
    /// Clients unblocked with commands waiting to run (see `flush_unblocked`).
    unblocked: VecDeque<ClientId>,
    /// Blocked clients with a deadline, by deadline then id.
    deadlines: crate::vec_map::VecSet<(u64, ClientId)>,
    pub(crate) stats: Stats,
    pub config: Config,
    last_expiry_sweep_ms: u64,
    clock_started: bool,
    /// Who listens on which channel and pattern (pubsub.rs).
    pub(crate) pubsub: crate::pubsub::Registry,
    /// Set when this node is a member of a cluster (cluster/state.rs).
    pub(crate) cluster: Option<alloc::boxed::Box<crate::cluster::NodeCluster>>,
}

/// Counters INFO reports.
#[derive(Default, Clone)]
pub struct Stats {
    pub connections_received: u64,
    pub commands_processed: u64,
    pub start_ms: u64,
}

impl Default for Node {
    fn default() -> Self {
        Node::new()
    }
}

impl Node {
    pub fn new() -> Node {
        let mut index = Map::default();
        for spec in commands::all() {
            index.insert(spec.name.as_bytes(), spec);
        }
        Node {
            dbs: (0..DATABASES).map(|_| Db::new()).collect(),
            clients: BTreeMap::new(),
            closed_outboxes: VecMap::new(),
            next_client_id: 1,
            commands: index,
            last_looked_up: core::cell::Cell::new(None),
            now_ms: 0,
            watch_count: 0,
            blocked_on: VecMap::new(),
            deadlines: crate::vec_map::VecSet::new(),
            unblocked: VecDeque::new(),
            stats: Stats::default(),
            config: Config::default(),
            last_expiry_sweep_ms: 0,
            clock_started: false,
            pubsub: crate::pubsub::Registry::default(),
            cluster: None,
        }
    }

    /// The virtual time of the last call.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// Moves the virtual clock forward (it never goes back) and fires timers:
    /// blocked clients whose timeout passed get their timeout reply.
    pub fn advance(&mut self, now_ms: u64) {
        if !self.clock_started {
            // The node "starts" at the first time it is given (INFO's uptime).
            self.clock_started = true;
            self.stats.start_ms = now_ms;
        }
        self.now_ms = self.now_ms.max(now_ms);
        // Like Redis's active expiry (10 times a second), sweep keys whose time passed.
        if self.now_ms >= self.last_expiry_sweep_ms + EXPIRY_SWEEP_INTERVAL_MS {
            self.last_expiry_sweep_ms = self.now_ms;
            let now = self.now_ms;
            for db in self.dbs.iter_mut() {
                db.expire_all_due(now);
            }
        }
        let mut timed_out = false;
        while let Some((deadline, client)) = self.first_deadline() {
            if deadline > self.now_ms {
                break;
            }
            self.deadlines.remove(&(deadline, client));
            if let Some(blocked) = self.unblock(client) {
                self.send(client, blocked.on_timeout);
                self.run_pending(client);
                timed_out = true;
            }
        }
        // Timed-out clients run what they sent while waiting before any new
        // input (time only moves between batches, so nothing else is pending).
        if timed_out {
            self.flush_unblocked();
        }
    }

    /// The earliest virtual time at which a blocked client times out.
    pub fn next_deadline_ms(&self) -> Option<u64> {
        self.first_deadline().map(|(deadline, _)| deadline)
    }

    fn first_deadline(&self) -> Option<(u64, ClientId)> {
        self.deadlines.iter().next().copied()
    }

    /// Number of blocked clients that have a timeout.
    pub fn timed_blocked_clients(&self) -> usize {
        self.deadlines.len()
    }

    /// Number of clients waiting in blocking commands.
    pub fn blocked_clients(&self) -> usize {
        self.clients.values().filter(|c| c.blocked.is_some()).count()
    }

    /// Opens a connection and returns its client id (ids start at 1 and grow).
    pub fn connect(&mut self, now_ms: u64) -> ClientId {
        self.advance(now_ms);
        let id = self.next_client_id;
        self.next_client_id += 1;
        self.clients.insert(
            id,
            Client {
                id,
                db: 0,
                protocol: Protocol::Resp2,
                name: None,
                addr: alloc::format!("127.0.0.1:{}", 40000 + id % 20000),
                connected_ms: self.now_ms,
                last_command_ms: self.now_ms,
                last_command: None,
                multi: None,
                watched: Vec::new(),
                watch_invalidated: false,
                blocked: None,
                close_requested: false,
                pending: VecDeque::new(),
                rerun_argv: None,
                outbox: VecDeque::new(),
                subs: Default::default(),
                authenticated: self.config.requirepass.is_empty(),
            },
        );
        self.stats.connections_received += 1;
        id
    }

    /// Closes a connection: its transaction and watches are dropped. Pending
    /// output is discarded.
    pub fn disconnect(&mut self, client: ClientId) {
        if let Some(state) = self.cluster.as_deref_mut() {
            state.asking.remove(&client);
            state.readonly.remove(&client);
        }
        self.unblock(client);
        self.unwatch_all(client);
        self.leave_all_pubsub(client);
        self.clients.remove(&client);
        self.closed_outboxes.remove(&client);
    }

    /// Closes a connection after its pending output (e.g. QUIT's `OK`) is taken.
    pub(crate) fn close_after_reply(&mut self, client: ClientId) {
        self.unblock(client);
        self.unwatch_all(client);
        self.leave_all_pubsub(client);
        if let Some(c) = self.clients.remove(&client) {
            self.closed_outboxes.insert(client, c.outbox);
        }
    }

    pub(crate) fn client_mut(&mut self, client: ClientId) -> Option<&mut Client> {
        self.clients.get_mut(&client)
    }

    pub fn is_connected(&self, client: ClientId) -> bool {
        self.clients.contains_key(&client)
    }

    pub fn client(&self, client: ClientId) -> Option<&Client> {
        self.clients.get(&client)
    }

    pub fn clients(&self) -> impl Iterator<Item = &Client> {
        self.clients.values()
    }

    /// Queues `reply` for `client`, shaped for its protocol. Unknown clients are ignored.
    pub fn send(&mut self, client: ClientId, reply: Reply) {
        if let Some(c) = self.clients.get_mut(&client) {
            c.queue_reply(reply);
        }
    }

    /// Queues a push of the bulk strings `push` for each of `targets` (unknown
    /// ids are skipped), encoding it once per protocol and sharing the bytes.
    pub(crate) fn send_shared(clients: &mut BTreeMap<ClientId, Client>, targets: &[ClientId], push: &[&[u8]]) {
        if let [only] = targets {
            if let Some(c) = clients.get_mut(only) {
                let mut encoded = Vec::with_capacity(SHARED_FRAME_RESERVE);
                crate::resp::encode_push_of_bulks(push, c.protocol, &mut encoded);
                c.outbox.push_back((Queued::Frame(encoded), c.protocol));
            }
            return;
        }
        let mut shaped: [Option<Arc<Vec<u8>>>; 2] = [None, None];
        for id in targets {
            let Some(c) = clients.get_mut(id) else { continue };
            let slot = &mut shaped[(c.protocol == Protocol::Resp3) as usize];
            let shared = slot.get_or_insert_with(|| {
                let mut encoded = Vec::with_capacity(SHARED_FRAME_RESERVE);
                crate::resp::encode_push_of_bulks(push, c.protocol, &mut encoded);
                Arc::new(encoded)
            });
            c.outbox.push_back((Queued::Shared(shared.clone()), c.protocol));
        }
    }

    /// The pub/sub registry and the clients, borrowed together so a publish
    /// can read subscriber lists while it fills outboxes.
    pub(crate) fn pubsub_and_clients(&mut self) -> (&crate::pubsub::Registry, &mut BTreeMap<ClientId, Client>) {
        (&self.pubsub, &mut self.clients)
    }

    /// Encodes and removes everything queued for `client`, appending to `out`.
    pub fn write_output(&mut self, client: ClientId, out: &mut Vec<u8>) {
        let outbox = match self.clients.get_mut(&client) {
            Some(c) => &mut c.outbox,
            None => match self.closed_outboxes.remove(&client) {
                Some(mut outbox) => {
                    for (queued, protocol) in outbox.drain(..) {
                        queued.write(protocol, out);
                    }
                    return;
                }
                None => return,
            },
        };
        out.reserve(outbox.iter().map(|(queued, _)| queued.size_hint()).sum());
        for (queued, protocol) in outbox.drain(..) {
            queued.write(protocol, out);
        }
    }

    /// Queues `reply` for `client` as it is, already shaped for the protocol.
    pub(crate) fn send_shaped(&mut self, client: ClientId, reply: Reply) {
        if let Some(c) = self.clients.get_mut(&client) {
            c.outbox.push_back((Queued::Own(reply), c.protocol));
        }
    }

    /// Everything queued for `client` since the last call, oldest first.
    pub fn take_output(&mut self, client: ClientId) -> Vec<Reply> {
        self.take_output_with_protocol(client).into_iter().map(|(reply, _)| reply).collect()
    }

    /// The oldest reply waiting for `client`, with the protocol to encode it in.
    pub fn pop_output(&mut self, client: ClientId) -> Option<(Reply, Protocol)> {
        match self.clients.get_mut(&client) {
            Some(c) => c.outbox.pop_front().map(|(queued, protocol)| (queued.into_reply(), protocol)),
            None => {
                let outbox = self.closed_outboxes.get_mut(&client)?;
                let next = outbox.pop_front().map(|(queued, protocol)| (queued.into_reply(), protocol));
                if outbox.is_empty() {
                    self.closed_outboxes.remove(&client);
                }
                next
            }
        }
    }

    /// Like `take_output`, with the protocol each reply must be encoded in.
    pub fn take_output_with_protocol(&mut self, client: ClientId) -> Vec<(Reply, Protocol)> {
        match self.clients.get_mut(&client) {
            Some(c) => c.outbox.drain(..).map(|(queued, protocol)| (queued.into_reply(), protocol)).collect(),
            None => self
                .closed_outboxes
                .remove(&client)
                .map(|outbox| outbox.into_iter().map(|(queued, protocol)| (queued.into_reply(), protocol)).collect())
                .unwrap_or_default(),
        }
    }

    pub fn has_output(&self, client: ClientId) -> bool {
        self.clients.get(&client).is_some_and(|c| !c.outbox.is_empty())
    }

    /// How many replies wait in `client`'s outbox (EXEC uses it to find what
    /// a queued command sent to its own client, such as a message to itself).
    pub(crate) fn outbox_len(&self, client: ClientId) -> usize {
        self.clients.get(&client).map_or(0, |c| c.outbox.len())
    }

    /// Takes the replies queued for `client` after the first `keep`.
    pub(crate) fn take_output_after(&mut self, client: ClientId, keep: usize) -> Vec<Reply> {
        match self.clients.get_mut(&client) {
            Some(c) if c.outbox.len() > keep => c.outbox.drain(keep..).map(|(queued, _)| queued.into_reply()).collect(),
            _ => Vec::new(),
        }
    }

    /// The publish/subscribe registry.
    pub fn pubsub(&self) -> &crate::pubsub::Registry {
        &self.pubsub
    }

    /// Looks a command up by name, ignoring ASCII case.
    pub fn command(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        // Table names are lower case: only the typed name needs folding.
        let same_name = |spec: &&CommandSpec| {
            spec.name.len() == name.len() && spec.name.bytes().zip(name).all(|(lower, typed)| lower == typed.to_ascii_lowercase())
        };
        if let Some(last) = self.last_looked_up.get().filter(same_name) {
            return Some(last);
        }
        let mut lower = [0u8; 32];
        if name.len() > lower.len() {
            return None;
        }
        for (slot, byte) in lower.iter_mut().zip(name) {
            *slot = byte.to_ascii_lowercase();
        }
        let found = self.commands.get(&lower[..name.len()]).copied();
        if found.is_some() {
            self.last_looked_up.set(found);
        }
        found
    }

    /// The database to prefetch `client`'s keys in, when reading its
    /// requests ahead pays off: that database is big enough that its key
    /// slots miss the CPU caches (and the target can prefetch at all).
    pub fn read_ahead_db(&self, client: ClientId) -> Option<usize> {
        /// About 1 MB of slots: below that they mostly stay cached.
        const PREFETCH_MIN_KEYS: usize = 8192;
        if !crate::key_table::CAN_PREFETCH {
            return None;
        }
        let db = self.clients.get(&client)?.db;
        self.dbs.get(db).filter(|keyspace| keyspace.len() >= PREFETCH_MIN_KEYS).map(|_| db)
    }

    /// A read-ahead hint for a command about to run: starts loading the
    /// keyspace slots of its keys in database `db`, so that their cache
    /// misses overlap the commands running before it. Changes nothing;
    /// returns how many keys it prefetched.
    pub fn prefetch_keys(&self, db: usize, argv: &[Vec<u8>]) -> usize {
        /// MSET's ten keys are worth it; a thousand-key DEL's are not all.
        const PREFETCH_KEYS_PER_COMMAND: usize = 16;
        let (Some(keyspace), Some(spec)) = (self.dbs.get(db), argv.first().and_then(|name| self.command(name))) else {
            return 0;
        };
        let mut prefetched = 0;
        for key in spec.keys.positions(argv.len()).take(PREFETCH_KEYS_PER_COMMAND).filter_map(|i| argv.get(i)) {
            keyspace.prefetch(key);
            prefetched += 1;
        }
        prefetched
    }

    /// Runs one command for `client` at virtual time `now_ms`. Replies go to
    /// outboxes. A blocked client's commands wait until it is unblocked.
    pub fn execute(&mut self, client: ClientId, argv: Vec<Vec<u8>>, now_ms: u64) -> Status {
        let status = self.execute_in_batch(client, argv, now_ms);
        self.flush_unblocked();
        status
    }

    /// `execute` for one command of a batch read from a connection at once:
    /// clients it unblocks run their waiting commands only when the batch is
    /// done (`flush_unblocked`), as Redis runs them after processing the input
    /// it has read.
    pub fn execute_in_batch(&mut self, client: ClientId, mut argv: Vec<Vec<u8>>, now_ms: u64) -> Status {
        self.execute_in_batch_reusing(client, &mut argv, now_ms)
    }

    /// `execute_in_batch` that takes `argv` out only when it must keep it
    /// (queued in MULTI, blocked, waiting behind a blocked command), so the
    /// caller can reuse the buffers of a command that ran.
    pub fn execute_in_batch_reusing(&mut self, client: ClientId, argv: &mut Vec<Vec<u8>>, now_ms: u64) -> Status {
        self.advance(now_ms);
        let status = self.dispatch(client, argv);
        self.after_command();
        status
    }

    /// Runs the commands that clients sent while they were blocked, for the
    /// clients unblocked since the last call, in the order they were unblocked.
    pub fn flush_unblocked(&mut self) {
        while let Some(client) = self.unblocked.pop_front() {
            loop {
                let Some(c) = self.clients.get_mut(&client) else { break };
                if c.blocked.is_some() {
                    break;
                }
                let Some(mut argv) = c.pending.pop_front() else { break };
                let status = self.dispatch(client, &mut argv);
                self.after_command();
                if status == Status::Closed {
                    break;
                }
            }
        }
    }

    /// Looks the command up, queues it inside MULTI or runs it, and delivers
    /// its outcome.
    /// A blocked client's command waits (in `pending`) until it is unblocked.
    fn dispatch(&mut self, client: ClientId, argv: &mut Vec<Vec<u8>>) -> Status {
        let looked_up = self.lookup(argv);
        let now = self.now_ms;
        let Some(c) = self.clients.get_mut(&client) else {
            return Status::Closed;
        };
        if c.blocked.is_some() {
            c.pending.push_back(core::mem::take(argv));
            return Status::Blocked;
        }
        if argv.is_empty() {
            return Status::Done;
        }
        // CLIENT LIST's cmd= names the last command looked up, even one that is
        // then queued or refused (and not the commands EXEC runs), as in Redis.
        c.last_command = looked_up;
        c.last_command_ms = now;
        let in_multi = c.in_multi();
        let db = c.db;
        let in_subscriber_mode = c.protocol == Protocol::Resp2 && c.subs.is_subscribed();
        let checked = self
            .resolve_looked_up(looked_up, argv)
            .and_then(|r| self.check_auth(client, r))
            .and_then(|r| self.check_cluster(client, r, argv))
            .and_then(|r| self.check_memory(client, r, in_multi))
            .and_then(|r| if in_subscriber_mode { self.check_subscriber_context(client, r) } else { Ok(r) });
        let outcome = match checked {
            Ok(resolved) if in_multi && !runs_inside_multi(resolved.spec) => {
                if let Some(multi) = self.clients.get_mut(&client).and_then(|c| c.multi.as_mut()) {
                    multi.queued.push(core::mem::take(argv));
                }
                Outcome::Reply(Reply::status("QUEUED"))
            }
            Ok(resolved) => {
                let outcome = self.run_in(client, db, resolved, argv, true);
                if let Outcome::Block(block) = outcome {
                    self.block(client, core::mem::take(argv), block);
                    return Status::Blocked;
                }
                outcome
            }
            Err(e) if argv[0].eq_ignore_ascii_case(b"exec") && !e.to_bytes().starts_with(b"EXECABORT") => {
                // Redis answers any rejected EXEC (arity, NOAUTH, subscriber
                // mode...) by discarding the transaction.
                self.discard_transaction(client);
                let text = e.to_bytes();
                let reason = text.strip_prefix(b"ERR ".as_slice()).unwrap_or(&text);
                let mut abort = b"EXECABORT Transaction discarded because of: ".to_vec();
                abort.extend_from_slice(reason);
                Outcome::Reply(Reply::Error(abort))
            }
            Err(e) => {
                if let Some(multi) = self.clients.get_mut(&client).and_then(|c| c.multi.as_mut()) {
                    multi.failed = true;
                }
                Outcome::Reply(error_reply(&e))
            }
        };
        let (status, close_requested) = match outcome {
            // The common case with one client lookup (what `send` does).
            Outcome::Reply(reply) => match self.clients.get_mut(&client) {
                Some(c) => {
                    c.queue_reply(reply);
                    (Status::Done, c.close_requested)
                }
                None => (Status::Done, false),
            },
            other => {
                let status = self.deliver(client, other);
                (status, self.clients.get(&client).is_some_and(|c| c.close_requested))
            }
        };
        if close_requested {
            self.close_after_reply(client);
            return Status::Closed;
        }
        status
    }

    fn deliver(&mut self, client: ClientId, outcome: Outcome) -> Status {
        match outcome {
            Outcome::Reply(reply) => {
                self.send(client, reply);
                Status::Done
            }
            Outcome::Replies(replies) => {
                for reply in replies {
                    self.send(client, reply);
                }
                Status::Done
            }
            Outcome::Close(reply) => {
                self.send(client, reply);
                self.close_after_reply(client);
                Status::Closed
            }
            // Only `dispatch` and `serve_ready_keys` run commands that may block.
            Outcome::Block(block) => {
                self.send(client, block.on_timeout);
                Status::Done
            }
        }
    }

    /// Redis's `used_memory`: redplay's estimate of what the keyspace holds
    /// plus a fixed start-up share close to a fresh redis-server's, so the same
    /// maxmemory values behave alike.
    pub fn used_memory(&self) -> usize {
        BASELINE_MEMORY_BYTES + self.dbs.iter().map(Db::used_bytes).sum::<usize>()
    }

    /// With maxmemory set and exceeded (policy noeviction), commands that may
    /// grow memory are refused, and so is anything queued inside MULTI.
    /// EXEC is refused (and the transaction discarded) when it holds such commands.
    /// True while `client` must AUTH first: the default user has a password
    /// and the client has not given it. Clearing `requirepass` lets every
    /// client in, as in Redis.
    pub fn auth_required(&self, client: ClientId) -> bool {
        !self.config.requirepass.is_empty() && self.clients.get(&client).is_some_and(|c| !c.authenticated)
    }

    /// Before AUTH succeeds only commands flagged `no_auth` may run.
    fn check_auth(&self, client: ClientId, resolved: Resolved) -> Result<Resolved, Error> {
        if !self.auth_required(client) || resolved.spec.flags & commands::flags::NO_AUTH != 0 {
            Ok(resolved)
        } else {
            Err(Error::NoAuth)
        }
    }

    fn check_memory(&mut self, client: ClientId, resolved: Resolved, in_multi: bool) -> Result<Resolved, Error> {
        let limit = self.config.maxmemory;
        if limit == 0 || self.used_memory() as u64 <= limit {
            return Ok(resolved);
        }
        let name = resolved.spec.name;
        let queued_denyoom = name == "exec"
            && self.clients.get(&client).and_then(|c| c.multi.as_ref()).is_some_and(|m| {
                m.queued.iter().any(|argv| {
                    self.resolve(argv).is_ok_and(|r| r.spec.has_flag(commands::flags::DENYOOM))
                })
            });
        let queues = in_multi && !matches!(name, "exec" | "discard" | "quit" | "reset");
        if !(resolved.spec.has_flag(commands::flags::DENYOOM) || queued_denyoom || queues) {
            return Ok(resolved);
        }
        if let Some(c) = self.clients.get_mut(&client) {
            if name == "exec" {
                self.discard_transaction(client);
                return Err(Error::text(
                    "EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.",
                ));
            }
            if let Some(multi) = c.multi.as_mut() {
                multi.failed = true;
            }
        }
        Err(Error::text("OOM command not allowed when used memory > 'maxmemory'."))
    }

    /// Runs a resolved command now (directly, from EXEC, or again for a
    /// blocked client). `may_block` is false inside EXEC.
    pub(crate) fn run(&mut self, client: ClientId, resolved: Resolved, argv: &[Vec<u8>], may_block: bool) -> Outcome {
        let db = self.clients.get(&client).map_or(0, |c| c.db);
        self.run_in(client, db, resolved, argv, may_block)
    }

    /// `run` for a client whose selected database the caller already read.
    fn run_in(&mut self, client: ClientId, db: usize, resolved: Resolved, argv: &[Vec<u8>], may_block: bool) -> Outcome {
        let now = self.now_ms;
        self.stats.commands_processed += 1;
        let mut ctx = Ctx { node: self, client, db_index: db, now_ms: now, may_block, serving_blocked: false, ready_key: None };
        let outcome = (resolved.spec.handler)(&mut ctx, argv).unwrap_or_else(|e| Outcome::Reply(error_reply(&e)));
        if self.cluster.is_some() && !matches!(outcome, Outcome::Block(_)) {
            self.note_write(client, resolved, argv, &outcome);
        }
        outcome
    }

    /// Parks `client` until one of the block's keys changes or it times out.
    /// A key named twice (`BLPOP k k 0`) is waited on once, as in Redis.
    fn block(&mut self, client: ClientId, argv: Vec<Vec<u8>>, mut block: Block) {
        let Some(c) = self.clients.get_mut(&client) else { return };
        let db = c.db;
        let argv = c.rerun_argv.take().unwrap_or(argv);
        let mut seen = alloc::collections::BTreeSet::new();
        block.keys.retain(|key| seen.insert(key.clone()));
        for key in &block.keys {
            self.blocked_on.get_or_default((db, key.clone())).push_back(client);
            self.dbs[db].add_blocked(key);
        }
        if let Some(deadline) = block.deadline_ms {
            self.deadlines.insert((deadline, client));
        }
        let since_ms = self.now_ms;
        if let Some(c) = self.clients.get_mut(&client) {
            c.blocked = Some(Blocked {
                argv,
                db,
                keys: block.keys,
                deadline_ms: block.deadline_ms,
                on_timeout: block.on_timeout,
                since_ms,
            });
        }
    }

    /// Takes `client` out of the blocked state; returns what it was waiting on.
    pub(crate) fn unblock(&mut self, client: ClientId) -> Option<Blocked> {
        let blocked = self.clients.get_mut(&client)?.blocked.take()?;
        for key in &blocked.keys {
            let slot = (blocked.db, key.clone());
            if let Some(queue) = self.blocked_on.get_mut(&slot) {
                queue.retain(|&c| c != client);
                if queue.is_empty() {
                    self.blocked_on.remove(&slot);
                }
            }
            self.dbs[blocked.db].remove_blocked(key);
        }
        if let Some(deadline) = blocked.deadline_ms {
            self.deadlines.remove(&(deadline, client));
        }
        Some(blocked)
    }

    /// Unblocks `client` as CLIENT UNBLOCK does; `as_error` replies with the
    /// UNBLOCKED error instead of the timeout reply. False if it was not blocked.
    pub(crate) fn unblock_by_request(&mut self, client: ClientId, as_error: bool) -> bool {
        let Some(blocked) = self.unblock(client) else { return false };
        let reply = if as_error {
            Reply::error("UNBLOCKED client unblocked via CLIENT UNBLOCK")
        } else {
            blocked.on_timeout
        };
        self.send(client, reply);
        self.run_pending(client);
        true
    }

    /// Notes that `client` was unblocked: its waiting commands run at the
    /// next `flush_unblocked`.
    fn run_pending(&mut self, client: ClientId) {
        if self.clients.get(&client).is_some_and(|c| !c.pending.is_empty()) {
            self.unblocked.push_back(client);
        }
    }

    /// Work that follows every command: watch invalidation, then serving
    /// clients blocked on keys that changed (which can change more keys).
    pub(crate) fn after_command(&mut self) {
        self.collect_invalidated_watches();
        if self.blocked_on.is_empty() {
            return;
        }
        loop {
            let mut ready: Vec<(usize, Vec<u8>)> = Vec::new();
            for (index, db) in self.dbs.iter_mut().enumerate() {
                ready.extend(db.take_ready().into_iter().map(|key| (index, key)));
            }
            if ready.is_empty() {
                return;
            }
            for slot in ready {
                self.serve_ready_key(slot);
            }
            self.collect_invalidated_watches();
        }
    }

    /// Retries, in the order they blocked, the commands of clients waiting on
    /// a key that changed. Each either replies (and is unblocked) or keeps waiting.
    fn serve_ready_key(&mut self, slot: (usize, Vec<u8>)) {
        let waiting: Vec<ClientId> = match self.blocked_on.get(&slot) {
            Some(queue) => queue.iter().copied().collect(),
            None => return,
        };
        for client in waiting {
            let Some((argv, db)) =
                self.clients.get(&client).and_then(|c| Some((c.blocked.as_ref()?.argv.clone(), c.db)))
            else {
                continue;
            };
            let Ok(resolved) = self.resolve(&argv) else { continue };
            let now = self.now_ms;
            let mut ctx = Ctx {
                node: self,
                client,
                db_index: db,
                now_ms: now,
                may_block: true,
                serving_blocked: true,
                ready_key: Some(&slot.1),
            };
            let outcome = (resolved.spec.handler)(&mut ctx, &argv).unwrap_or_else(|e| Outcome::Reply(error_reply(&e)));
            if let Outcome::Block(_) = outcome {
                continue;
            }
            if self.cluster.is_some() {
                self.note_write(client, resolved, &argv, &outcome);
            }
            self.unblock(client);
            self.deliver(client, outcome);
            self.run_pending(client);
        }
    }

    /// Marks clients whose watched keys changed during the last command.
    fn collect_invalidated_watches(&mut self) {
        if self.watch_count == 0 {
            return;
        }
        for index in 0..self.dbs.len() {
            for (id, key) in self.dbs[index].take_invalidated() {
                let still_there = self.dbs[index].has_value(&key);
                let Some(c) = self.clients.get_mut(&id) else { continue };
                // A key that had already expired when watched and is now
                // deleted did not logically change (as in Redis): only its
                // "expired" mark goes.
                if let Some(w) = c.watched.iter_mut().find(|w| w.db == index && w.key == key) {
                    if w.expired_when_watched && !still_there {
                        w.expired_when_watched = false;
                        continue;
                    }
                }
                c.watch_invalidated = true;
            }
        }
    }

    /// Drops the client's queued transaction (if any) and its watches.
    pub(crate) fn discard_transaction(&mut self, client: ClientId) {
        if let Some(c) = self.clients.get_mut(&client) {
            c.multi = None;
        }
        self.unwatch_all(client);
    }

    /// Forgets every key `client` watches (UNWATCH, EXEC, DISCARD, disconnect).
    pub(crate) fn unwatch_all(&mut self, client: ClientId) {
        let Some(c) = self.clients.get_mut(&client) else { return };
        let watched = core::mem::take(&mut c.watched);
        c.watch_invalidated = false;
        self.watch_count -= watched.len();
        for w in watched {
            self.dbs[w.db].unwatch(&w.key, client);
        }
    }

    /// `execute` followed by `take_output`: the replies this command produced
    /// (plus anything that was already waiting for this client).
    pub fn call(&mut self, client: ClientId, argv: &[&[u8]], now_ms: u64) -> Vec<Reply> {
        let owned = argv.iter().map(|a| a.to_vec()).collect();
        self.execute(client, owned, now_ms);
        self.take_output(client)
    }

    /// Finds the command (or subcommand) to run and checks its arity.
    /// The command (or subcommand) `argv` names, without checking arity;
    /// `None` for an unknown command or subcommand.
    fn lookup(&self, argv: &[Vec<u8>]) -> Option<Resolved> {
        let spec = self.command(argv.first()?)?;
        match argv.get(1).filter(|_| !spec.subcommands.is_empty()) {
            None => Some(Resolved { spec, parent: None }),
            Some(sub_name) => {
                let sub = spec.subcommands.iter().find(|s| s.name.as_bytes().eq_ignore_ascii_case(sub_name))?;
                Some(Resolved { spec: sub, parent: Some(spec) })
            }
        }
    }

    /// `resolve` reusing what `lookup` already found (one table probe per
    /// command); unknown names go through `resolve` for its error.
    fn resolve_looked_up(&self, looked_up: Option<Resolved>, argv: &[Vec<u8>]) -> Result<Resolved, Error> {
        let Some(resolved) = looked_up else { return self.resolve(argv) };
        match resolved.parent {
            None => check_arity(resolved.spec, argv.len(), resolved.spec.name)?,
            Some(parent) => {
                check_arity(parent, argv.len(), parent.name)?;
                check_arity(resolved.spec, argv.len(), &resolved.full_name())?;
            }
        }
        Ok(resolved)
    }

    pub(crate) fn resolve(&self, argv: &[Vec<u8>]) -> Result<Resolved, Error> {
        let spec = self.command(&argv[0]).ok_or_else(|| Error::UnknownCommand {
            name: argv[0].clone(),
            args: argv[1..].to_vec(),
        })?;
        check_arity(spec, argv.len(), spec.name)?;
        // A container called alone (COMMAND's arity allows it) runs its own handler.
        let Some(sub_name) = argv.get(1).filter(|_| !spec.subcommands.is_empty()) else {
            return Ok(Resolved { spec, parent: None });
        };
        let sub = spec
            .subcommands
            .iter()
            .find(|s| s.name.as_bytes().eq_ignore_ascii_case(sub_name))
            .ok_or_else(|| Error::UnknownSubcommand { sub: sub_name.clone(), container: spec.name.into() })?;
        let resolved = Resolved { spec: sub, parent: Some(spec) };
        check_arity(sub, argv.len(), &resolved.full_name())?;
        Ok(resolved)
    }

    pub(crate) fn db(&mut self, index: usize) -> &mut Db {
        &mut self.dbs[index]
    }
}

/// Inside MULTI these run at once instead of being queued.
fn runs_inside_multi(spec: &CommandSpec) -> bool {
    matches!(spec.name, "exec" | "discard" | "multi" | "watch" | "quit" | "reset")
}

fn check_arity(spec: &CommandSpec, argc: usize, full_name: &str) -> Result<(), Error> {
    let argc = argc as i32;
    let ok = if spec.arity >= 0 { argc == spec.arity } else { argc >= -spec.arity };
    if ok {
        Ok(())
    } else {
        Err(Error::WrongArity(full_name.into()))
    }
}

pub fn error_reply(error: &Error) -> Reply {
    Reply::Error(error.to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn run(node: &mut Node, client: ClientId, line: &str, now: u64) -> Vec<Reply> {
        let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        node.call(client, &argv, now)
    }

    const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";

    #[test]
    fn reading_ahead_starts_at_a_big_keyspace_and_prefetches_each_key() {
        let mut node = Node::new();
        let c = node.connect(0);
        assert_eq!(node.read_ahead_db(c), None, "an empty keyspace stays cached");
        for start in (0..8192).step_by(512) {
            let line: Vec<String> = (start..start + 512).map(|i| alloc::format!("k{i} v")).collect();
            run(&mut node, c, &alloc::format!("MSET {}", line.join(" ")), 1);
        }
        let expected = if crate::key_table::CAN_PREFETCH { Some(0) } else { None };
        assert_eq!(node.read_ahead_db(c), expected);
        run(&mut node, c, "SELECT 1", 1);
        assert_eq!(node.read_ahead_db(c), None, "database 1 is empty");
        // One prefetch per key the key spec names, at most 16 per command.
        let argv = |line: &str| line.split(' ').map(|a| a.as_bytes().to_vec()).collect::<Vec<_>>();
        let mset20: Vec<String> = (0..20).map(|i| alloc::format!("k{i} v")).collect();
        let cases = [
            ("GET k1", 1),
            ("MSET a 1 b 2", 2),
            ("BLPOP a b c 0", 3),
            ("PING", 0),
            ("NOSUCHCOMMAND k1", 0),
            (&*alloc::format!("MSET {}", mset20.join(" ")), 16),
        ];
        for (line, keys) in cases {
            assert_eq!(node.prefetch_keys(0, &argv(line)), keys, "{line}");
        }
    }

    #[test]
    fn maxmemory_refuses_growing_commands_but_not_reads_or_deletes() {
        let mut node = Node::new();
        let c = node.connect(0);
        run(&mut node, c, "SET big 0123456789", 1);
        let limit = node.used_memory();
        run(&mut node, c, &alloc::format!("CONFIG SET maxmemory {}", limit), 2);
        // At the limit, not over it: writes still pass.
        assert_eq!(run(&mut node, c, "SET k v", 3), vec![Reply::ok()]);
        assert_eq!(run(&mut node, c, "SET k2 v", 4), vec![Reply::error(OOM)]);
        assert_eq!(run(&mut node, c, "GET big", 5), vec![Reply::bulk(b"0123456789")]);
        assert_eq!(run(&mut node, c, "DEL k", 6), vec![Reply::Integer(1)]);
        assert_eq!(run(&mut node, c, "SET k2 v", 7), vec![Reply::ok()]);
    }

    #[test]
    fn maxmemory_inside_multi_refuses_queueing_and_exec_of_denyoom_commands() {
        let mut node = Node::new();
        let c = node.connect(0);
        run(&mut node, c, "MULTI", 1);
        assert_eq!(run(&mut node, c, "SET a 1", 2), vec![Reply::status("QUEUED")]);
        let used = node.used_memory();
        node.config.maxmemory = used as u64 - 1;
        assert_eq!(run(&mut node, c, "GET a", 3), vec![Reply::error(OOM)]);
        assert_eq!(
            run(&mut node, c, "EXEC", 4),
            vec![Reply::error(
                "EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'."
            )]
        );
        assert!(!node.client(c).is_some_and(Client::in_multi));
        assert_eq!(run(&mut node, c, "GET a", 5), vec![Reply::Nil]);
    }

    #[test]
    fn info_memory_reports_used_memory() {
        let mut node = Node::new();
        let c = node.connect(0);
        run(&mut node, c, "SET key value", 1);
        // A verbatim string reaches a RESP2 client as a bulk string.
        let Some(Reply::Bulk(text)) = run(&mut node, c, "INFO memory", 2).pop() else { panic!("INFO reply") };
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains(&alloc::format!("used_memory:{}\r\n", node.used_memory())), "{}", text);
        assert!(node.used_memory() > BASELINE_MEMORY_BYTES);
    }

    #[test]
    fn swapdb_invalidates_watches_of_keys_on_either_side() {
        let mut node = Node::new();
        let (a, b) = (node.connect(0), node.connect(0));
        run(&mut node, b, "SELECT 1", 1);
        run(&mut node, b, "SET k other-db", 2);
        run(&mut node, a, "WATCH k", 3);
        run(&mut node, b, "SWAPDB 0 1", 4);
        run(&mut node, a, "MULTI", 5);
        run(&mut node, a, "GET k", 6);
        assert_eq!(run(&mut node, a, "EXEC", 7), vec![Reply::NilArray]);
        // The watcher's database number did not move: it now sees db 1's old keys.
        assert_eq!(run(&mut node, a, "GET k", 8), vec![Reply::bulk(b"other-db")]);
        // Watching a key that exists on neither side is not disturbed.
        run(&mut node, a, "WATCH nothing", 9);
        run(&mut node, b, "SWAPDB 0 1", 10);
        run(&mut node, a, "MULTI", 11);
        assert_eq!(run(&mut node, a, "EXEC", 12), vec![Reply::Array(vec![])]);
    }

    #[test]
    fn advancing_the_clock_removes_expired_keys() {
        let mut node = Node::new();
        let c = node.connect(0);
        run(&mut node, c, "SET k v PX 500", 1000);
        run(&mut node, c, "SET keep v", 1000);
        assert_eq!(run(&mut node, c, "DBSIZE", 1200), vec![Reply::Integer(2)]);
        node.advance(1600);
        assert_eq!(run(&mut node, c, "DBSIZE", 1600), vec![Reply::Integer(1)]);
    }

    #[test]
    fn command_alone_lists_every_command() {
        let mut node = Node::new();
        let c = node.connect(0);
        let Some(Reply::Array(all)) = run(&mut node, c, "COMMAND", 1).pop() else { panic!("COMMAND reply") };
        assert_eq!(all.len(), commands::all().count());
    }

    #[test]
    fn expiry_of_a_watched_key_fails_exec_unless_it_had_expired_when_watched() {
        let mut node = Node::new();
        let (a, b) = (node.connect(0), node.connect(0));
        run(&mut node, a, "SET k v PX 100", 1000);
        run(&mut node, a, "WATCH k", 1000);
        run(&mut node, b, "GET k", 1200);
        run(&mut node, a, "MULTI", 1200);
        run(&mut node, a, "PING", 1200);
        assert_eq!(run(&mut node, a, "EXEC", 1200), vec![Reply::NilArray]);
        run(&mut node, a, "SET k2 v PX 50", 2000);
        run(&mut node, a, "WATCH k2", 2100);
        run(&mut node, b, "GET k2", 2100);
        run(&mut node, a, "MULTI", 2100);
        run(&mut node, a, "PING", 2100);
        assert_eq!(run(&mut node, a, "EXEC", 2100), vec![Reply::Array(vec![Reply::status("PONG")])]);
    }

    #[test]
    fn client_list_names_the_last_command_looked_up() {
        let mut node = Node::new();
        let (a, b) = (node.connect(0), node.connect(0));
        run(&mut node, b, "MULTI", 1);
        run(&mut node, b, "PING", 2);
        let list = |node: &mut Node| match run(node, a, "CLIENT LIST", 3).pop() {
            Some(Reply::Bulk(text)) => String::from_utf8(text).unwrap(),
            other => panic!("{:?}", other),
        };
        assert!(list(&mut node).contains(&alloc::format!("id={} ", b)));
        assert!(list(&mut node).lines().any(|l| l.starts_with(&alloc::format!("id={} ", b)) && l.contains(" cmd=ping ")));
        run(&mut node, b, "EXEC", 4);
        assert!(list(&mut node).lines().any(|l| l.starts_with(&alloc::format!("id={} ", b)) && l.contains(" cmd=exec ")));
    }

    #[test]
    fn a_client_killing_itself_gets_its_reply_first() {
        let mut node = Node::new();
        let a = node.connect(0);
        let argv = |line: &str| line.split(' ').map(|w| w.as_bytes().to_vec()).collect::<Vec<_>>();
        let status = node.execute(a, argv(&alloc::format!("CLIENT KILL ID {} SKIPME no", a)), 1);
        assert_eq!(status, Status::Closed);
        assert_eq!(node.take_output(a), vec![Reply::Integer(1)]);
        assert!(!node.is_connected(a));
    }

    #[test]
    fn uptime_counts_from_the_first_time_given() {
        let mut node = Node::new();
        let c = node.connect(1_000_000);
        let Some(Reply::Bulk(text)) = run(&mut node, c, "INFO server", 1_005_000).pop() else { panic!() };
        assert!(String::from_utf8(text).unwrap().contains("uptime_in_seconds:5\r\n"));
    }

    #[test]
    fn an_unblocked_client_runs_its_waiting_commands_after_the_current_batch() {
        let mut node = Node::new();
        let argv = |line: &str| line.split(' ').map(|w| w.as_bytes().to_vec()).collect::<Vec<_>>();
        let (a, b) = (node.connect(0), node.connect(0));
        assert_eq!(node.execute(a, argv("BLPOP q 0"), 1), Status::Blocked);
        assert_eq!(node.execute(a, argv("GET x"), 2), Status::Blocked);
        // b's batch: the push serves a, then b's SET runs before a's queued GET.
        node.execute_in_batch(b, argv("LPUSH q v"), 3);
        node.execute_in_batch(b, argv("SET x 1"), 3);
        node.flush_unblocked();
        assert_eq!(
            node.take_output(a),
            vec![Reply::Array(vec![Reply::bulk(b"q"), Reply::bulk(b"v")]), Reply::bulk(b"1")]
        );
    }
}
