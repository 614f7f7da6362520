//! Publish/subscribe: who listens on which channel or pattern, and the node
//! operations that subscribe, unsubscribe and deliver. Nothing is stored: a
//! message reaches the clients subscribed when it is published, then is gone.
//!
//! # Layout
//! - [`OrderedSet`], [`Subscriptions`]: one client's channels, patterns and
//!   shard channels, each kept in subscription order.
//! - [`ChannelTable`]: channel → subscribers, one table for classic channels
//!   and one for shard channels.
//! - [`PatternIndex`]: pattern → subscribers, indexed by each pattern's literal
//!   prefix so a publish tests only patterns that can match.
//! - [`Flavor`]: the small table of functions and words that lets one
//!   implementation serve both classic (SUBSCRIBE/PUBLISH) and sharded
//!   (SSUBSCRIBE/SPUBLISH) channels.
//! - `impl Node`: subscribe, unsubscribe, publish, the RESP2 subscriber-mode
//!   gate, and silent cleanup for RESET, QUIT and disconnects.
//!
//! # Ordering
//! Redis 7.0 keeps a client's channels (and the server's channels and
//! patterns) in hash tables seeded at random on every start, so the order of
//! `UNSUBSCRIBE` with no arguments, of `PUBSUB CHANNELS`, and of the
//! `pmessage`s one client gets from several patterns changes from one server
//! run to the next. redplay picks deterministic orders that Redis could
//! produce: a client's channels in the order it subscribed (as Redis 7.0 does
//! for patterns, which it keeps in a list), server-wide channel lists in byte
//! order, and matching patterns in the order they were first subscribed.

use alloc::vec;
use alloc::vec::Vec;

use crate::db::Map;
use crate::error::Error;
use crate::glob;
use crate::node::{ClientId, Node, Resolved};
use crate::reply::{Protocol, Reply};
use crate::vec_map::VecMap;

/// A set of byte strings that remembers insertion order. (A hash map and a
/// vector sorted by insertion number, not trees: each tree type costs the
/// wasm build kilobytes of code.)
#[derive(Default, Debug)]
pub struct OrderedSet {
    seq_of: Map<Vec<u8>, u64>,
    by_seq: VecMap<u64, Vec<u8>>,
    next_seq: u64,
}

impl OrderedSet {
    /// Adds `item`; false if it was already there.
    pub fn insert(&mut self, item: &[u8]) -> bool {
        if self.seq_of.contains_key(item) {
            return false;
        }
        self.seq_of.insert(item.to_vec(), self.next_seq);
        self.by_seq.insert(self.next_seq, item.to_vec());
        self.next_seq += 1;
        true
    }

    /// Removes `item`; false if it was not there.
    pub fn remove(&mut self, item: &[u8]) -> bool {
        match self.seq_of.remove(item) {
            Some(seq) => {
                self.by_seq.remove(&seq);
                true
            }
            None => false,
        }
    }

    pub fn contains(&self, item: &[u8]) -> bool {
        self.seq_of.contains_key(item)
    }

    pub fn len(&self) -> usize {
        self.seq_of.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seq_of.is_empty()
    }

    /// The items, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.by_seq.values().map(Vec::as_slice)
    }
}

/// What one client is subscribed to.
#[derive(Default, Debug)]
pub struct Subscriptions {
    pub channels: OrderedSet,
    pub patterns: OrderedSet,
    pub shard_channels: OrderedSet,
}

impl Subscriptions {
    /// Any subscription at all puts a client in subscriber mode (`flags=P`).
    pub fn is_subscribed(&self) -> bool {
        !(self.channels.is_empty() && self.patterns.is_empty() && self.shard_channels.is_empty())
    }

    /// The count classic confirmations report: channels plus patterns.
    pub fn classic_count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }

    /// The count shard confirmations report: shard channels only.
    pub fn shard_count(&self) -> usize {
        self.shard_channels.len()
    }
}

/// Channel → subscribers in subscription order. Shard channels live in a
/// table of their own; a cluster layer can find the channels of a slot with
/// [`ChannelTable::names`] and drop them with [`Node::drop_shard_channels`].
///
/// Hashed, so a publish finds its channel in O(1) however many are active;
/// the listings that show channels sort them.
#[derive(Default, Debug)]
pub struct ChannelTable {
    map: Map<Vec<u8>, Vec<ClientId>>,
}

impl ChannelTable {
    fn add(&mut self, channel: &[u8], client: ClientId) {
        self.map.entry_ref(channel).or_default().push(client);
    }

    fn remove(&mut self, channel: &[u8], client: ClientId) {
        if let Some(clients) = self.map.get_mut(channel) {
            clients.retain(|&c| c != client);
            if clients.is_empty() {
                self.map.remove(channel);
            }
        }
    }

