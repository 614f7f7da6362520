//! The list store: the value behind a Redis list key.
//!
//! Like Redis's quicklist of listpacks, elements are packed into chunks of at
//! most [`CHUNK_BYTES`] bytes, and the chunks sit in a deque. Inside a chunk,
//! neighbouring elements are separated by a *link* holding the XOR of their
//! two lengths; the chunk starts with a link holding the first element's
//! length and ends with one holding the last element's. Reading forwards, the
//! length just read turns the next link into the next length, and reading
//! backwards works the same way, so both ends of a chunk are found in O(1)
//! with one link byte per short element (a 16-byte value takes 17 bytes).
//!
//! A chunk keeps free room before its elements as well as after them, so a
//! push or pop at either end writes a few bytes and moves nothing. Indexed
//! access walks chunk counts from the nearer end of the list, then links from
//! the nearer end of one chunk.
//!
//! Handlers only see the operations below (push, pop, get, set, insert,
//! trim, iterate, remove matching), so the layout can change without them.

use alloc::collections::{vec_deque, VecDeque};
use alloc::vec::Vec;
use core::fmt;

/// Upper bound of a chunk's packed bytes (a lone bigger element gets its own chunk).
pub const CHUNK_BYTES: usize = 4096;

/// An end of the list: LEFT (head) or RIGHT (tail).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Left,
    Right,
}

impl End {
    /// Parses `LEFT` or `RIGHT`, ignoring ASCII case.
    pub fn parse(word: &[u8]) -> Option<End> {
        if word.eq_ignore_ascii_case(b"left") {
            Some(End::Left)
        } else if word.eq_ignore_ascii_case(b"right") {
            Some(End::Right)
        } else {
            None
        }
    }
}

// ---------------------------------------------------------------------------
// Links: numbers readable from either end. Below 0x80 a link is that one
// byte; otherwise it is a marker (high bit set, low bits the number of value
// bytes), the value in little-endian bytes, and the marker again.
// ---------------------------------------------------------------------------

const SHORT_LINK: usize = 0x80;

fn value_bytes(value: usize) -> usize {
    (usize::BITS - value.leading_zeros()).div_ceil(8) as usize
}

fn link_len(value: usize) -> usize {
    if value < SHORT_LINK {
        1
    } else {
        2 + value_bytes(value)
    }
}

fn push_link(out: &mut Vec<u8>, value: usize) {
    if value < SHORT_LINK {
        out.push(value as u8);
        return;
    }
    let n = value_bytes(value);
    out.push(0x80 | n as u8);
    out.extend((0..n).map(|i| (value >> (8 * i)) as u8));
    out.push(0x80 | n as u8);
}

/// Writes the link for `value` at the start of `out`, which is exactly its size.
fn write_link(out: &mut [u8], value: usize) {
    if let [only] = out {
        *only = value as u8;
        return;
    }
    let n = out.len() - 2;
    out[0] = 0x80 | n as u8;
    out[n + 1] = 0x80 | n as u8;
    for (i, byte) in out[1..=n].iter_mut().enumerate() {
        *byte = (value >> (8 * i)) as u8;
    }
}

fn little_endian(bytes: &[u8]) -> usize {
    bytes.iter().rev().fold(0, |value, &b| (value << 8) | b as usize)
}

/// The link starting at `at`: its value and the offset after it.
#[inline]
fn read_forward(bytes: &[u8], at: usize) -> (usize, usize) {
    let first = bytes[at];
    if (first as usize) < SHORT_LINK {
        return (first as usize, at + 1);
    }
    let n = (first & 0x7f) as usize;
    (little_endian(&bytes[at + 1..at + 1 + n]), at + n + 2)
}

/// The link ending at `end`: its value and the offset where it starts.
#[inline]
fn read_backward(bytes: &[u8], end: usize) -> (usize, usize) {
    let last = bytes[end - 1];
    if (last as usize) < SHORT_LINK {
        return (last as usize, end - 1);
    }
    let n = (last & 0x7f) as usize;
    (little_endian(&bytes[end - 1 - n..end - 1]), end - n - 2)
}

// ---------------------------------------------------------------------------
// Chunks.
// ---------------------------------------------------------------------------

/// Packed elements: `bytes[start..]` holds link, element, link, ..., element,
/// link (nothing at all when `count` is 0); `bytes[..start]` is free room for
/// pushes at the front.
#[derive(Clone, Default)]
struct Chunk {
    bytes: Vec<u8>,
    start: u32,
    count: u32,
}

