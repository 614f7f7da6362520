//! The list store: the value behind a Redis list key.
//!
//! Like Redis's quicklist of listpacks, elements are packed into chunks of at
//! most [`CHUNK_BYTES`] bytes, each element written as a LEB128 length
//! followed by its bytes (a 16-byte value takes 17 bytes). The chunks sit in a
//! deque, so pushing and popping at either end touches one small chunk: O(1).
//! Indexed access walks chunk lengths from the nearer end, then one chunk.
//!
//! Handlers only see the operations below (push, pop, get, set, insert,
//! trim, iterate, remove matching), so the layout can change without them.

use alloc::collections::VecDeque;
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

/// Packed elements: `count` entries of (LEB128 length, bytes).
///
/// Lengths only read forwards, so finding the last element means walking the
/// chunk. The mark (in what would otherwise be padding) remembers where one
/// element near the end starts, so repeated pops from the back walk a few
/// elements instead of the whole chunk. `(0, 0)` is always true; every change
/// that could move elements resets it there.
#[derive(Clone, Default)]
struct Chunk {
    bytes: Vec<u8>,
    count: u32,
    /// Element `mark_index` starts at byte `mark_offset`.
    mark_index: u16,
    mark_offset: u16,
}

/// How many elements before the one it looks for a back pop leaves the mark:
/// the next pops walk at most this far, and one whole walk serves this many pops.
const MARK_LAG: usize = 24;

fn header_len(len: usize) -> usize {
    let mut n = 1;
    let mut rest = len >> 7;
    while rest != 0 {
        n += 1;
        rest >>= 7;
    }
    n
}

fn encoded_len(value: &[u8]) -> usize {
    header_len(value.len()) + value.len()
}

fn encode_into(out: &mut Vec<u8>, value: &[u8]) {
    let mut len = value.len();
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(value);
}

fn encode(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(value));
    encode_into(&mut out, value);
    out
}

impl Chunk {
    /// The element starting at byte `offset`: its value range and the offset after it.
    fn element_at(&self, offset: usize) -> (usize, usize) {
        let mut len = 0usize;
        let mut shift = 0;
        let mut pos = offset;
        while let Some(&byte) = self.bytes.get(pos) {
            pos += 1;
            len |= ((byte & 0x7f) as usize) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        let end = (pos + len).min(self.bytes.len());
        (pos, end)
    }

    fn value(&self, offset: usize) -> (&[u8], usize) {
        let (start, end) = self.element_at(offset);
        (&self.bytes[start..end], end)
    }

    /// Byte offsets of every element, in order.
    fn offsets(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.count as usize);
        let mut offset = 0;
        while offset < self.bytes.len() {
            out.push(offset);
            offset = self.element_at(offset).1;
        }
        out
    }

    /// Byte offset of the `index`-th element (or the end when `index == count`).
    fn offset_of(&self, index: usize) -> usize {
        let mut offset = 0;
        for _ in 0..index {
            offset = self.element_at(offset).1;
        }
        offset
    }

    fn reset_mark(&mut self) {
        self.mark_index = 0;
        self.mark_offset = 0;
    }

    /// Byte offset of element `index` (`< count`), walking from the mark when
    /// it lies at or before `index`, and moving the mark [`MARK_LAG`]
    /// elements before `index` on the way.
    fn offset_near_end(&mut self, index: usize) -> usize {
        let (mut i, mut offset) = (self.mark_index as usize, self.mark_offset as usize);
        if i > index {
            (i, offset) = (0, 0);
        }
        let anchor = index.saturating_sub(MARK_LAG);
        while i < index {
            if i == anchor {
                if let (Ok(at), Ok(off)) = (u16::try_from(i), u16::try_from(offset)) {
                    self.mark_index = at;
                    self.mark_offset = off;
                }
            }
            offset = self.element_at(offset).1;
            i += 1;
        }
        offset
    }