    pub fn subscribers(&self, channel: &[u8]) -> &[ClientId] {
        self.map.get(channel).map_or(&[], Vec::as_slice)
    }

    /// Number of channels with at least one subscriber.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Active channels in byte order.
    pub fn names(&self) -> impl Iterator<Item = &[u8]> {
        let mut names: Vec<&[u8]> = self.map.keys().map(Vec::as_slice).collect();
        crate::heap_sort::sort_by(&mut names, |a, b| a.cmp(b));
        names.into_iter()
    }
}

/// The bytes before a pattern's first special character (`*`, `?`, `[`, `\`).
/// A channel the pattern matches starts with them: glob matching consumes
/// plain pattern bytes one for one against equal channel bytes.
pub fn literal_prefix(pattern: &[u8]) -> &[u8] {
    let end = pattern.iter().position(|b| matches!(b, b'*' | b'?' | b'[' | b'\\')).unwrap_or(pattern.len());
    &pattern[..end]
}

#[derive(Debug)]
struct PatternEntry {
    /// When the pattern was first subscribed (by anyone); orders `pmessage`s.
    seq: u64,
    clients: Vec<ClientId>,
}

/// Pattern → subscribers, grouped by literal prefix. A publish looks up only
/// the groups whose prefix starts the channel, one lookup per distinct prefix
/// length, and runs the glob matcher on those patterns alone.
///
/// Both tables are hashed: a publish makes one lookup per prefix length and
/// one per candidate pattern, and no reply depends on their order.
#[derive(Default, Debug)]
pub struct PatternIndex {
    patterns: Map<Vec<u8>, PatternEntry>,
    /// The patterns of each literal prefix (each pattern once, any order).
    by_prefix: Map<Vec<u8>, Vec<Vec<u8>>>,
    /// Distinct prefix lengths in use, with how many patterns have each.
    prefix_lengths: VecMap<usize, usize>,
    next_seq: u64,
}

impl PatternIndex {
    fn add(&mut self, pattern: &[u8], client: ClientId) {
        if let Some(entry) = self.patterns.get_mut(pattern) {
            entry.clients.push(client);
            return;
        }
        self.patterns.insert(pattern.to_vec(), PatternEntry { seq: self.next_seq, clients: vec![client] });
        self.next_seq += 1;
        let prefix = literal_prefix(pattern);
        // New to `patterns` just above, so not in its group yet.
        self.by_prefix.entry(prefix.to_vec()).or_default().push(pattern.to_vec());
        *self.prefix_lengths.get_or_default(prefix.len()) += 1;
    }

    fn remove(&mut self, pattern: &[u8], client: ClientId) {
        let Some(entry) = self.patterns.get_mut(pattern) else { return };
        entry.clients.retain(|&c| c != client);
        if !entry.clients.is_empty() {
            return;
        }
        self.patterns.remove(pattern);
        let prefix = literal_prefix(pattern);
        if let Some(group) = self.by_prefix.get_mut(prefix) {
            group.retain(|p| p.as_slice() != pattern);
            if group.is_empty() {
                self.by_prefix.remove(prefix);
            }
        }
        if let Some(count) = self.prefix_lengths.get_mut(&prefix.len()) {
            *count -= 1;
            if *count == 0 {
                self.prefix_lengths.remove(&prefix.len());
            }
        }
    }

    /// Number of distinct patterns with at least one subscriber.
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Every pattern with its subscribers, in byte order.
    pub fn all(&self) -> Vec<(&[u8], &[ClientId])> {
        let mut all: Vec<(&[u8], &[ClientId])> =
            self.patterns.iter().map(|(p, e)| (p.as_slice(), e.clients.as_slice())).collect();
        crate::heap_sort::sort_by(&mut all, |a, b| a.0.cmp(b.0));
        all
    }

    /// The patterns matching `channel` with their subscribers, oldest pattern
    /// first. Nothing is allocated when none matches.
    pub fn matching(&self, channel: &[u8]) -> impl Iterator<Item = (&[u8], &[ClientId])> {
        let mut found: Vec<(u64, &[u8], &[ClientId])> = Vec::new();
        for &length in self.prefix_lengths.keys() {
            let Some(prefix) = channel.get(..length) else { break };
            let Some(group) = self.by_prefix.get(prefix) else { continue };
            for pattern in group {
                if glob::matches(pattern, channel, false) {
                    if let Some(entry) = self.patterns.get(pattern) {
                        found.push((entry.seq, pattern, &entry.clients));
                    }
                }
            }
        }
        // Usually a handful of matches: heapsort keeps the wasm smaller than
        // another quicksort instantiation would.
        crate::heap_sort::sort_by_key(&mut found, |&(seq, _, _)| seq);
        found.into_iter().map(|(_, pattern, clients)| (pattern, clients))
    }
}

