//! [`Stream`]: the append-only log. Entries live in nodes kept in an ordered
//! map keyed by each node's first ("master") ID, as Redis keeps listpacks in a
//! radix tree. A node starts with a master entry whose field names later
//! entries can reuse, and entries store their IDs as deltas from the master ID.
//!
//! Node layout (listpack elements, see [`super::listpack`]):
//! ```text
//! master:  live-count deleted-count field-count field... 0
//! entry:   flags ms-delta seq-delta [field-count field value ...| value ...] element-count
//! ```
//! `flags` marks deleted entries (XDEL and exact trimming only mark them; the
//! node shrinks only when it is removed whole) and entries that reuse the
//! master's field names. A new node starts when the last one reaches the
//! configured entry count or byte size, so node boundaries fall where Redis's do.
//!
//! Besides its elements a node keeps "marks": where every [`MARK_EVERY`]th
//! entry starts. A walk that starts inside a node (XRANGE from an ID,
//! XREADGROUP after the group's last ID, XDEL) reads the IDs at the marks and
//! then at most that many entries, instead of every entry before its start;
//! backward walks decode one stretch between marks at a time.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::group::ConsumerGroup;
use super::id::{AddId, StreamId};
use super::listpack::{self as lp, Elem};

/// Field-value pairs of one entry.
pub type Fields = Vec<(Vec<u8>, Vec<u8>)>;

/// One entry as read from the log.
pub type Entry = (StreamId, Fields);

const FLAG_DELETED: i64 = 1;
const FLAG_SAME_FIELDS: i64 = 2;

/// Largest node Redis ever builds, whatever the configuration says.
const MAX_NODE_BYTES: u64 = 1 << 30;

/// Entries between two marks: seeking reads at most this many entries past a
/// mark, for 4 bytes per mark (half a byte per entry). Measured on
/// XREADGROUP COUNT 1: 16 costs 4% more instructions, 4 saves 2% more.
const MARK_EVERY: i64 = 8;

/// `stream-node-max-entries` and `stream-node-max-bytes` (0: no limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeLimits {
    pub max_entries: u64,
    pub max_bytes: u64,
}