/// Where one element of a chunk sits, with its previous neighbour's length.
#[derive(Clone, Copy)]
struct Slot {
    /// Offset of the link before the element.
    link: usize,
    /// Offset of the element's first byte.
    at: usize,
    len: usize,
    /// The previous element's length, 0 for the chunk's first.
    prev: usize,
}

impl Chunk {
    fn start(&self) -> usize {
        self.start as usize
    }

    /// Bytes of elements and links.
    fn used(&self) -> usize {
        self.bytes.len() - self.start()
    }

    fn value(&self, slot: Slot) -> &[u8] {
        &self.bytes[slot.at..slot.at + slot.len]
    }

    fn elements(&self) -> Elements<'_> {
        Elements { bytes: &self.bytes, front: self.start(), prev: 0, back: self.bytes.len(), next: 0, left: self.count as usize }
    }

    /// The elements from `index` on.
    fn elements_from(&self, index: usize) -> Elements<'_> {
        if index >= self.count as usize {
            return Elements::default();
        }
        let slot = self.slot(index);
        Elements { front: slot.link, prev: slot.prev, left: self.count as usize - index, ..self.elements() }
    }

    /// Element `index` (`< count`), walking links from the nearer end.
    fn slot(&self, index: usize) -> Slot {
        let count = self.count as usize;
        if index < count / 2 {
            let (mut link, mut prev) = (self.start(), 0);
            for _ in 0..index {
                let (x, at) = read_forward(&self.bytes, link);
                prev ^= x;
                link = at + prev;
            }
            let (x, at) = read_forward(&self.bytes, link);
            return Slot { link, at, len: x ^ prev, prev };
        }
        let (mut end, mut next) = (self.bytes.len(), 0);
        for _ in index + 1..count {
            let (x, link) = read_backward(&self.bytes, end);
            next ^= x;
            end = link - next;
        }
        let (x, link_after) = read_backward(&self.bytes, end);
        let len = x ^ next;
        let at = link_after - len;
        let (y, link) = read_backward(&self.bytes, at);
        Slot { link, at, len, prev: y ^ len }
    }

    /// The element after `slot`'s length (0 when it is the last) and the
    /// offset after the link between them.
    fn after(&self, slot: Slot) -> (usize, usize) {
        let (x, end) = read_forward(&self.bytes, slot.at + slot.len);
        (x ^ slot.len, end)
    }

    /// How many bytes pushing a `len`-byte element at `end` adds.
    fn growth(&self, end: End, len: usize) -> usize {
        if self.count == 0 {
            return 2 * link_len(len) + len;
        }
        let outer = match end {
            End::Left => read_forward(&self.bytes, self.start()).0,
            End::Right => read_backward(&self.bytes, self.bytes.len()).0,
        };
        link_len(len) + len + link_len(len ^ outer) - link_len(outer)
    }

    fn fits(&self, end: End, len: usize) -> bool {
        self.count == 0 || self.used() + self.growth(end, len) <= CHUNK_BYTES
    }

    /// The capacity to give a chunk that must hold `need` bytes. Growth
    /// doubles up to the chunk size, so small lists stay small and chunks
    /// filled from one end carry no slack.
    fn capacity_for(&self, need: usize) -> usize {
        let capacity = self.bytes.capacity();
        if need > capacity {
            return (capacity * 2).clamp(16, CHUNK_BYTES).max(need);
        }
        // The elements are about to move to the other end. Keep some room
        // free, so that a list used at both ends (a rotating list) does not
        // move them again on the next push.
        if capacity - need < capacity / 8 {
            return need + capacity / 4;
        }
        capacity
    }

    /// Makes room for `extra` bytes after the elements.
    fn room_at_back(&mut self, extra: usize) {
        if self.bytes.capacity() - self.bytes.len() >= extra {
            return;
        }
        let (start, used) = (self.start(), self.used());
        let capacity = self.capacity_for(used + extra);
        self.bytes.copy_within(start.., 0);
        self.bytes.truncate(used);
        self.start = 0;
        if capacity > self.bytes.capacity() {
            self.bytes.reserve_exact(capacity - used);
        }
    }

    /// Makes room for `extra` bytes before the elements.
    fn room_at_front(&mut self, extra: usize) {
        let start = self.start();
        if start >= extra {
            return;
        }
        let used = self.used();
        let capacity = self.capacity_for(used + extra);
        if capacity > self.bytes.capacity() {
            self.bytes.reserve_exact(capacity - self.bytes.len());
        }
        let capacity = self.bytes.capacity();
        self.bytes.resize(capacity, 0);
        self.bytes.copy_within(start..start + used, capacity - used);
        self.start = (capacity - used) as u32;
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.start = 0;
        self.count = 0;
    }

    fn push_back(&mut self, value: &[u8]) {
        let len = value.len();
        let last = if self.count == 0 {
            0
        } else {
            let (last, link) = read_backward(&self.bytes, self.bytes.len());
            self.bytes.truncate(link);
            last
        };
        self.room_at_back(link_len(last ^ len) + len + link_len(len));
        push_link(&mut self.bytes, last ^ len);
        self.bytes.extend_from_slice(value);
        push_link(&mut self.bytes, len);
        self.count += 1;
    }

    fn push_front(&mut self, value: &[u8]) {
        let len = value.len();
        let first = if self.count == 0 {
            0
        } else {
            let (first, after) = read_forward(&self.bytes, self.start());
            self.start = after as u32;
            first
        };
        let (head, tail) = (link_len(len), link_len(len ^ first));
        self.room_at_front(head + len + tail);
        let at = self.start() - (head + len + tail);
        write_link(&mut self.bytes[at..at + head], len);
        self.bytes[at + head..at + head + len].copy_from_slice(value);
        write_link(&mut self.bytes[at + head + len..at + head + len + tail], len ^ first);
        self.start = at as u32;
        self.count += 1;
    }

    /// Removes the last element, handing it to `take` first.
    fn pop_back<R>(&mut self, take: impl FnOnce(&[u8]) -> R) -> R {
        let (len, link) = read_backward(&self.bytes, self.bytes.len());
        let at = link - len;
        let taken = take(&self.bytes[at..link]);
        if self.count == 1 {
            self.clear();
            return taken;
        }
        let (x, before) = read_backward(&self.bytes, at);
        // The new last link is never longer than the bytes it replaces, so
        // this writes in place.
        self.bytes.truncate(before);
        push_link(&mut self.bytes, x ^ len);
        self.count -= 1;
        taken
    }

    /// Removes the first element, handing it to `take` first.
    fn pop_front<R>(&mut self, take: impl FnOnce(&[u8]) -> R) -> R {
        let (len, at) = read_forward(&self.bytes, self.start());
        let taken = take(&self.bytes[at..at + len]);
        if self.count == 1 {
            self.clear();
            return taken;
        }
        let (x, after) = read_forward(&self.bytes, at + len);
        self.keep_from(Slot { link: at + len, at: after, len: x ^ len, prev: len }, 1);
        taken
    }

    /// Drops the `dropped` elements before `slot`'s (at least one).
    fn keep_from(&mut self, slot: Slot, dropped: usize) {
        // The new first link fits in the dropped bytes: it replaces at least
        // one element and two links, and it is never longer than those links.
        let link = slot.at - link_len(slot.len);
        write_link(&mut self.bytes[link..slot.at], slot.len);
        self.start = link as u32;
        self.count -= dropped as u32;
    }

    /// Drops the `dropped` elements after `slot`'s (at least one).
    fn keep_through(&mut self, slot: Slot, dropped: usize) {
        self.bytes.truncate(slot.at + slot.len);
        push_link(&mut self.bytes, slot.len);
        self.count -= dropped as u32;
    }

    /// Replaces the bytes in `range` (links and elements) by `with`.
    fn splice(&mut self, range: core::ops::Range<usize>, with: &[u8]) {
        self.bytes.splice(range, with.iter().copied());
    }

    /// Splits an over-full chunk in two halves; returns the second half.
    fn split(&mut self) -> Chunk {
        let keep = self.count as usize / 2;
        let slot = self.slot(keep);
        let mut tail = Vec::with_capacity(link_len(slot.len) + self.bytes.len() - slot.at);
        push_link(&mut tail, slot.len);
        tail.extend_from_slice(&self.bytes[slot.at..]);
        let tail = Chunk { bytes: tail, start: 0, count: self.count - keep as u32 };
        self.bytes.truncate(slot.link);
        push_link(&mut self.bytes, slot.prev);
        self.bytes.drain(..self.start());
        self.bytes.shrink_to_fit();
        self.start = 0;
        self.count = keep as u32;
        tail
    }

    fn from_values<'a>(values: impl IntoIterator<Item = &'a [u8]>) -> Chunk {
        let mut chunk = Chunk::default();
        for value in values {
            chunk.push_back(value);
        }
        chunk
    }
}

