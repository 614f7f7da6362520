//! The keyspace as bytes and back: every database's live keys with their
//! values, expiry times, access times and string encodings, and each
//! stream's IDs, counters, consumer groups and pending entries. Front ends
//! keep a session across reloads and share it with this.
//!
//! Times are absolute virtual milliseconds, so TTLs, idle times and `*` IDs
//! come back right when the caller's clock is restored with the snapshot.
//! Streams are written as their entries, not their packed nodes: the format
//! does not change when the storage does, and restoring re-checks every ID.
//! Clients (connections, subscriptions, blocked commands) are not part of
//! it, as they are not part of an RDB file.
//!
//! Format (integers are LEB128 varints, byte strings a varint length then
//! the bytes, IDs two varints):
//! ```text
//! "RPS" 2  databases { index keys { key type form accessed expire+1|0 value } } 
//! string: bytes          list: count bytes...
//! stream: last-id max-deleted-id entries-added count { id pairs { field value } }
//!         groups { name last-id entries-read+1 consumers { name seen }
//!                  pending { id delivered-at count consumer } }
//! then (version 1 snapshots, still read, end before it):
//! shared integers { text last-access }
//! ```
//! The last part keeps `OBJECT IDLETIME` of keys holding shared small
//! integers, whose access time is the integer's, not the key's.
//! Restoring checks all of it and never panics on bad input.

use alloc::vec::Vec;
use core::fmt;

use crate::db::{Db, Entry, StringForm, Value};
use crate::list::{End, ListStore};
use crate::node::{Node, DATABASES};
use crate::stream::{AddId, ConsumerGroup, NodeLimits, Pending, Stream, StreamId};

const MAGIC: &[u8; 4] = b"RPS\x02";
/// Version 1 ended after the databases (no shared integers part).
const MAGIC_V1: &[u8; 4] = b"RPS\x01";

/// Why bytes could not be restored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapshotError {
    /// Not a snapshot, or one from another format version.
    NotASnapshot,
    /// The bytes end early.
    Truncated,
    /// The bytes decode to something a keyspace cannot hold.
    Invalid(&'static str),
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::NotASnapshot => f.write_str("not a redplay snapshot (or another version)"),
            SnapshotError::Truncated => f.write_str("snapshot is truncated"),
            SnapshotError::Invalid(what) => write!(f, "snapshot is invalid: {what}"),
        }
    }
}

/// The keyspace of `node` at `now_ms` (keys whose time has passed are left out).
pub fn dump(node: &Node, now_ms: u64) -> Vec<u8> {
    let mut out = Writer(MAGIC.to_vec());
    let used: Vec<(usize, &Db)> = node.dbs.iter().enumerate().filter(|(_, db)| !db.is_empty()).collect();
    out.uint(used.len() as u64);
    for (index, db) in used {
        let mut keys: Vec<_> = db.live_entries(now_ms).collect();
        crate::heap_sort::sort_by(&mut keys, |a, b| a.0.cmp(b.0));
        out.uint(index as u64);
        out.uint(keys.len() as u64);
        for (key, entry) in keys {
            out.bytes(key);
            let kind = match &entry.value {
                Value::String(_) => 0,
                Value::List(_) => 1,
                Value::Stream(_) => 2,
            };
            out.uint(kind);
            out.uint(match entry.form {
                StringForm::Compact => 0,
                StringForm::Plain => 1,
                StringForm::Raw => 2,
                StringForm::CompactCopy => 3,
            });
            out.uint(entry.accessed_ms);
            out.uint(db.expire_at(key).map_or(0, |when| when.saturating_add(1)));
            match &entry.value {
                Value::String(bytes) => out.bytes(bytes),
                Value::List(list) => {
                    out.uint(list.len() as u64);
                    for item in list.iter() {
                        out.bytes(item);
                    }
                }
                Value::Stream(stream) => write_stream(&mut out, stream),
            }
        }
    }
    // The access time of each shared integer some live key holds: its last
    // lookup through any key, or the node's start if there was none.
    let mut shared: Vec<(&[u8], u64)> = Vec::new();
    for db in &node.dbs {
        for (_, entry) in db.live_entries(now_ms) {
            let Some(text) = entry.shared_integer() else { continue };
            if shared.iter().any(|(t, _)| *t == text) {
                continue;
            }
            let last = node.dbs.iter().filter_map(|d| d.shared_integer_accessed(text)).max().unwrap_or(node.stats.start_ms);
            shared.push((text, last));
        }
    }
    crate::heap_sort::sort_by(&mut shared, |a, b| a.0.cmp(b.0));
    out.uint(shared.len() as u64);
    for (text, at) in shared {
        out.bytes(text);
        out.uint(at);
    }
    out.0
}