impl Default for NodeLimits {
    fn default() -> Self {
        NodeLimits { max_entries: 100, max_bytes: 4096 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrimStrategy {
    /// Keep at most this many entries.
    MaxLen(u64),
    /// Drop entries with smaller IDs.
    MinId(StreamId),
}

/// Why an append failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppendError {
    /// The ID is not greater than the last one.
    NotGreater,
    /// The entry could not fit in a node.
    TooLarge,
}

/// What a trim did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrimOutcome {
    pub removed: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stream {
    nodes: BTreeMap<StreamId, Node>,
    length: u64,
    /// The greatest ID ever added (or set with XSETID).
    pub last_id: StreamId,
    /// The first live entry's ID (`0-0` when empty).
    pub first_id: StreamId,
    /// The greatest ID deleted by XDEL.
    pub max_deleted_id: StreamId,
    /// Entries ever added.
    pub entries_added: u64,
    /// Consumer groups by name.
    pub groups: BTreeMap<Vec<u8>, ConsumerGroup>,
}

/// One node: its listpack elements and the marks.
#[derive(Clone, Debug, Default, PartialEq)]
struct Node {
    lp: Vec<u8>,
    /// Where entries `MARK_EVERY`, `2 * MARK_EVERY`, ... start, in order.
    marks: Vec<u32>,
}

impl Node {
    /// Sets a master counter; the entries (and so the marks) move when its
    /// encoding changes size.
    fn set_counter(&mut self, pos: usize, v: i64) {
        let grew = lp::replace_int(&mut self.lp, pos, v);
        if grew != 0 {
            for mark in &mut self.marks {
                *mark = (*mark as isize + grew) as u32;
            }
        }
    }

    /// How many marked entries have an ID not greater than `id`: the index
    /// of the stretch between marks where an entry `id` would be.
    fn stretch_of(&self, master_id: StreamId, id: StreamId) -> usize {
        self.marks.partition_point(|&at| entry_head(&self.lp, master_id, at as usize).is_some_and(|(found, _, _)| found <= id))
    }

    /// Where stretch `k` starts and ends (stretch 0 starts at the first entry).
    fn stretch(&self, master: &Master, k: usize) -> (usize, usize) {
        let from = if k == 0 { master.entries_at } else { self.marks[k - 1] as usize };
        let to = self.marks.get(k).map_or(self.lp.len(), |&at| at as usize);
        (from, to)
    }

    /// The live entry `id`, if the node has it.
    fn find_live(&self, master_id: StreamId, id: StreamId) -> Option<EntryPos> {
        let master = Master::read(&self.lp)?;
        let (mut p, _) = self.stretch(&master, self.stretch_of(master_id, id));
        while p < self.lp.len() {
            let (entry, next) = read_entry(&self.lp, master_id, &master, p)?;
            if entry.id >= id {
                return (entry.id == id && !entry.deleted).then_some(entry);
            }
            p = next;
        }
        None
    }

    /// The ID of the node's last entry (live or deleted).
    fn last_entry_id(&self, master_id: StreamId) -> Option<StreamId> {
        let master = Master::read(&self.lp)?;
        let (mut p, _) = self.stretch(&master, self.marks.len());
        let mut last = None;
        while p < self.lp.len() {
            let (entry, next) = read_entry(&self.lp, master_id, &master, p)?;
            last = Some(entry.id);
            p = next;
        }
        last
    }
}

/// The position of an entry inside its node.
#[derive(Clone, Copy, Debug)]
struct EntryPos {
    id: StreamId,
    deleted: bool,
    /// Where its flags element starts.
    flags_at: usize,
    /// Where its fields (field-count or first value) start.
    fields_at: usize,
    same_fields: bool,
}

fn elem_bytes(e: Elem<'_>) -> Vec<u8> {
    match e {
        Elem::Str(s) => s.to_vec(),
        Elem::Int(v) => crate::args::i64_text(v, &mut [0; 20]).to_vec(),
    }
}

/// The master entry of a node: where its field names start, how many there
/// are, and where the first entry starts.
#[derive(Clone, Copy, Debug)]
struct Master {
    names_at: usize,
    name_count: usize,
    entries_at: usize,
}

impl Master {
    fn read(lp: &[u8]) -> Option<Master> {
        let (_, p) = lp::read_int(lp, 0)?;
        let (_, p) = lp::read_int(lp, p)?;
        let (name_count, names_at) = lp::read_int(lp, p)?;
        let mut p = names_at;
        for _ in 0..name_count {
            p = lp::skip(lp, p)?;
        }
        let entries_at = lp::skip(lp, p)?; // the master's terminating 0
        Some(Master { names_at, name_count: name_count.max(0) as usize, entries_at })
    }

    /// What a node without a readable master entry walks as: no entries.
    fn empty(lp: &[u8]) -> Master {
        Master { names_at: 0, name_count: 0, entries_at: lp.len() }
    }
}

/// The ID and flags of the entry starting at `p`, and where the rest starts.
#[inline]
fn entry_head(lp: &[u8], master_id: StreamId, p: usize) -> Option<(StreamId, i64, usize)> {
    let (flags, q) = lp::read_int(lp, p)?;
    let (ms_delta, q) = lp::read_int(lp, q)?;
    let (seq_delta, q) = lp::read_int(lp, q)?;
    let id = StreamId::new(master_id.ms.wrapping_add(ms_delta as u64), master_id.seq.wrapping_add(seq_delta as u64));
    Some((id, flags, q))
}

/// The entry starting at `p` of a node keyed `master_id`, and where the next starts.
#[inline]
fn read_entry(lp: &[u8], master_id: StreamId, master: &Master, p: usize) -> Option<(EntryPos, usize)> {
    let (id, flags, fields_at) = entry_head(lp, master_id, p)?;
    let entry = EntryPos { id, deleted: flags & FLAG_DELETED != 0, flags_at: p, fields_at, same_fields: flags & FLAG_SAME_FIELDS != 0 };
    Some((entry, entry_end(lp, master, &entry)?))
}

/// Where the entry after `entry` starts.
#[inline]
fn entry_end(lp: &[u8], master: &Master, entry: &EntryPos) -> Option<usize> {
    let mut q = entry.fields_at;
    let count = if entry.same_fields {
        master.name_count
    } else {
        let (n, next) = lp::read_int(lp, q)?;
        q = next;
        n.max(0) as usize * 2
    };
    for _ in 0..count {
        q = lp::skip(lp, q)?;
    }
    lp::skip(lp, q) // element count
}

/// An entry's field-value pairs, read in place; `end` learns where the
/// next entry starts once the last pair is read.
fn pairs<'n>(lp: &'n [u8], master: &Master, entry: &EntryPos, end: Option<&'n mut usize>) -> Pairs<'n> {
    if entry.same_fields {
        Pairs { lp, names_at: Some(master.names_at), at: entry.fields_at, left: master.name_count, end }
    } else {
        let (n, at) = lp::read_int(lp, entry.fields_at).unwrap_or((0, entry.fields_at));
        Pairs { lp, names_at: None, at, left: n.max(0) as usize, end }
    }
}

/// Field-value pairs of one entry, read from its node without copying.
pub struct Pairs<'n> {
    lp: &'n [u8],
    /// Where the master entry's next field name is, when the entry reuses them.
    names_at: Option<usize>,
    at: usize,
    left: usize,
    /// The forward walk's position, set past the entry after its last pair
    /// (so the walk need not skip over the fields again).
    end: Option<&'n mut usize>,
}

impl<'n> Pairs<'n> {
    /// How many pairs there are (the node says so up front).
    pub fn pair_count(&self) -> usize {
        self.left
    }
}

impl<'n> Iterator for Pairs<'n> {
    type Item = (Elem<'n>, Elem<'n>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let name = match &mut self.names_at {
            Some(names_at) => {
                let (name, next) = lp::read(self.lp, *names_at)?;
                *names_at = next;
                name
            }
            None => {
                let (name, next) = lp::read(self.lp, self.at)?;
                self.at = next;
                name
            }
        };
        let (value, next) = lp::read(self.lp, self.at)?;
        self.at = next;
        if self.left == 0 {
            if let (Some(end), Some(after)) = (self.end.take(), lp::skip(self.lp, next)) {
                *end = after;
            }
        }
        Some((name, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

/// Whether `fields` (names and values alternating) has exactly the master
/// entry's field names, in order. Reads only the master entry.
fn same_as_master(node: &[u8], fields: &[Vec<u8>]) -> bool {
    let mut p = match lp::read_int(node, 0).and_then(|(_, p)| lp::read_int(node, p)) {
        Some((_, p)) => p,
        None => return false,
    };
    let Some((count, next)) = lp::read_int(node, p) else { return false };
    if count as usize != fields.len() / 2 {
        return false;
    }
    p = next;
    for pair in fields.chunks(2) {
        let Some((name, next)) = lp::read(node, p) else { return false };
        if !name.is(&pair[0]) {
            return false;
        }
        p = next;
    }
    true
}

/// The master's live count, where its deleted count is, and the deleted count.
fn master_counts(node: &[u8]) -> (i64, usize, i64) {
    let Some((live, p)) = lp::read_int(node, 0) else { return (0, 0, 0) };
    let deleted = lp::read_int(node, p).map_or(0, |(d, _)| d);
    (live, p, deleted)
}

impl Stream {
    pub fn new() -> Stream {
        Stream::default()
    }

    /// Number of live entries.
    pub fn len(&self) -> u64 {
        self.length
    }

    pub fn is_empty(&self) -> bool {
        self.length == 0
    }

    /// Number of nodes (XINFO's `radix-tree-keys`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The number of nodes Redis's radix tree would have for these node keys
    /// (XINFO's `radix-tree-nodes`): the root, every branching point, every
    /// child of a branching point and every key.
    pub fn radix_tree_nodes(&self) -> usize {
        let keys: Vec<[u8; 16]> = self.nodes.keys().map(|id| id.to_key()).collect();
        subtree_nodes(&keys, 0)
    }

    /// Bytes of a node as Redis's listpack would take.
    fn node_bytes(node: &[u8]) -> u64 {
        (node.len() + lp::HEADER_AND_END) as u64
    }

    /// The ID XADD would give an entry now. `<ms>-*` after `<ms>-<max seq>`
    /// is `TooLarge`, the error Redis 7.0 gives for it.
    pub fn next_id(&self, spec: AddId, now_ms: u64) -> Result<StreamId, AppendError> {
        let last = self.last_id;
        match spec {
            AddId::Auto if now_ms > last.ms => Ok(StreamId::new(now_ms, 0)),
            AddId::Auto => last.next().ok_or(AppendError::NotGreater),
            AddId::AutoSeq(ms) if ms > last.ms => Ok(StreamId::new(ms, 0)),
            AddId::AutoSeq(ms) if ms == last.ms => {
                if last.seq < u64::MAX {
                    Ok(StreamId::new(ms, last.seq + 1))
                } else {
                    Err(AppendError::TooLarge)
                }
            }
            AddId::AutoSeq(_) => Err(AppendError::NotGreater),
            AddId::Explicit(id) if id > last => Ok(id),
            AddId::Explicit(_) => Err(AppendError::NotGreater),
        }
    }

    /// Appends an entry; `fields` alternates names and values. Returns its ID.
    pub fn append(&mut self, spec: AddId, fields: &[Vec<u8>], now_ms: u64, limits: NodeLimits) -> Result<StreamId, AppendError> {
        let id = self.next_id(spec, now_ms)?;
        let raw_len: u64 = fields.iter().map(|f| f.len() as u64).sum();
        if raw_len > MAX_NODE_BYTES {
            return Err(AppendError::TooLarge);
        }
        let max_bytes = if limits.max_bytes == 0 || limits.max_bytes > MAX_NODE_BYTES { MAX_NODE_BYTES } else { limits.max_bytes };
        // One descent to the last node in the usual case (no new node).
        let mut tail = self.nodes.last_entry();
        let need_new = match &tail {
            None => true,
            Some(last) => {
                let node = &last.get().lp;
                let (live, _, deleted) = master_counts(node);
                Self::node_bytes(node) + raw_len >= max_bytes
                    || (limits.max_entries != 0 && (live + deleted) as u64 >= limits.max_entries)
            }
        };
        let nfields = fields.len() / 2;
        if need_new {
            if let Some(mut previous) = tail {
                let previous = previous.get_mut();
                previous.lp.shrink_to_fit();
                previous.marks.shrink_to_fit();
            }
            let mut lp = Vec::new();
            lp::push_int(&mut lp, 0);
            lp::push_int(&mut lp, 0);
            lp::push_int(&mut lp, nfields as i64);
            for pair in fields.chunks(2) {
                lp::push_str(&mut lp, &pair[0]);
            }
            lp::push_int(&mut lp, 0);
            self.nodes.insert(id, Node { lp, marks: Vec::new() });
            tail = self.nodes.last_entry();
        }
        let Some(mut last) = tail else {
            return Err(AppendError::TooLarge);
        };
        let master = *last.key();
        let node = last.get_mut();
        let same_fields = same_as_master(&node.lp, fields);
        let (live, _, deleted) = master_counts(&node.lp);
        node.set_counter(0, live + 1);
        let index = live + deleted;
        if index > 0 && index % MARK_EVERY == 0 {
            // A node too large for a mark is only slower to seek in.
            if let Ok(at) = u32::try_from(node.lp.len()) {
                node.marks.push(at);
            }
        }
        let out = &mut node.lp;
        lp::push_int(out, if same_fields { FLAG_SAME_FIELDS } else { 0 });
        lp::push_int(out, id.ms.wrapping_sub(master.ms) as i64);
        lp::push_int(out, id.seq.wrapping_sub(master.seq) as i64);
        if same_fields {
            for pair in fields.chunks(2) {
                lp::push_str(out, &pair[1]);
            }
            lp::push_int(out, nfields as i64 + 3);
        } else {
            lp::push_int(out, nfields as i64);
            for value in fields {
                lp::push_str(out, value);
            }
            lp::push_int(out, nfields as i64 * 2 + 4);
        }
        self.length += 1;
        self.entries_added += 1;
        self.last_id = id;
        if self.length == 1 {
            self.first_id = id;
        }
        Ok(id)
    }

    /// Entries with IDs in `start..=end`, ascending or (`rev`) descending.
    pub fn range(&self, start: StreamId, end: StreamId, rev: bool) -> RangeIter<'_> {
        let first_key = self.nodes.range(..=start).next_back().map_or(start, |(k, _)| *k);
        let nodes = if start <= end { Some(self.nodes.range(first_key..=end)) } else { None };
        RangeIter { nodes, rev, start, end, current: None, stretch: Vec::new() }
    }

    /// Up to `count` entries (0: all) of `start..=end`.
    pub fn collect_range(&self, start: StreamId, end: StreamId, rev: bool, count: usize) -> Vec<Entry> {
        let iter = self.range(start, end, rev);
        if count == 0 {
            iter.collect()
        } else {
            iter.take(count).collect()
        }
    }

    /// The last live entry's ID, without reading its fields.
    pub fn last_live_id(&self) -> Option<StreamId> {
        self.range(StreamId::MIN, StreamId::MAX, true).next_id()
    }

    /// The entry with this ID, if live.
    pub fn get(&self, id: StreamId) -> Option<Fields> {
        self.range(id, id, false).next().map(|(_, fields)| fields)
    }

    pub fn contains(&self, id: StreamId) -> bool {
        self.range(id, id, false).next_id().is_some()
    }

    /// The first or last live entry.
    pub fn edge(&self, last: bool) -> Option<Entry> {
        self.range(StreamId::MIN, StreamId::MAX, last).next()
    }

    /// The first live entry's ID.
    fn first_live_id(&self) -> StreamId {
        self.range(StreamId::MIN, StreamId::MAX, false).next_id().unwrap_or(StreamId::MIN)
    }

    /// Marks one entry deleted; false if there is no live entry with this ID.
    /// Keeps `first_id` and `max_deleted_id` as XDEL does.
    pub fn delete(&mut self, id: StreamId) -> bool {
        let Some((&master, node)) = self.nodes.range_mut(..=id).next_back() else { return false };
        let Some(entry) = node.find_live(master, id) else { return false };
        let node_empty = mark_deleted(node, &entry);
        if node_empty {
            self.nodes.remove(&master);
        }
        self.length -= 1;
        if id > self.max_deleted_id {
            self.max_deleted_id = id;
        }
        if self.length == 0 {
            self.first_id = StreamId::MIN;
        } else if id == self.first_id {
            self.first_id = self.first_live_id();
        }
        true
    }

    /// Trims as XTRIM and XADD's MAXLEN/MINID do. `approx` removes whole
    /// nodes only; `limit` (approx only, 0: none) caps the entries removed.
    pub fn trim(&mut self, strategy: TrimStrategy, approx: bool, limit: u64) -> u64 {
        let mut removed = 0u64;
        loop {
            if let TrimStrategy::MaxLen(max) = strategy {
                if self.length <= max {
                    break;
                }
            }
            let Some((&master, node)) = self.nodes.iter_mut().next() else { break };
            let (live, _, _) = master_counts(&node.lp);
            let live = live as u64;
            let whole = match strategy {
                TrimStrategy::MaxLen(max) => self.length - live >= max,
                TrimStrategy::MinId(min) => node.last_entry_id(master).is_some_and(|last| last < min),
            };
            if whole {
                if limit != 0 && removed + live > limit {
                    break;
                }
                self.nodes.remove(&master);
                self.length -= live;
                removed += live;
                continue;
            }
            if approx {
                break;
            }
            // Exact: mark entries of this node deleted until the condition holds.
            let Some(names) = Master::read(&node.lp) else { break };
            let mut p = names.entries_at;
            while p < node.lp.len() {
                let Some((entry, next)) = read_entry(&node.lp, master, &names, p) else { break };
                if !entry.deleted {
                    let stop = match strategy {
                        TrimStrategy::MaxLen(max) => self.length <= max,
                        TrimStrategy::MinId(min) => entry.id >= min,
                    };
                    if stop {
                        break;
                    }
                    // The counters before it may change size: carry on from
                    // where the next entry is now.
                    let before = node.lp.len();
                    mark_deleted(node, &entry);
                    p = (next as isize + node.lp.len() as isize - before as isize) as usize;
                    self.length -= 1;
                    removed += 1;
                } else {
                    p = next;
                }
            }
            break;
        }
        if removed > 0 {
            self.first_id = self.first_live_id();
        }
        removed
    }

    /// Sets the last ID and counters (XSETID).
    pub fn set_id(&mut self, last_id: StreamId, entries_added: Option<u64>, max_deleted: Option<StreamId>) {
        self.last_id = last_id;
        if let Some(n) = entries_added {
            self.entries_added = n;
        }
        if let Some(id) = max_deleted {
            self.max_deleted_id = id;
        }
    }

    /// An O(1) estimate of the heap this stream holds, for `used_memory`:
    /// per-entry and per-node averages of the packed encoding, plus the
    /// groups' pending entries. `node_heap_bytes` is the exact (slower) figure.
    pub fn approx_heap_bytes(&self) -> usize {
        const BYTES_PER_ENTRY: usize = 24;
        const BYTES_PER_NODE: usize = 160;
        const BYTES_PER_PENDING: usize = 64;
        let pending: usize = self.groups.values().map(|g| g.pel.len()).sum();
        self.length as usize * BYTES_PER_ENTRY + self.nodes.len() * BYTES_PER_NODE + pending * BYTES_PER_PENDING
    }

    /// Heap bytes used by the entries (node buffers and marks), for memory reports.
    pub fn node_heap_bytes(&self) -> usize {
        self.nodes.values().map(|n| n.lp.capacity() + n.marks.capacity() * 4).sum()
    }
}

/// Marks `entry` deleted in `node` and updates the master counters; true
/// when no live entry is left.
fn mark_deleted(node: &mut Node, entry: &EntryPos) -> bool {
    let flags = lp::read_int(&node.lp, entry.flags_at).map_or(0, |(f, _)| f);
    // Flags are 0..=3: always one byte, so nothing moves.
    lp::replace_int(&mut node.lp, entry.flags_at, flags | FLAG_DELETED);
    let (live, deleted_at, deleted) = master_counts(&node.lp);
    node.set_counter(deleted_at, deleted + 1);
    node.set_counter(0, live - 1);
    live - 1 <= 0
}

/// Nodes of a radix tree holding `keys` (sorted, all sharing their first
/// `depth` bytes) from the node at `depth` down, that node included: a run of
/// single-child steps is one compressed node, a branching point has one child
/// node per distinct next byte, and each key ends in its own node.
fn subtree_nodes(keys: &[[u8; 16]], depth: usize) -> usize {
    match keys {
        [] => 1,
        [_] => 1 + usize::from(depth < 16),
        [first, .., last] => {
            let common = first.iter().zip(last.iter()).take_while(|(a, b)| a == b).count();
            if common > depth {
                return 1 + subtree_nodes(keys, common);
            }
            let mut total = 1;
            let mut i = 0;
            while i < keys.len() {
                let byte = keys[i][depth];
                let j = i + keys[i..].iter().take_while(|k| k[depth] == byte).count();
                total += subtree_nodes(&keys[i..j], depth + 1);
                i = j;
            }
            total
        }
    }
}

/// Walks entries of a range; see [`Stream::range`].
pub struct RangeIter<'a> {
    nodes: Option<alloc::collections::btree_map::Range<'a, StreamId, Node>>,
    rev: bool,
    start: StreamId,
    end: StreamId,
    current: Option<NodeWalk<'a>>,
    /// Backward walks: the entries of the stretch being walked.
    stretch: Vec<EntryPos>,
}

/// [`NodeWalk::at`] while the entry last handed out has not been read to its
/// end (its pairs do that, or the next step skips them).
const FIELDS_UNREAD: usize = usize::MAX;

/// The node a range walk is in. Forward walks read entries one by one from
/// the stretch where the range starts; backward walks decode one stretch at
/// a time into [`RangeIter::stretch`], from the one where the range ends.
struct NodeWalk<'a> {
    node: &'a Node,
    master_id: StreamId,
    master: Master,
    /// Forward: where the next entry starts, or [`FIELDS_UNREAD`].
    at: usize,
    /// Forward: the entry last handed out.
    last: EntryPos,
    /// Backward: how many stretches are still to be decoded (the next one
    /// is `stretches_left - 1`), and how many decoded entries are left.
    stretches_left: usize,
    decoded_left: usize,
}

impl<'a> NodeWalk<'a> {
    fn new(master_id: StreamId, node: &'a Node, rev: bool, start: StreamId, end: StreamId) -> NodeWalk<'a> {
        let master = Master::read(&node.lp).unwrap_or_else(|| Master::empty(&node.lp));
        let last = EntryPos { id: master_id, deleted: true, flags_at: 0, fields_at: 0, same_fields: false };
        let mut walk = NodeWalk { node, master_id, master, at: master.entries_at, last, stretches_left: 0, decoded_left: 0 };
        if rev {
            walk.stretches_left = node.stretch_of(master_id, end) + 1;
        } else if start > master_id && !node.marks.is_empty() {
            walk.at = node.stretch(&master, node.stretch_of(master_id, start)).0;
        }
        walk
    }

    fn next_entry(&mut self, rev: bool, stretch: &mut Vec<EntryPos>) -> Option<EntryPos> {
        let lp = &self.node.lp;
        if !rev {
            if self.at == FIELDS_UNREAD {
                self.at = entry_end(lp, &self.master, &self.last)?;
            }
            if self.at >= lp.len() {
                return None;
            }
            let (id, flags, fields_at) = entry_head(lp, self.master_id, self.at)?;
            let deleted = flags & FLAG_DELETED != 0;
            self.last = EntryPos { id, deleted, flags_at: self.at, fields_at, same_fields: flags & FLAG_SAME_FIELDS != 0 };
            self.at = FIELDS_UNREAD;
            return Some(self.last);
        }
        while self.decoded_left == 0 {
            if self.stretches_left == 0 {
                return None;
            }
            self.stretches_left -= 1;
            let (mut p, to) = self.node.stretch(&self.master, self.stretches_left);
            stretch.clear();
            while p < to {
                let Some((entry, next)) = read_entry(lp, self.master_id, &self.master, p) else { break };
                stretch.push(entry);
                p = next;
            }
            self.decoded_left = stretch.len();
        }
        self.decoded_left -= 1;
        stretch.get(self.decoded_left).copied()
    }
}

impl<'a> RangeIter<'a> {
    /// Moves to the next live entry in range; its node is then `current`.
    fn advance(&mut self) -> Option<EntryPos> {
        loop {
            if let Some(walk) = &mut self.current {
                while let Some(entry) = walk.next_entry(self.rev, &mut self.stretch) {
                    if entry.deleted {
                        continue;
                    }
                    let (before, past) = if self.rev {
                        (entry.id > self.end, entry.id < self.start)
                    } else {
                        (entry.id < self.start, entry.id > self.end)
                    };
                    if before {
                        continue;
                    }
                    if past {
                        self.nodes = None;
                        self.current = None;
                        return None;
                    }
                    return Some(entry);
                }
                self.current = None;
            }
            let nodes = self.nodes.as_mut()?;
            let (master, node) = if self.rev { nodes.next_back()? } else { nodes.next()? };
            self.current = Some(NodeWalk::new(*master, node, self.rev, self.start, self.end));
        }
    }

