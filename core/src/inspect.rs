//! Read-only views of the keyspace and the pub/sub registry for front ends
//! (the playground's data inspector). Nothing here is a command: looking
//! does not count as an access (`OBJECT IDLETIME` is unchanged), expire keys,
//! or show up in any statistic.
//!
//! Views are paged (`start`, `count`) so a million-element list costs no
//! more to show than its first page.

use alloc::vec::Vec;

use crate::db::Value;
use crate::node::{ClientId, Node};
use crate::stream::{Fields, StreamId};

/// The largest page a view returns, whatever the caller asks for.
pub const MAX_PAGE: usize = 500;

/// One key of a database: its name and type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeySummary {
    pub key: Vec<u8>,
    pub kind: &'static str,
}

/// What is stored at one key.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyView {
    pub kind: &'static str,
    /// `OBJECT ENCODING`'s answer.
    pub encoding: &'static str,
    /// Milliseconds left before the key expires, if it has a time to live.
    pub ttl_ms: Option<u64>,
    /// `OBJECT IDLETIME`'s answer (whole seconds).
    pub idle_s: u64,
    pub data: DataView,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DataView {
    String(Vec<u8>),
    /// Cells `start..start + items.len()` of a list of `len` (index 0 is the head).
    List { len: usize, start: usize, items: Vec<Vec<u8>> },
    Stream(StreamView),
}