/// One chunk's elements, from either end; see [`Chunk::elements`].
#[derive(Clone, Default)]
struct Elements<'a> {
    bytes: &'a [u8],
    /// The next link from the front, and the length of the element before it.
    front: usize,
    prev: usize,
    /// Where the next link from the back ends, and the length of the element after it.
    back: usize,
    next: usize,
    left: usize,
}

impl<'a> Iterator for Elements<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let (x, at) = read_forward(self.bytes, self.front);
        let len = x ^ self.prev;
        self.front = at + len;
        self.prev = len;
        Some(&self.bytes[at..at + len])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<'a> DoubleEndedIterator for Elements<'a> {
    #[inline]
    fn next_back(&mut self) -> Option<&'a [u8]> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let (x, link) = read_backward(self.bytes, self.back);
        let len = x ^ self.next;
        let at = link - len;
        self.back = at;
        self.next = len;
        Some(&self.bytes[at..link])
    }
}

// ---------------------------------------------------------------------------
// The list.
// ---------------------------------------------------------------------------

/// A Redis list value.
#[derive(Clone, Default)]
pub struct ListStore {
    chunks: VecDeque<Chunk>,
    len: usize,
}

impl ListStore {
    pub fn new() -> ListStore {
        ListStore::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds `value` at `end`.
    pub fn push(&mut self, end: End, value: &[u8]) {
        let outer = match end {
            End::Left => self.chunks.front(),
            End::Right => self.chunks.back(),
        };
        if !outer.is_some_and(|c| c.fits(end, value.len())) {
            // A list that filled a chunk is likely to fill the next one:
            // give it its full size at once rather than growing it by doubling.
            let capacity = if self.chunks.is_empty() { 0 } else { CHUNK_BYTES };
            let chunk = Chunk { bytes: Vec::with_capacity(capacity), ..Chunk::default() };
            match end {
                End::Left => self.chunks.push_front(chunk),
                End::Right => self.chunks.push_back(chunk),
            }
        }
        match end {
            End::Left => self.chunks.front_mut().map(|c| c.push_front(value)),
            End::Right => self.chunks.back_mut().map(|c| c.push_back(value)),
        };
        self.len += 1;
    }

    /// Removes and returns the element at `end`.
    pub fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        self.pop_with(end, crate::short_copy::to_vec)
    }