/// The server-wide registry.
#[derive(Default, Debug)]
pub struct Registry {
    pub channels: ChannelTable,
    pub shard_channels: ChannelTable,
    pub patterns: PatternIndex,
}

/// What differs between classic and sharded channels: the words in the
/// frames, which tables they use, and what the confirmations count.
pub struct Flavor {
    pub subscribe: &'static str,
    pub unsubscribe: &'static str,
    pub message: &'static str,
    /// Whether a publish also reaches pattern subscribers.
    pub with_patterns: bool,
    pub table: fn(&Registry) -> &ChannelTable,
    pub table_mut: fn(&mut Registry) -> &mut ChannelTable,
    pub client_set: fn(&mut Subscriptions) -> &mut OrderedSet,
    pub count: fn(&Subscriptions) -> usize,
}

pub const CLASSIC: Flavor = Flavor {
    subscribe: "subscribe",
    unsubscribe: "unsubscribe",
    message: "message",
    with_patterns: true,
    table: |r| &r.channels,
    table_mut: |r| &mut r.channels,
    client_set: |s| &mut s.channels,
    count: Subscriptions::classic_count,
};

pub const SHARD: Flavor = Flavor {
    subscribe: "ssubscribe",
    unsubscribe: "sunsubscribe",
    message: "smessage",
    with_patterns: false,
    table: |r| &r.shard_channels,
    table_mut: |r| &mut r.shard_channels,
    client_set: |s| &mut s.shard_channels,
    count: Subscriptions::shard_count,
};

const PATTERN_SUBSCRIBE: &str = "psubscribe";
const PATTERN_UNSUBSCRIBE: &str = "punsubscribe";