fn write_stream(out: &mut Writer, stream: &Stream) {
    out.id(stream.last_id);
    out.id(stream.max_deleted_id);
    out.uint(stream.entries_added);
    out.uint(stream.len());
    for (id, fields) in stream.range(StreamId::MIN, StreamId::MAX, false) {
        out.id(id);
        out.uint(fields.len() as u64);
        for (field, value) in &fields {
            out.bytes(field);
            out.bytes(value);
        }
    }
    out.uint(stream.groups.len() as u64);
    for (name, group) in &stream.groups {
        out.bytes(name);
        out.id(group.last_id);
        // entries-read is -1 when unknown; stored shifted up by one.
        out.uint((group.entries_read.max(-1) + 1) as u64);
        out.uint(group.consumers.len() as u64);
        for (cname, consumer) in &group.consumers {
            out.bytes(cname);
            out.uint(consumer.seen_ms);
        }
        out.uint(group.pel.len() as u64);
        for (id, pending) in &group.pel {
            out.id(*id);
            out.uint(pending.delivery_ms);
            out.uint(pending.delivery_count);
            out.bytes(&pending.consumer);
        }
    }
}

/// Replaces every database of `node` with the snapshot's; returns the number
/// of keys restored. On error the node is left as it was.
pub fn restore(node: &mut Node, bytes: &[u8]) -> Result<usize, SnapshotError> {
    let limits = NodeLimits {
        max_entries: u64::try_from(node.config.stream_node_max_entries).unwrap_or(0),
        max_bytes: u64::try_from(node.config.stream_node_max_bytes).unwrap_or(0),
    };
    let (rest, has_shared) = match bytes.strip_prefix(MAGIC.as_slice()) {
        Some(rest) => (rest, true),
        None => (bytes.strip_prefix(MAGIC_V1.as_slice()).ok_or(SnapshotError::NotASnapshot)?, false),
    };
    let mut input = Reader(rest);
    let mut dbs: Vec<Db> = (0..DATABASES).map(|_| Db::new()).collect();
    let mut restored = 0;
    for _ in 0..input.uint()? {
        let index = input.uint()? as usize;
        let db = dbs.get_mut(index).ok_or(SnapshotError::Invalid("database number"))?;
        for _ in 0..input.uint()? {
            let key = input.bytes()?.to_vec();
            let kind = input.uint()?;
            let form = match input.uint()? {
                0 => StringForm::Compact,
                1 => StringForm::Plain,
                2 => StringForm::Raw,
                3 => StringForm::CompactCopy,
                _ => return Err(SnapshotError::Invalid("string form")),
            };
            let accessed_ms = input.uint()?;
            let expire = input.uint()?.checked_sub(1);
            let value = match kind {
                0 => Value::string(input.bytes()?),
                1 => {
                    let mut list = ListStore::new();
                    for _ in 0..input.uint()? {
                        list.push(End::Right, input.bytes()?);
                    }
                    if list.is_empty() {
                        return Err(SnapshotError::Invalid("empty list"));
                    }
                    Value::List(list)
                }
                2 => Value::Stream(alloc::boxed::Box::new(read_stream(&mut input, limits)?)),
                _ => return Err(SnapshotError::Invalid("value type")),
            };
            db.insert_entry(&key, Entry::new(value, form, accessed_ms), expire);
            restored += 1;
        }
    }
    if has_shared {
        let db = dbs.first_mut().ok_or(SnapshotError::Invalid("database number"))?;
        for _ in 0..input.uint()? {
            let text = input.bytes()?.to_vec();
            let at = input.uint()?;
            db.note_shared_integer_access(&text, at);
        }
    }
    if !input.0.is_empty() {
        return Err(SnapshotError::Invalid("bytes after the end"));
    }
    for (slot, db) in node.dbs.iter_mut().zip(dbs) {
        *slot = db;
    }
    Ok(restored)
}