    /// The next entry's ID and its pairs read in place (the borrow ends
    /// before the walk goes on).
    pub fn next_in_place(&mut self) -> Option<(StreamId, Pairs<'_>)> {
        let entry = self.advance()?;
        let rev = self.rev;
        let walk = self.current.as_mut()?;
        let end = if rev { None } else { Some(&mut walk.at) };
        Some((entry.id, pairs(&walk.node.lp, &walk.master, &entry, end)))
    }

    /// The next entry's ID, without reading its fields.
    pub fn next_id(&mut self) -> Option<StreamId> {
        self.advance().map(|entry| entry.id)
    }
}

impl Iterator for RangeIter<'_> {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        self.next_in_place().map(|(id, pairs)| (id, pairs.map(|(f, v)| (elem_bytes(f), elem_bytes(v))).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn fields(pairs: &[&str]) -> Vec<Vec<u8>> {
        pairs.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn append_range_delete() {
        let mut s = Stream::new();
        let limits = NodeLimits { max_entries: 2, max_bytes: 4096 };
        for i in 1..=5u64 {
            let id = s.append(AddId::Explicit(StreamId::new(i, 0)), &fields(&["a", "1", "b", "x"]), 0, limits);
            assert_eq!(id, Ok(StreamId::new(i, 0)));
        }
        s.append(AddId::Explicit(StreamId::new(6, 0)), &fields(&["other", "-7"]), 0, limits).ok();
        assert_eq!(s.len(), 6);
        assert_eq!(s.node_count(), 3);
        let all = s.collect_range(StreamId::MIN, StreamId::MAX, false, 0);
        assert_eq!(all.len(), 6);
        assert_eq!(all[5].1, vec![(b"other".to_vec(), b"-7".to_vec())]);
        assert_eq!(all[0].1[0], (b"a".to_vec(), b"1".to_vec()));
        let rev = s.collect_range(StreamId::new(2, 0), StreamId::new(4, 0), true, 2);
        assert_eq!(rev.iter().map(|e| e.0.ms).collect::<Vec<_>>(), [4, 3]);
        assert!(s.delete(StreamId::new(1, 0)));
        assert!(!s.delete(StreamId::new(1, 0)));
        assert_eq!(s.first_id, StreamId::new(2, 0));
        assert!(s.delete(StreamId::new(2, 0)));
        assert_eq!(s.node_count(), 2);
        assert_eq!(s.append(AddId::Explicit(StreamId::new(6, 0)), &fields(&["a", "b"]), 0, limits), Err(AppendError::NotGreater));
    }