/// Commands a RESP2 client in subscriber mode may still send.
const ALLOWED_WHILE_SUBSCRIBED: &[&str] =
    &["subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "ping", "quit", "reset"];

/// A confirmation or message frame: a push (an array for RESP2 clients).
fn frame(kind: &str, items: impl IntoIterator<Item = Reply>) -> Reply {
    let items = items.into_iter();
    let mut all = Vec::with_capacity(1 + items.size_hint().0);
    all.push(Reply::bulk(kind.as_bytes()));
    all.extend(items);
    Reply::Push(all)
}

fn confirmation(kind: &str, name: Option<&[u8]>, count: usize) -> Reply {
    frame(kind, [name.map_or(Reply::Nil, Reply::bulk), Reply::Integer(count as i64)])
}

impl Node {
    fn subscriptions(&mut self, client: ClientId) -> Option<&mut Subscriptions> {
        self.client_mut(client).map(|c| &mut c.subs)
    }

    /// Refuses commands a RESP2 subscriber may not send, with Redis's error.
    /// RESP3 clients may send anything while subscribed.
    pub(crate) fn check_subscriber_context(&self, client: ClientId, resolved: Resolved) -> Result<Resolved, Error> {
        let Some(c) = self.client(client) else { return Ok(resolved) };
        let name = resolved.parent.unwrap_or(resolved.spec).name;
        if c.protocol == Protocol::Resp3 || !c.subs.is_subscribed() || ALLOWED_WHILE_SUBSCRIBED.contains(&name) {
            return Ok(resolved);
        }
        Err(Error::text(alloc::format!(
            "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
            resolved.full_name()
        )))
    }

    /// Subscribes `client` to each channel; one confirmation per argument.
    pub(crate) fn subscribe(&mut self, client: ClientId, flavor: &Flavor, channels: &[Vec<u8>]) -> Vec<Reply> {
        let mut replies = Vec::with_capacity(channels.len());
        for channel in channels {
            let Some(subs) = self.subscriptions(client) else { break };
            if (flavor.client_set)(subs).insert(channel) {
                (flavor.table_mut)(&mut self.pubsub).add(channel, client);
            }
            let count = self.subscriptions(client).map_or(0, |s| (flavor.count)(s));
            replies.push(confirmation(flavor.subscribe, Some(channel), count));
        }
        replies
    }

    /// Unsubscribes `client` from each channel (from all of them when
    /// `channels` is empty); one confirmation per channel, or a single one
    /// with a nil channel when there was nothing to leave.
    pub(crate) fn unsubscribe(&mut self, client: ClientId, flavor: &Flavor, channels: &[Vec<u8>]) -> Vec<Reply> {
        let Some(subs) = self.subscriptions(client) else { return Vec::new() };
        let targets: Vec<Vec<u8>> = if channels.is_empty() {
            (flavor.client_set)(subs).iter().map(<[u8]>::to_vec).collect()
        } else {
            channels.to_vec()
        };
        if targets.is_empty() {
            return vec![confirmation(flavor.unsubscribe, None, (flavor.count)(subs))];
        }
        let mut replies = Vec::with_capacity(targets.len());
        for channel in &targets {
            let Some(subs) = self.subscriptions(client) else { break };
            if (flavor.client_set)(subs).remove(channel) {
                (flavor.table_mut)(&mut self.pubsub).remove(channel, client);
            }
            let count = self.subscriptions(client).map_or(0, |s| (flavor.count)(s));
            replies.push(confirmation(flavor.unsubscribe, Some(channel), count));
        }
        replies
    }

    /// Subscribes `client` to each pattern; one confirmation per argument.
    pub(crate) fn psubscribe(&mut self, client: ClientId, patterns: &[Vec<u8>]) -> Vec<Reply> {
        let mut replies = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            let Some(subs) = self.subscriptions(client) else { break };
            if subs.patterns.insert(pattern) {
                self.pubsub.patterns.add(pattern, client);
            }
            let count = self.subscriptions(client).map_or(0, |s| s.classic_count());
            replies.push(confirmation(PATTERN_SUBSCRIBE, Some(pattern), count));
        }
        replies
    }

    /// PUNSUBSCRIBE: as [`Node::unsubscribe`], for patterns.
    pub(crate) fn punsubscribe(&mut self, client: ClientId, patterns: &[Vec<u8>]) -> Vec<Reply> {
        let Some(subs) = self.subscriptions(client) else { return Vec::new() };
        let targets: Vec<Vec<u8>> =
            if patterns.is_empty() { subs.patterns.iter().map(<[u8]>::to_vec).collect() } else { patterns.to_vec() };
        if targets.is_empty() {
            return vec![confirmation(PATTERN_UNSUBSCRIBE, None, subs.classic_count())];
        }
        let mut replies = Vec::with_capacity(targets.len());
        for pattern in &targets {
            let Some(subs) = self.subscriptions(client) else { break };
            if subs.patterns.remove(pattern) {
                self.pubsub.patterns.remove(pattern, client);
            }
            let count = self.subscriptions(client).map_or(0, |s| s.classic_count());
            replies.push(confirmation(PATTERN_UNSUBSCRIBE, Some(pattern), count));
        }
        replies
    }

    /// Delivers `message` to the channel's subscribers and, for classic
    /// channels, to every matching pattern's subscribers. Returns the number of
    /// deliveries: a client subscribed by channel and by two patterns counts 3.
    pub(crate) fn publish(&mut self, flavor: &Flavor, channel: &[u8], message: &[u8]) -> i64 {
        let (registry, clients) = self.pubsub_and_clients();
        let mut count = 0;
        let subscribers = (flavor.table)(registry).subscribers(channel);
        if !subscribers.is_empty() {
            Node::send_shared(clients, subscribers, &[flavor.message.as_bytes(), channel, message]);
            count += subscribers.len();
        }
        if flavor.with_patterns && !registry.patterns.is_empty() {
            for (pattern, subscribers) in registry.patterns.matching(channel) {
                Node::send_shared(clients, subscribers, &[b"pmessage", pattern, channel, message]);
                count += subscribers.len();
            }
        }
        count as i64
    }

    /// Leaves every channel, pattern and shard channel without sending
    /// confirmations (RESET, QUIT, CLIENT KILL, disconnect).
    pub(crate) fn leave_all_pubsub(&mut self, client: ClientId) {
        let Some(subs) = self.subscriptions(client) else { return };
        let subs = core::mem::take(subs);
        for channel in subs.channels.iter() {
            self.pubsub.channels.remove(channel, client);
        }
        for pattern in subs.patterns.iter() {
            self.pubsub.patterns.remove(pattern, client);
        }
        for channel in subs.shard_channels.iter() {
            self.pubsub.shard_channels.remove(channel, client);
        }
    }

    /// Unsubscribes every client from the shard channels `drop` selects,
    /// telling each with an `sunsubscribe` frame, as Redis does when a cluster
    /// slot stops being served here. Returns how many channels were dropped.
    pub fn drop_shard_channels(&mut self, drop: impl Fn(&[u8]) -> bool) -> usize {
        let table = &self.pubsub.shard_channels;
        let doomed: Vec<(Vec<u8>, Vec<ClientId>)> = table
            .names()
            .filter(|channel| drop(channel))
            .map(|channel| (channel.to_vec(), table.subscribers(channel).to_vec()))
            .collect();
        for (channel, clients) in &doomed {
            for &client in clients {
                let replies = self.unsubscribe(client, &SHARD, core::slice::from_ref(channel));
                for reply in replies {
                    self.send(client, reply);
                }
            }
        }
        doomed.len()
    }
}

#[cfg(test)]
mod tests;