    /// Removes the last element and returns it.
    fn pop_back(&mut self) -> Vec<u8> {
        let last = self.count as usize - 1;
        let at = self.offset_near_end(last);
        let (start, end) = self.element_at(at);
        let value = self.bytes[start..end].to_vec();
        self.bytes.truncate(at);
        self.count -= 1;
        if self.mark_index as usize >= last {
            self.reset_mark();
        }
        value
    }

    /// Removes the first element and returns it.
    fn pop_front(&mut self) -> Vec<u8> {
        let (start, next) = self.element_at(0);
        let value = self.bytes[start..next].to_vec();
        self.bytes.drain(..next);
        self.count -= 1;
        // Every element moved `next` bytes and one place to the front.
        if self.mark_index > 0 {
            self.mark_index -= 1;
            self.mark_offset -= next as u16;
        }
        value
    }

    fn fits(&self, extra: usize) -> bool {
        self.count == 0 || self.bytes.len() + extra <= CHUNK_BYTES
    }

    /// Grows capacity by doubling up to the chunk size, so small lists stay small
    /// and full chunks carry no slack.
    fn reserve(&mut self, extra: usize) {
        let needed = self.bytes.len() + extra;
        if needed <= self.bytes.capacity() {
            return;
        }
        let target = (self.bytes.capacity() * 2).clamp(16, CHUNK_BYTES).max(needed);
        self.bytes.reserve_exact(target - self.bytes.len());
    }

    fn push_back(&mut self, value: &[u8]) {
        self.reserve(encoded_len(value));
        encode_into(&mut self.bytes, value);
        self.count += 1;
    }

    fn insert_at_offset(&mut self, offset: usize, value: &[u8]) {
        let encoded = encode(value);
        self.reserve(encoded.len());
        self.bytes.splice(offset..offset, encoded);
        self.count += 1;
        self.reset_mark();
    }