    #[test]
    fn trimming() {
        let mut s = Stream::new();
        let limits = NodeLimits { max_entries: 3, max_bytes: 0 };
        for i in 1..=10u64 {
            s.append(AddId::Explicit(StreamId::new(i, 0)), &fields(&["f", "v"]), 0, limits).ok();
        }
        assert_eq!(s.trim(TrimStrategy::MaxLen(8), true, 0), 0);
        assert_eq!(s.trim(TrimStrategy::MaxLen(7), true, 0), 3);
        assert_eq!(s.trim(TrimStrategy::MaxLen(5), false, 0), 2);
        assert_eq!(s.len(), 5);
        assert_eq!(s.first_id, StreamId::new(6, 0));
        assert_eq!(s.trim(TrimStrategy::MinId(StreamId::new(8, 0)), false, 0), 2);
        assert_eq!(s.first_id, StreamId::new(8, 0));
    }

    /// Ranges, lookups, deletes and trims against a plain ordered map, with
    /// node sizes that put several marks in a node, none, or counters that
    /// outgrow one byte (which moves every entry and mark of the node).
    #[test]
    fn walks_agree_with_a_plain_model() {
        use crate::db::Prng;
        let limits = [
            NodeLimits { max_entries: 100, max_bytes: 4096 },
            NodeLimits { max_entries: 0, max_bytes: 0 },
            NodeLimits { max_entries: 17, max_bytes: 0 },
            NodeLimits { max_entries: 300, max_bytes: 100_000 },
            NodeLimits { max_entries: 1, max_bytes: 0 },
        ];
        let mut rng = Prng::new(7);
        for (round, limits) in limits.into_iter().enumerate() {
            let mut s = Stream::new();
            let mut model: BTreeMap<StreamId, Vec<Vec<u8>>> = BTreeMap::new();
            let mut id = StreamId::new(1, 0);
            for i in 0..700u64 {
                // Mostly the master's fields; some entries with their own.
                let f = if i % 9 == 4 { fields(&["x", &alloc::format!("{}", i)]) } else { fields(&["a", "1", "b", &alloc::format!("v{}", i)]) };
                assert_eq!(s.append(AddId::Explicit(id), &f, 0, limits), Ok(id));
                model.insert(id, f);
                id = if rng.below(3) == 0 { StreamId::new(id.ms + 1 + rng.below(5) as u64, 0) } else { StreamId::new(id.ms, id.seq + 1) };
            }
            let ids: Vec<StreamId> = model.keys().copied().collect();
            for _ in 0..150 {
                let victim = ids[rng.below(ids.len())];
                assert_eq!(s.delete(victim), model.remove(&victim).is_some(), "round {} delete {}", round, victim);
            }
            let check = |s: &Stream, model: &BTreeMap<StreamId, Vec<Vec<u8>>>, rng: &mut Prng| {
                assert_eq!(s.len(), model.len() as u64);
                assert_eq!(s.first_id, model.keys().next().copied().unwrap_or(StreamId::MIN));
                for _ in 0..200 {
                    let a = ids[rng.below(ids.len())];
                    let b = ids[rng.below(ids.len())];
                    let (start, end) = if rng.below(8) == 0 { (StreamId::MIN, b) } else { (a.min(b), a.max(b)) };
                    let count = rng.below(40);
                    for rev in [false, true] {
                        let got: Vec<StreamId> = s.collect_range(start, end, rev, count).into_iter().map(|e| e.0).collect();
                        let all = model.range(start..=end).map(|(k, _)| *k);
                        let want: Vec<StreamId> = match (rev, count) {
                            (false, 0) => all.collect(),
                            (false, n) => all.take(n).collect(),
                            (true, 0) => all.rev().collect(),
                            (true, n) => all.rev().take(n).collect(),
                        };
                        assert_eq!(got, want, "round {} {}..={} rev {} count {}", round, start, end, rev, count);
                    }
                    let one = ids[rng.below(ids.len())];
                    let want = model.get(&one).map(|f| f.chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect::<Fields>());
                    assert_eq!(s.get(one), want);
                }
                assert_eq!(s.last_live_id(), model.keys().next_back().copied());
                // IDs only (the walk skips the fields itself), and pairs
                // left half read, must walk the same entries.
                let mut walk = s.range(StreamId::MIN, StreamId::MAX, false);
                let mut seen = Vec::new();
                loop {
                    if seen.len() % 2 == 0 {
                        let Some(id) = walk.next_id() else { break };
                        seen.push(id);
                    } else {
                        let Some((id, mut pairs)) = walk.next_in_place() else { break };
                        pairs.next();
                        seen.push(id);
                    }
                }
                assert!(seen.iter().eq(model.keys()), "round {}", round);
            };
            check(&s, &model, &mut rng);
            let min = ids[ids.len() / 3];
            let removed = s.trim(TrimStrategy::MinId(min), false, 0);
            let before = model.len();
            model.retain(|k, _| *k >= min);
            assert_eq!(removed as usize, before - model.len());
            check(&s, &model, &mut rng);
            let removed = s.trim(TrimStrategy::MaxLen(100), false, 0);
            while model.len() > 100 {
                let first = *model.keys().next().unwrap();
                model.remove(&first);
            }
            assert!(removed > 0);
            check(&s, &model, &mut rng);
        }
    }

    #[test]
    fn a_million_small_entries_fit_in_36_bytes_each() {
        let mut s = Stream::new();
        let entry = fields(&["user", "u123", "action", "click", "n", "42"]);
        for i in 0..1_000_000u64 {
            // About 20 entries per millisecond of virtual time.
            assert!(s.append(AddId::Auto, &entry, 1_700_000_000_000 + i / 20, NodeLimits::default()).is_ok());
        }
        // Node buffers plus the ordered map's per-node cost (key, Vec header
        // and B-tree slack, generously 96 bytes).
        let bytes = s.node_heap_bytes() + s.node_count() * 96;
        let per_entry = bytes as f64 / s.len() as f64;
        std::println!("{:.1} bytes per entry", per_entry);
        assert!(per_entry <= 36.0, "{} bytes per entry", per_entry);
    }

    #[test]
    fn radix_nodes() {
        let mut s = Stream::new();
        assert_eq!(s.radix_tree_nodes(), 1);
        let limits = NodeLimits { max_entries: 1, max_bytes: 0 };
        s.append(AddId::Explicit(StreamId::new(1, 1)), &fields(&["f", "v"]), 0, limits).ok();
        assert_eq!(s.radix_tree_nodes(), 2);
    }
}