    /// Removes the element at `end`, handing its bytes to `take` (to encode
    /// or copy them) before they are overwritten.
    pub fn pop_with<R>(&mut self, end: End, take: impl FnOnce(&[u8]) -> R) -> Option<R> {
        let taken = match end {
            End::Left => {
                let chunk = self.chunks.front_mut()?;
                let taken = chunk.pop_front(take);
                if chunk.count == 0 {
                    self.chunks.pop_front();
                }
                taken
            }
            End::Right => {
                let chunk = self.chunks.back_mut()?;
                let taken = chunk.pop_back(take);
                if chunk.count == 0 {
                    self.chunks.pop_back();
                }
                taken
            }
        };
        self.len -= 1;
        Some(taken)
    }

    /// The chunk holding element `index` and the index inside it, walking
    /// from whichever end is nearer.
    fn locate(&self, index: usize) -> Option<(usize, usize)> {
        if index >= self.len {
            return None;
        }
        if index < self.len / 2 {
            let mut skipped = 0;
            for (i, chunk) in self.chunks.iter().enumerate() {
                let count = chunk.count as usize;
                if index < skipped + count {
                    return Some((i, index - skipped));
                }
                skipped += count;
            }
        } else {
            let mut first = self.len;
            for (i, chunk) in self.chunks.iter().enumerate().rev() {
                first -= chunk.count as usize;
                if index >= first {
                    return Some((i, index - first));
                }
            }
        }
        None
    }