#[derive(Clone, Debug, PartialEq)]
pub struct StreamView {
    pub len: u64,
    pub first_id: StreamId,
    pub last_id: StreamId,
    pub max_deleted_id: StreamId,
    pub entries_added: u64,
    /// Entries from the `start`-th (oldest first), at most one page.
    pub start: usize,
    pub entries: Vec<(StreamId, Fields)>,
    pub groups: Vec<GroupView>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GroupView {
    pub name: Vec<u8>,
    pub last_delivered_id: StreamId,
    pub entries_read: i64,
    /// XINFO GROUPS' `lag` (`None`: unknown).
    pub lag: Option<i64>,
    pub consumers: Vec<ConsumerView>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerView {
    pub name: Vec<u8>,
    pub idle_ms: u64,
    pub pending: Vec<PendingView>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingView {
    pub id: StreamId,
    pub idle_ms: u64,
    pub delivery_count: u64,
}

/// A client as the inspector names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientRef {
    pub id: ClientId,
    /// Its `CLIENT SETNAME` name, if any.
    pub name: Option<Vec<u8>>,
}

/// A channel or pattern and who listens on it, in subscription order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listeners {
    pub name: Vec<u8>,
    pub clients: Vec<ClientRef>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PubSubView {
    pub channels: Vec<Listeners>,
    pub patterns: Vec<Listeners>,
    pub shard_channels: Vec<Listeners>,
}

/// Live keys of database `db` in byte order, at most `limit` of them, and
/// how many live keys there are in all.
pub fn keys(node: &Node, db: usize, limit: usize, now_ms: u64) -> (Vec<KeySummary>, usize) {
    let Some(db) = node.dbs.get(db) else { return (Vec::new(), 0) };
    let mut all: Vec<(&[u8], &'static str)> = db.live_entries(now_ms).map(|(k, e)| (k, e.value.type_name())).collect();
    let total = all.len();
    // The first `limit` in order without sorting them all (a page follows every command).
    crate::heap_sort::smallest_by(&mut all, limit, |a, b| a.cmp(b));
    let shown = all.into_iter().map(|(k, kind)| KeySummary { key: k.to_vec(), kind }).collect();
    (shown, total)
}

/// The value at `key` in database `db`, or `None` if there is no live key.
/// Lists and streams show `count` elements from index `start`.
pub fn key(node: &Node, db: usize, key: &[u8], start: usize, count: usize, now_ms: u64) -> Option<KeyView> {
    let db = node.dbs.get(db)?;
    let (_, entry) = db.live_entries(now_ms).find(|(k, _)| *k == key)?;
    let count = count.min(MAX_PAGE);
    let data = match &entry.value {
        Value::String(bytes) => DataView::String(bytes.to_vec()),
        Value::List(list) => {
            let start = start.min(list.len());
            DataView::List { len: list.len(), start, items: list.iter_from(start).take(count).map(<[u8]>::to_vec).collect() }
        }
        Value::Stream(stream) => {
            let start = (start as u64).min(stream.len()) as usize;
            let entries = stream.range(StreamId::MIN, StreamId::MAX, false).skip(start).take(count).collect();
            let groups = stream
                .groups
                .iter()
                .map(|(name, group)| GroupView {
                    name: name.clone(),
                    last_delivered_id: group.last_id,
                    entries_read: group.entries_read,
                    lag: stream.group_lag(group),
                    consumers: group
                        .consumers
                        .iter()
                        .map(|(cname, consumer)| ConsumerView {
                            name: cname.clone(),
                            idle_ms: now_ms.saturating_sub(consumer.seen_ms),
                            pending: consumer
                                .pel
                                .iter()
                                .take(MAX_PAGE)
                                .filter_map(|id| group.pel.get(id).map(|p| (id, p)))
                                .map(|(id, p)| PendingView {
                                    id: *id,
                                    idle_ms: now_ms.saturating_sub(p.delivery_ms),
                                    delivery_count: p.delivery_count,
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect();
            DataView::Stream(StreamView {
                len: stream.len(),
                first_id: stream.first_id,
                last_id: stream.last_id,
                max_deleted_id: stream.max_deleted_id,
                entries_added: stream.entries_added,
                start,
                entries,
                groups,
            })
        }
    };
    Some(KeyView {
        kind: entry.value.type_name(),
        encoding: entry.encoding(),
        ttl_ms: db.expire_at(key).map(|when| when.saturating_sub(now_ms)),
        idle_s: entry.idle_seconds(now_ms),
        data,
    })
}

/// Every channel, pattern and shard channel with a subscriber.
pub fn pubsub(node: &Node) -> PubSubView {
    let client = |id: &ClientId| ClientRef { id: *id, name: node.client(*id).and_then(|c| c.name.clone()) };
    let table = |t: &crate::pubsub::ChannelTable| -> Vec<Listeners> {
        t.names().map(|name| Listeners { name: name.to_vec(), clients: t.subscribers(name).iter().map(client).collect() }).collect()
    };
    PubSubView {
        channels: table(&node.pubsub.channels),
        patterns: node
            .pubsub
            .patterns
            .all()
            .into_iter()
            .map(|(name, clients)| Listeners { name: name.to_vec(), clients: clients.iter().map(client).collect() })
            .collect(),
        shard_channels: table(&node.pubsub.shard_channels),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn run(node: &mut Node, client: ClientId, args: &[&str], now: u64) {
        node.execute(client, args.iter().map(|a| a.as_bytes().to_vec()).collect(), now);
        node.take_output(client);
    }

    #[test]
    fn list_pages_and_no_access() {
        let mut node = Node::new();
        let c = node.connect(1000);
        run(&mut node, c, &["RPUSH", "q", "a", "b", "c", "d"], 1000);
        let view = key(&node, 0, b"q", 1, 2, 9000).unwrap();
        assert_eq!(view.data, DataView::List { len: 4, start: 1, items: vec![b"b".to_vec(), b"c".to_vec()] });
        assert_eq!(view.encoding, "quicklist");
        assert_eq!(view.idle_s, 8);
        // Looking is not an access.
        assert_eq!(key(&node, 0, b"q", 0, 1, 9000).unwrap().idle_s, 8);
        assert!(key(&node, 0, b"missing", 0, 1, 9000).is_none());
    }

    #[test]
    fn string_ttl_and_key_list() {
        let mut node = Node::new();
        let c = node.connect(1000);
        run(&mut node, c, &["SET", "b", "12", "PX", "5000"], 1000);
        run(&mut node, c, &["RPUSH", "a", "x"], 1000);
        let view = key(&node, 0, b"b", 0, 0, 2000).unwrap();
        assert_eq!((view.kind, view.encoding, view.ttl_ms), ("string", "int", Some(4000)));
        let (listed, total) = keys(&node, 0, 10, 2000);
        assert_eq!(total, 2);
        assert_eq!(listed[0], KeySummary { key: b"a".to_vec(), kind: "list" });
        run(&mut node, c, &["MSET", "e", "1", "d", "1", "c", "1"], 1000);
        let (first, total) = keys(&node, 0, 3, 2000);
        assert_eq!(total, 5);
        assert_eq!(first.iter().map(|k| k.key.as_slice()).collect::<Vec<_>>(), [&b"a"[..], b"b", b"c"]);
        // Past its time the key is gone from every view.
        assert!(key(&node, 0, b"b", 0, 0, 7000).is_none());
        assert_eq!(keys(&node, 0, 10, 7000).1, 4);
    }

    #[test]
    fn stream_groups_and_pending() {
        let mut node = Node::new();
        let c = node.connect(1000);
        run(&mut node, c, &["XADD", "s", "1-1", "f", "v"], 1000);
        run(&mut node, c, &["XADD", "s", "2-1", "f", "w"], 1000);
        run(&mut node, c, &["XGROUP", "CREATE", "s", "g", "0"], 1000);
        run(&mut node, c, &["XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"], 2000);
        run(&mut node, c, &["XCLAIM", "s", "g", "alice", "0", "1-1"], 3000);
        let Some(KeyView { data: DataView::Stream(s), .. }) = key(&node, 0, b"s", 0, 10, 4500) else { panic!() };
        assert_eq!((s.len, s.entries.len(), s.last_id), (2, 2, StreamId::new(2, 1)));
        let g = &s.groups[0];
        assert_eq!((g.name.as_slice(), g.last_delivered_id, g.lag), (&b"g"[..], StreamId::new(1, 1), Some(1)));
        let alice = &g.consumers[0];
        assert_eq!(alice.idle_ms, 1500);
        assert_eq!(alice.pending, vec![PendingView { id: StreamId::new(1, 1), idle_ms: 1500, delivery_count: 2 }]);
    }

    #[test]
    fn subscribers_by_channel_and_pattern() {
        let mut node = Node::new();
        let a = node.connect(0);
        let b = node.connect(0);
        run(&mut node, a, &["CLIENT", "SETNAME", "alice"], 0);
        run(&mut node, a, &["SUBSCRIBE", "news"], 0);
        run(&mut node, b, &["SUBSCRIBE", "news"], 0);
        run(&mut node, b, &["PSUBSCRIBE", "n*"], 0);
        let view = pubsub(&node);
        assert_eq!(view.channels.len(), 1);
        assert_eq!(view.channels[0].clients, vec![ClientRef { id: a, name: Some(b"alice".to_vec()) }, ClientRef { id: b, name: None }]);
        assert_eq!(view.patterns[0].name, b"n*".to_vec());
        assert_eq!(view.patterns[0].clients, vec![ClientRef { id: b, name: None }]);
    }
}