    /// Splits an over-full chunk in two halves; returns the second half.
    fn split(&mut self) -> Chunk {
        let keep = self.count / 2;
        let at = self.offset_of(keep as usize);
        let tail = Chunk { bytes: self.bytes[at..].to_vec(), count: self.count - keep, ..Chunk::default() };
        self.bytes.truncate(at);
        self.bytes.shrink_to_fit();
        self.count = keep;
        self.reset_mark();
        tail
    }
}

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
        let size = encoded_len(value);
        match end {
            End::Right => {
                if !self.chunks.back().is_some_and(|c| c.fits(size)) {
                    self.chunks.push_back(Chunk::default());
                }
                if let Some(chunk) = self.chunks.back_mut() {
                    chunk.push_back(value);
                }
            }
            End::Left => {
                if !self.chunks.front().is_some_and(|c| c.fits(size)) {
                    self.chunks.push_front(Chunk::default());
                }
                if let Some(chunk) = self.chunks.front_mut() {
                    chunk.insert_at_offset(0, value);
                }
            }
        }
        self.len += 1;
    }

    /// Removes and returns the element at `end`.
    pub fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        let value = match end {
            End::Left => {
                let chunk = self.chunks.front_mut()?;
                let value = chunk.pop_front();
                if chunk.count == 0 {
                    self.chunks.pop_front();
                }
                value
            }
            End::Right => {
                let chunk = self.chunks.back_mut()?;
                let value = chunk.pop_back();
                if chunk.count == 0 {
                    self.chunks.pop_back();
                }
                value
            }
        };
        self.len -= 1;
        Some(value)
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
        Some(chunk.value(chunk.offset_of(i)).0)
    }

    /// Replaces the element at `index`; false when out of range.
    pub fn set(&mut self, index: usize, value: &[u8]) -> bool {
        let Some((c, i)) = self.locate(index) else {
            return false;
        };
        let chunk = &mut self.chunks[c];
        let offset = chunk.offset_of(i);
        let (_, next) = chunk.element_at(offset);
        chunk.bytes.splice(offset..next, encode(value));
        chunk.reset_mark();
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
        let offset = chunk.offset_of(i);
        chunk.insert_at_offset(offset, value);
        self.len += 1;
        self.split_if_needed(c);
    }

    fn split_if_needed(&mut self, c: usize) {
        if let Some(chunk) = self.chunks.get_mut(c) {
            if chunk.count > 1 && chunk.bytes.len() > CHUNK_BYTES {
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
                End::Left => {
                    let at = chunk.offset_of(n);
                    chunk.bytes.drain(..at);
                }
                End::Right => {
                    let at = chunk.offset_of(count - n);
                    chunk.bytes.truncate(at);
                }
            }
            chunk.count -= n as u32;
            chunk.reset_mark();
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
            let mut offsets = chunk.offsets();
            if from == End::Right {
                offsets.reverse();
            }
            let mut drop = Vec::new();
            for &offset in &offsets {
                if limit != 0 && removed == limit {
                    break;
                }
                if chunk.value(offset).0 == value {
                    drop.push(offset);
                    removed += 1;
                }
            }
            if drop.is_empty() {
                continue;
            }
            if from == End::Right {
                // Collected right to left; removal walks the chunk left to right.
                drop.reverse();
            }
            let mut dropped = drop.iter().peekable();
            let mut kept = Vec::with_capacity(chunk.bytes.len());
            let mut offset = 0;
            while offset < chunk.bytes.len() {
                let next = chunk.element_at(offset).1;
                if dropped.next_if_eq(&&offset).is_none() {
                    kept.extend_from_slice(&chunk.bytes[offset..next]);
                }
                offset = next;
            }
            chunk.count -= drop.len() as u32;
            chunk.bytes = kept;
            chunk.reset_mark();
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
                Some(last) if last.bytes.len() + chunk.bytes.len() <= CHUNK_BYTES => {
                    last.bytes.extend_from_slice(&chunk.bytes);
                    last.count += chunk.count;
                }
                _ => self.chunks.push_back(chunk),
            }
        }
    }

    /// Every element from head to tail (double-ended).
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            list: self,
            front_chunk: 0,
            front_offset: 0,
            back_chunk: self.chunks.len(),
            back_offsets: Vec::new(),
            remaining: self.len,
        }
    }

    /// The elements from `index` to the tail, skipping whole chunks to get there.
    pub fn iter_from(&self, index: usize) -> Iter<'_> {
        let mut iter = self.iter();
        match self.locate(index) {
            Some((c, i)) => {
                iter.front_chunk = c;
                iter.front_offset = self.chunks[c].offset_of(i);
                iter.remaining = self.len - index;
            }
            None => iter.remaining = 0,
        }
        iter
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

/// Iterator over a list's elements; see [`ListStore::iter`].
pub struct Iter<'a> {
    list: &'a ListStore,
    front_chunk: usize,
    front_offset: usize,
    /// One past the chunk the back side reads next.
    back_chunk: usize,
    /// Offsets still to yield from the back side's current chunk.
    back_offsets: Vec<usize>,
    remaining: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.remaining == 0 {
            return None;
        }
        loop {
            let chunk = self.list.chunks.get(self.front_chunk)?;
            if self.front_offset < chunk.bytes.len() {
                let (value, next) = chunk.value(self.front_offset);
                self.front_offset = next;
                self.remaining -= 1;
                return Some(value);
            }
            self.front_chunk += 1;
            self.front_offset = 0;
        }
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
        while self.back_offsets.is_empty() {
            self.back_chunk = self.back_chunk.checked_sub(1)?;
            self.back_offsets = self.list.chunks.get(self.back_chunk)?.offsets();
        }
        let offset = self.back_offsets.pop()?;
        self.remaining -= 1;
        Some(self.list.chunks.get(self.back_chunk)?.value(offset).0)
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
            assert_eq!(chunk.offsets().len(), chunk.count as usize);
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
    }

    /// Runs of pops from the back (which walk from the chunk's mark) mixed
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