    /// The element at `index` (0 is the head).
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        let (c, i) = self.locate(index)?;
        let chunk = &self.chunks[c];
        Some(chunk.value(chunk.slot(i)))
    }

    /// Replaces the element at `index`; false when out of range.
    pub fn set(&mut self, index: usize, value: &[u8]) -> bool {
        let Some((c, i)) = self.locate(index) else {
            return false;
        };
        let chunk = &mut self.chunks[c];
        let slot = chunk.slot(i);
        let (next, end) = chunk.after(slot);
        let mut piece = Vec::with_capacity(value.len() + 2 * link_len(value.len()) + 20);
        push_link(&mut piece, slot.prev ^ value.len());
        piece.extend_from_slice(value);
        push_link(&mut piece, value.len() ^ next);
        chunk.splice(slot.link..end, &piece);
        self.split_if_needed(c);
        true
    }

    /// Inserts `value` so that it ends up at `index` (`index == len` appends).
    pub fn insert(&mut self, index: usize, value: &[u8]) {
        if index == 0 {
            return self.push(End::Left, value);
        }
        if index >= self.len {
            return self.push(End::Right, value);
        }
        let Some((c, i)) = self.locate(index) else {
            return;
        };
        let chunk = &mut self.chunks[c];
        let slot = chunk.slot(i);
        let mut piece = Vec::with_capacity(value.len() + 2 * link_len(value.len()) + 20);
        push_link(&mut piece, slot.prev ^ value.len());
        piece.extend_from_slice(value);
        push_link(&mut piece, value.len() ^ slot.len);
        chunk.splice(slot.link..slot.at, &piece);
        chunk.count += 1;
        self.len += 1;
        self.split_if_needed(c);
    }

    fn split_if_needed(&mut self, c: usize) {
        if let Some(chunk) = self.chunks.get_mut(c) {
            if chunk.count > 1 && chunk.used() > CHUNK_BYTES {
                let tail = chunk.split();
                self.chunks.insert(c + 1, tail);
            }
        }
    }

    /// Removes `n` elements from `end` (all of them if `n >= len`).
    pub fn remove(&mut self, end: End, n: usize) {
        let mut n = n.min(self.len);
        self.len -= n;
        while n > 0 {
            let chunk = match end {
                End::Left => self.chunks.front_mut(),
                End::Right => self.chunks.back_mut(),
            };
            let Some(chunk) = chunk else { break };
            let count = chunk.count as usize;
            if n >= count {
                n -= count;
                match end {
                    End::Left => self.chunks.pop_front(),
                    End::Right => self.chunks.pop_back(),
                };
                continue;
            }
            match end {
                End::Left => chunk.keep_from(chunk.slot(n), n),
                End::Right => chunk.keep_through(chunk.slot(count - n - 1), n),
            }
            n = 0;
        }
    }

    /// Keeps only the elements `start..=stop` (both in range, `start <= stop`).
    pub fn keep_range(&mut self, start: usize, stop: usize) {
        let tail = self.len.saturating_sub(stop.saturating_add(1));
        self.remove(End::Right, tail);
        self.remove(End::Left, start);
    }

    /// Removes up to `limit` elements equal to `value` (0: all), scanning from
    /// `from`; returns how many were removed.
    pub fn remove_matching(&mut self, value: &[u8], limit: usize, from: End) -> usize {
        let mut removed = 0;
        let order: Vec<usize> = match from {
            End::Left => (0..self.chunks.len()).collect(),
            End::Right => (0..self.chunks.len()).rev().collect(),
        };
        for c in order {
            if limit != 0 && removed == limit {
                break;
            }
            let chunk = &mut self.chunks[c];
            let count = chunk.count as usize;
            // Positions (from the chunk's head) of the matches to drop.
            let mut drop = Vec::new();
            let mut scan = |(i, element): (usize, &[u8])| {
                if limit != 0 && removed == limit {
                    return false;
                }
                if element == value {
                    drop.push(i);
                    removed += 1;
                }
                true
            };
            match from {
                End::Left => chunk.elements().enumerate().try_for_each(|e| scan(e).then_some(())),
                End::Right => chunk.elements().rev().enumerate().map(|(i, e)| (count - 1 - i, e)).try_for_each(|e| scan(e).then_some(())),
            };
            if drop.is_empty() {
                continue;
            }
            if from == End::Right {
                drop.reverse();
            }
            let mut dropped = drop.iter().peekable();
            let kept = chunk.elements().enumerate().filter(|(i, _)| dropped.next_if_eq(&i).is_none()).map(|(_, e)| e);
            *chunk = Chunk::from_values(kept);
        }
        self.len -= removed;
        if removed > 0 {
            self.compact();
        }
        removed
    }

    /// Drops empty chunks and merges neighbours that fit in one chunk together.
    fn compact(&mut self) {
        let old = core::mem::take(&mut self.chunks);
        for chunk in old {
            if chunk.count == 0 {
                continue;
            }
            match self.chunks.back_mut() {
                Some(last) if last.used() + chunk.used() <= CHUNK_BYTES => {
                    for value in chunk.elements() {
                        last.push_back(value);
                    }
                }
                _ => self.chunks.push_back(chunk),
            }
        }
    }

    /// Every element from head to tail (double-ended).
    pub fn iter(&self) -> Iter<'_> {
        Iter { elements: Elements::default().chain(self.chunks.iter().flat_map(Chunk::elements as _)), remaining: self.len }
    }

    /// The elements from `index` to the tail, skipping whole chunks to get there.
    pub fn iter_from(&self, index: usize) -> Iter<'_> {
        match self.locate(index) {
            Some((c, i)) => Iter {
                elements: self.chunks[c].elements_from(i).chain(self.chunks.range(c + 1..).flat_map(Chunk::elements as _)),
                remaining: self.len - index,
            },
            None => Iter { remaining: 0, ..self.iter() },
        }
    }

    /// Calls `each` on up to `count` elements from `index` on, in order: a
    /// tighter loop than `iter_from` for range replies.
    pub fn for_each_from<'a>(&'a self, index: usize, count: usize, mut each: impl FnMut(&'a [u8])) {
        let Some((c, i)) = self.locate(index) else { return };
        let mut left = count;
        let mut elements = self.chunks[c].elements_from(i);
        for chunk in self.chunks.range(c + 1..).map(Some).chain([None]) {
            let taken = elements.left.min(left);
            elements.left = taken;
            elements.for_each(&mut each);
            left -= taken;
            match chunk {
                Some(chunk) if left > 0 => elements = chunk.elements(),
                _ => break,
            }
        }
    }

    /// An O(1) estimate of `allocated_bytes` for `used_memory` (counted on
    /// every write): exact for small lists, full chunks for long ones.
    pub fn approx_heap_bytes(&self) -> usize {
        if self.chunks.len() <= 2 {
            return self.allocated_bytes();
        }
        self.chunks.len() * (CHUNK_BYTES + core::mem::size_of::<Chunk>())
    }

    /// Bytes used by the packed elements and their chunks (capacity included),
    /// for memory reports.
    pub fn allocated_bytes(&self) -> usize {
        self.chunks.iter().map(|c| c.bytes.capacity()).sum::<usize>()
            + self.chunks.capacity() * core::mem::size_of::<Chunk>()
    }
}