fn read_stream(input: &mut Reader<'_>, limits: NodeLimits) -> Result<Stream, SnapshotError> {
    let mut stream = Stream::new();
    let last_id = input.id()?;
    let max_deleted = input.id()?;
    let entries_added = input.uint()?;
    for _ in 0..input.uint()? {
        let id = input.id()?;
        let count = input.uint()?;
        if count == 0 {
            return Err(SnapshotError::Invalid("stream entry without fields"));
        }
        let mut fields = Vec::new();
        for _ in 0..count {
            fields.push(input.bytes()?.to_vec());
            fields.push(input.bytes()?.to_vec());
        }
        stream.append(AddId::Explicit(id), &fields, 0, limits).map_err(|_| SnapshotError::Invalid("stream entry ID"))?;
    }
    if last_id < stream.last_id {
        return Err(SnapshotError::Invalid("stream last ID"));
    }
    stream.set_id(last_id, Some(entries_added), Some(max_deleted));
    for _ in 0..input.uint()? {
        let name = input.bytes()?.to_vec();
        let last = input.id()?;
        let entries_read = i64::try_from(input.uint()?).map_err(|_| SnapshotError::Invalid("entries read"))? - 1;
        let mut group = ConsumerGroup::new(last, entries_read);
        for _ in 0..input.uint()? {
            let cname = input.bytes()?.to_vec();
            let seen = input.uint()?;
            group.consumer_or_create(&cname, seen);
        }
        for _ in 0..input.uint()? {
            let id = input.id()?;
            let delivery_ms = input.uint()?;
            let delivery_count = input.uint()?;
            let consumer = input.bytes()?.to_vec();
            let owner = group.consumers.get_mut(&consumer).ok_or(SnapshotError::Invalid("pending entry's consumer"))?;
            owner.pel.insert(id);
            group.pel.insert(id, Pending { delivery_ms, delivery_count, consumer });
        }
        stream.groups.insert(name, group);
    }
    Ok(stream)
}

struct Writer(Vec<u8>);

impl Writer {
    fn uint(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.0.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.0.push(n as u8);
    }

    fn bytes(&mut self, b: &[u8]) {
        self.uint(b.len() as u64);
        self.0.extend_from_slice(b);
    }