impl PartialEq for ListStore {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for ListStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter().map(|v| alloc::string::String::from_utf8_lossy(v))).finish()
    }
}

impl<'a> FromIterator<&'a [u8]> for ListStore {
    fn from_iter<I: IntoIterator<Item = &'a [u8]>>(items: I) -> Self {
        let mut list = ListStore::new();
        for item in items {
            list.push(End::Right, item);
        }
        list
    }
}

type ChunkElements<'a> = core::iter::FlatMap<vec_deque::Iter<'a, Chunk>, Elements<'a>, fn(&'a Chunk) -> Elements<'a>>;

/// Iterator over a list's elements; see [`ListStore::iter`].
pub struct Iter<'a> {
    /// The first (possibly partial) chunk, then the whole chunks after it.
    elements: core::iter::Chain<Elements<'a>, ChunkElements<'a>>,
    remaining: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        self.elements.next()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<'a> DoubleEndedIterator for Iter<'a> {
    fn next_back(&mut self) -> Option<&'a [u8]> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        self.elements.next_back()
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::vec;

    fn model_check(list: &ListStore, model: &VecDeque<Vec<u8>>) {
        assert_eq!(list.len(), model.len());
        let forward: Vec<&[u8]> = list.iter().collect();
        let expected: Vec<&[u8]> = model.iter().map(|v| v.as_slice()).collect();
        assert_eq!(forward, expected);
        let backward: Vec<&[u8]> = list.iter().rev().collect();
        let mut reversed = expected.clone();
        reversed.reverse();
        assert_eq!(backward, reversed);
        for (i, v) in model.iter().enumerate() {
            assert_eq!(list.get(i), Some(v.as_slice()), "index {}", i);
        }
        assert_eq!(list.get(model.len()), None);
        let counted: usize = list.chunks.iter().map(|c| c.count as usize).sum();
        assert_eq!(counted, model.len());
        for chunk in &list.chunks {
            assert_eq!(chunk.elements().count(), chunk.count as usize);
            assert_eq!(chunk.elements().rev().count(), chunk.count as usize);
            assert!(chunk.count > 0);
        }
    }

    /// A deterministic sequence of mixed operations compared with a VecDeque.
    #[test]
    fn matches_a_simple_model() {
        let mut list = ListStore::new();
        let mut model: VecDeque<Vec<u8>> = VecDeque::new();
        let mut seed: u64 = 42;
        let mut rand = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n.max(1) as u64) as usize
        };
        for step in 0..20_000 {
            let size = match rand(10) {
                0 => 300,
                1 => 5000,
                _ => rand(20),
            };
            let value: Vec<u8> = format!("{:0width$}", step % 7, width = size.max(1)).into_bytes();
            match rand(12) {
                0..=2 => {
                    list.push(End::Left, &value);
                    model.push_front(value);
                }
                3..=5 => {
                    list.push(End::Right, &value);
                    model.push_back(value);
                }
                6 => assert_eq!(list.pop(End::Left), model.pop_front()),
                7 => assert_eq!(list.pop(End::Right), model.pop_back()),
                8 if !model.is_empty() => {
                    let i = rand(model.len());
                    assert!(list.set(i, &value));
                    model[i] = value;
                }
                9 => {
                    let i = rand(model.len() + 1);
                    list.insert(i, &value);
                    model.insert(i, value);
                }
                10 if step % 50 == 0 => {
                    let target = format!("{:01}", step % 7).into_bytes();
                    let limit = rand(3);
                    let from = if rand(2) == 0 { End::Left } else { End::Right };
                    let removed = list.remove_matching(&target, limit, from);
                    let mut left = if limit == 0 { usize::MAX } else { limit };
                    let mut expected_removed = 0;
                    let mut kept: Vec<Vec<u8>> = Vec::new();
                    let items: Vec<Vec<u8>> = match from {
                        End::Left => model.iter().cloned().collect(),
                        End::Right => model.iter().rev().cloned().collect(),
                    };
                    for item in items {
                        if left > 0 && item == target {
                            left -= 1;
                            expected_removed += 1;
                        } else {
                            kept.push(item);
                        }
                    }
                    if from == End::Right {
                        kept.reverse();
                    }
                    model = kept.into_iter().collect();
                    assert_eq!(removed, expected_removed);
                }
                11 if model.len() > 4 => {
                    let start = rand(model.len() / 4);
                    let stop = model.len() - 1 - rand(model.len() / 4);
                    list.keep_range(start, stop);
                    model = model.iter().skip(start).take(stop - start + 1).cloned().collect();
                }
                _ => {}
            }
            if step % 997 == 0 {
                model_check(&list, &model);
            }
        }
        model_check(&list, &model);
        let start = model.len() / 3;
        let from: Vec<&[u8]> = list.iter_from(start).collect();
        let expected: Vec<&[u8]> = model.iter().skip(start).map(|v| v.as_slice()).collect();
        assert_eq!(from, expected);
        for (start, count) in [(0, 0), (0, 1), (start, 100), (start, 5000), (model.len() - 1, 10), (model.len(), 1)] {
            let mut seen: Vec<&[u8]> = Vec::new();
            list.for_each_from(start, count, |v| seen.push(v));
            let expected: Vec<&[u8]> = model.iter().skip(start).take(count).map(|v| v.as_slice()).collect();
            assert_eq!(seen, expected, "{} {}", start, count);
        }
    }

    /// Runs of pops from the back mixed
    /// with every other change, checked against a VecDeque after each step.
    #[test]
    fn back_pops_stay_right_whatever_happened_before() {
        let mut list = ListStore::new();
        let mut model: VecDeque<Vec<u8>> = VecDeque::new();
        let value = |i: usize| format!("{:0width$}", i, width = 1 + i % 200).into_bytes();
        for i in 0..3000 {
            list.push(End::Right, &value(i));
            model.push_back(value(i));
        }
        for round in 0..60 {
            for _ in 0..(round % 7) * 9 {
                assert_eq!(list.pop(End::Right), model.pop_back());
            }
            let v = value(round);
            match round % 6 {
                0 => {
                    list.push(End::Left, &v);
                    model.push_front(v);
                }
                1 => assert_eq!(list.pop(End::Left), model.pop_front()),
                2 => {
                    list.push(End::Right, &v);
                    model.push_back(v);
                }
                3 => {
                    let i = model.len() - 3;
                    assert!(list.set(i, &v));
                    model[i] = v;
                }
                4 => {
                    let i = model.len() - 5;
                    list.insert(i, &v);
                    model.insert(i, v);
                }
                _ => {
                    list.remove(End::Right, 2);
                    model.truncate(model.len() - 2);
                }
            }
            assert_eq!(list.pop(End::Right), model.pop_back());
            assert_eq!(list.get(model.len() - 1), model.back().map(|v| v.as_slice()));
        }
        model_check(&list, &model);
    }

    #[test]
    fn iterates_from_both_ends_without_overlap() {
        let list: ListStore =
            (0..1000).map(|i| format!("{}", i).into_bytes()).collect::<Vec<_>>().iter().map(|v| v.as_slice()).collect();
        let mut iter = list.iter();
        let mut seen = Vec::new();
        loop {
            match (iter.next(), iter.next_back()) {
                (Some(a), Some(b)) => {
                    seen.push(a.to_vec());
                    seen.push(b.to_vec());
                }
                (Some(a), None) | (None, Some(a)) => seen.push(a.to_vec()),
                (None, None) => break,
            }
        }
        assert_eq!(seen.len(), 1000);
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 1000);
        assert_eq!(list.iter_from(1000).next(), None);
        assert_eq!(list.iter_from(999).collect::<Vec<_>>(), vec![b"999".as_slice()]);
    }

    #[test]
    fn empty_and_huge_elements() {
        let mut list = ListStore::new();
        list.push(End::Right, b"");
        let big = vec![b'x'; 3 * CHUNK_BYTES];
        list.push(End::Right, &big);
        list.push(End::Left, &big);
        assert_eq!(list.get(1), Some(b"".as_slice()));
        assert_eq!(list.pop(End::Right).as_deref(), Some(big.as_slice()));
        assert_eq!(list.pop(End::Left).as_deref(), Some(big.as_slice()));
        assert_eq!(list.pop(End::Left).as_deref(), Some(b"".as_slice()));
        assert_eq!(list.pop(End::Left), None);
        assert!(list.is_empty());
    }

    /// Whole-list operations on many tiny elements stay linear.
    #[test]
    fn tiny_elements_in_bulk() {
        let mut list = ListStore::new();
        for i in 0..200_000 {
            list.push(End::Left, if i % 2 == 0 { b"a" } else { b"b" });
        }
        assert_eq!(list.remove_matching(b"a", 0, End::Right), 100_000);
        assert_eq!(list.len(), 100_000);
        assert!(list.iter().all(|v| v == b"b"));
        let mut popped = 0;
        while list.pop(End::Right).is_some() {
            popped += 1;
        }
        assert_eq!(popped, 100_000);
        assert!(list.chunks.is_empty());
    }

    #[test]
    fn links_read_the_same_from_both_ends() {
        for value in [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x1_0000, 5_000_000, usize::MAX >> 1] {
            let mut out = vec![0xaa];
            push_link(&mut out, value);
            out.push(0xbb);
            let end = out.len() - 1;
            assert_eq!(end - 1, link_len(value), "{}", value);
            assert_eq!(read_forward(&out, 1), (value, end));
            assert_eq!(read_backward(&out, end), (value, 1));
            let mut written = vec![0; link_len(value)];
            write_link(&mut written, value);
            assert_eq!(written, out[1..end]);
        }
    }

    /// Rotating in both directions (RPOPLPUSH q q, LMOVE q q LEFT RIGHT) at
    /// every list size around one chunk, with short and long elements.
    #[test]
    fn rotations_keep_order_and_bounded_capacity() {
        for (n, width) in [(1, 16), (2, 16), (239, 16), (240, 16), (241, 16), (500, 16), (30, 200), (3, 70_000)] {
            let mut list = ListStore::new();
            let mut model: VecDeque<Vec<u8>> = VecDeque::new();
            for i in 0..n {
                let mut value = vec![b'.'; width];
                value.extend_from_slice(format!("{}", i).as_bytes());
                list.push(End::Right, &value);
                model.push_back(value);
            }
            for step in 0..3 * n + 50 {
                let (from, to) = if step % 3 == 2 { (End::Left, End::Right) } else { (End::Right, End::Left) };
                let value = list.pop(from);
                let expected = if from == End::Left { model.pop_front() } else { model.pop_back() };
                assert_eq!(value, expected);
                let value = value.unwrap_or_default();
                list.push(to, &value);
                if to == End::Left {
                    model.push_front(value);
                } else {
                    model.push_back(value);
                }
            }
            model_check(&list, &model);
            for chunk in &list.chunks {
                assert!(chunk.bytes.capacity() <= (CHUNK_BYTES * 3 / 2).max(2 * width + 40), "{} x {}", n, width);
            }
        }
    }

    #[test]
    fn lists_built_from_the_front_are_as_small_as_from_the_back() {
        let mut left = ListStore::new();
        let mut right = ListStore::new();
        for i in 0..100_000u64 {
            left.push(End::Left, format!("{:016}", i).as_bytes());
            right.push(End::Right, format!("{:016}", i).as_bytes());
        }
        assert!(left.allocated_bytes() <= right.allocated_bytes() + 4 * CHUNK_BYTES);
        assert!(left.iter().rev().eq(right.iter()));
    }

    #[test]
    fn a_million_16_byte_values_cost_at_most_18_bytes_each() {
        let mut list = ListStore::new();
        for i in 0..1_000_000u64 {
            list.push(End::Right, format!("{:016}", i).as_bytes());
        }
        let per_element = list.allocated_bytes() as f64 / 1_000_000.0;
        assert!(per_element <= 18.0, "{} bytes per element", per_element);
        assert_eq!(list.get(500_000), Some(b"0000000000500000".as_slice()));
    }
}