    fn id(&mut self, id: StreamId) {
        self.uint(id.ms);
        self.uint(id.seq);
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn uint(&mut self) -> Result<u64, SnapshotError> {
        let mut n: u64 = 0;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.0.split_first().ok_or(SnapshotError::Truncated)?;
            self.0 = rest;
            let part = u64::from(byte & 0x7f);
            if shift == 63 && part > 1 {
                return Err(SnapshotError::Invalid("integer too large"));
            }
            n |= part << shift;
            if byte & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(SnapshotError::Invalid("integer too large"))
    }

    fn bytes(&mut self) -> Result<&'a [u8], SnapshotError> {
        let len = usize::try_from(self.uint()?).map_err(|_| SnapshotError::Truncated)?;
        if len > self.0.len() {
            return Err(SnapshotError::Truncated);
        }
        let (head, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(head)
    }

    fn id(&mut self) -> Result<StreamId, SnapshotError> {
        Ok(StreamId::new(self.uint()?, self.uint()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Reply;

    fn run(node: &mut Node, client: u64, args: &[&str], now: u64) -> Vec<Reply> {
        node.execute(client, args.iter().map(|a| a.as_bytes().to_vec()).collect(), now);
        node.take_output(client)
    }

    fn populated() -> Node {
        let mut node = Node::new();
        let c = node.connect(1_000);
        for args in [
            &["SET", "n", "42"][..],
            &["SET", "t", "temporary", "PX", "60000"],
            &["APPEND", "raw", "abc"],
            &["APPEND", "raw", "def"],
            &["INCRBYFLOAT", "f", "1.5"],
            &["RPUSH", "q", "a", "b", "c"],
            &["LPUSH", "q", "head"],
            &["XADD", "s", "*", "f", "v"],
            &["XADD", "s", "*", "f", "w", "g", "x"],
            &["XADD", "s", "*", "f", "z"],
            &["XDEL", "s", "1000-2"],
            &["XGROUP", "CREATE", "s", "g1", "0"],
            &["XGROUP", "CREATE", "s", "g2", "$"],
            &["XGROUP", "CREATECONSUMER", "s", "g1", "idle"],
            &["XREADGROUP", "GROUP", "g1", "alice", "STREAMS", "s", ">"],
            &["SELECT", "3"],
            &["SET", "<img src=x onerror=alert(1)>", "\u{00e9}t\u{00e9}"],
        ] {
            run(&mut node, c, args, 1_000);
        }
        run(&mut node, c, &["SELECT", "0"], 2_000);
        run(&mut node, c, &["XCLAIM", "s", "g1", "bob", "0", "1000-0"], 2_000);
        run(&mut node, c, &["GET", "n"], 5_000);
        node
    }

    /// Replies that show what a snapshot must keep, asked at `now`.
    fn observe(node: &mut Node, now: u64) -> Vec<Vec<Reply>> {
        let c = node.connect(now);
        let mut seen = Vec::new();
        for args in [
            &["KEYS", "*"][..],
            &["OBJECT", "ENCODING", "n"],
            &["OBJECT", "ENCODING", "raw"],
            &["OBJECT", "ENCODING", "f"],
            &["OBJECT", "IDLETIME", "q"],
            &["OBJECT", "IDLETIME", "n"],
            &["PTTL", "t"],
            &["LRANGE", "q", "0", "-1"],
            &["XINFO", "STREAM", "s", "FULL"],
            &["XINFO", "GROUPS", "s"],
            &["XPENDING", "s", "g1", "-", "+", "10"],
            &["XADD", "s", "*", "after", "restore"],
            &["SELECT", "3"],
            &["KEYS", "*"],
            &["GET", "<img src=x onerror=alert(1)>"],
        ] {
            seen.push(run(node, c, args, now));
        }
        seen
    }

    #[test]
    fn restore_reproduces_what_commands_see() {
        let mut original = populated();
        let bytes = dump(&original, 8_000);
        let mut copy = Node::new();
        assert_eq!(restore(&mut copy, &bytes), Ok(7));
        copy.advance(8_000);
        assert_eq!(observe(&mut copy, 9_000), observe(&mut original, 9_000));
        // A restored node dumps to the same bytes.
        let mut again = Node::new();
        restore(&mut again, &bytes).unwrap();
        assert_eq!(dump(&again, 8_000), bytes);
    }

    #[test]
    fn expired_keys_are_left_out() {
        let node = populated();
        let mut copy = Node::new();
        assert_eq!(restore(&mut copy, &dump(&node, 61_000)), Ok(6));
    }

    #[test]
    fn bad_input_is_refused_without_panicking() {
        let bytes = dump(&populated(), 8_000);
        let mut node = Node::new();
        assert_eq!(restore(&mut node, b"nope"), Err(SnapshotError::NotASnapshot));
        for end in 0..bytes.len() {
            assert!(restore(&mut node, &bytes[..end]).is_err(), "prefix of {end} bytes accepted");
        }
        for at in 4..bytes.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = bytes.clone();
                bad[at] ^= flip;
                let _ = restore(&mut node, &bad);
            }
        }
        assert_eq!(restore(&mut node, &[MAGIC.as_slice(), &[0x80; 12]].concat()), Err(SnapshotError::Invalid("integer too large")));
    }
}
