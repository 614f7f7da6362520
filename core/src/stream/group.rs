//! Consumer groups: each has a last-delivered ID, a read counter, consumers,
//! and a pending entries list (PEL) of delivered but unacknowledged entries.
//! A pending entry belongs to exactly one consumer, which lists it too.

use alloc::collections::{btree_map, BTreeMap, BTreeSet};
use alloc::vec::Vec;

use super::id::StreamId;
use super::store::Stream;

/// `entries-read` when the group's position in the stream is unknown.
pub const INVALID_ENTRIES_READ: i64 = -1;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Virtual time of the last delivery.
    pub delivery_ms: u64,
    pub delivery_count: u64,
    pub consumer: Vec<u8>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Consumer {
    /// Virtual time the consumer last read or claimed.
    pub seen_ms: u64,
    /// IDs of its pending entries.
    pub pel: BTreeSet<StreamId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerGroup {
    pub last_id: StreamId,
    /// Entries the group has read, or [`INVALID_ENTRIES_READ`].
    pub entries_read: i64,
    pub pel: BTreeMap<StreamId, Pending>,
    pub consumers: BTreeMap<Vec<u8>, Consumer>,
}

impl ConsumerGroup {
    pub fn new(last_id: StreamId, entries_read: i64) -> ConsumerGroup {
        ConsumerGroup { last_id, entries_read, pel: BTreeMap::new(), consumers: BTreeMap::new() }
    }

    /// The consumer, created if missing; the flag tells whether it was created.
    pub fn consumer_or_create(&mut self, name: &[u8], now_ms: u64) -> (&mut Consumer, bool) {
        let created = !self.consumers.contains_key(name);
        let consumer = self.consumers.entry(name.to_vec()).or_insert_with(|| Consumer { seen_ms: now_ms, pel: BTreeSet::new() });
        (consumer, created)
    }

    /// Marks the consumer seen at `now_ms`, creating it if missing (the name
    /// is copied only then); true if it was created.
    pub fn see_consumer(&mut self, name: &[u8], now_ms: u64) -> bool {
        if let Some(consumer) = self.consumers.get_mut(name) {
            consumer.seen_ms = now_ms;
            return false;
        }
        self.consumers.insert(name.to_vec(), Consumer { seen_ms: now_ms, pel: BTreeSet::new() });
        true
    }

    /// Removes an entry from the PEL (and its consumer's list); true if it was there.
    pub fn ack(&mut self, id: StreamId) -> bool {
        match self.pel.remove(&id) {
            Some(pending) => {
                if let Some(c) = self.consumers.get_mut(&pending.consumer) {
                    c.pel.remove(&id);
                }
                true
            }
            None => false,
        }
    }

    /// Records a delivery of `id` to `consumer` (creating or moving the PEL entry).
    pub fn deliver(&mut self, id: StreamId, consumer: &[u8], now_ms: u64, bump_count: bool) {
        if let Some(old) = self.pel.get(&id) {
            if old.consumer.as_slice() != consumer {
                let previous = old.consumer.clone();
                if let Some(c) = self.consumers.get_mut(&previous) {
                    c.pel.remove(&id);
                }
            }
        }
        let entry = self.pel.entry(id).or_insert(Pending { delivery_ms: now_ms, delivery_count: 0, consumer: consumer.to_vec() });
        entry.consumer = consumer.to_vec();
        entry.delivery_ms = now_ms;
        if bump_count {
            entry.delivery_count += 1;
        }
        if let Some(c) = self.consumers.get_mut(consumer) {
            c.pel.insert(id);
        }
    }

    /// Records a first delivery of `id` to `consumer` (XREADGROUP `>`): a
    /// pending entry already there moves to it with its count reset to 1.
    pub fn deliver_new(&mut self, id: StreamId, consumer: &[u8], now_ms: u64) {
        match self.pel.entry(id) {
            btree_map::Entry::Occupied(mut slot) => {
                let pending = slot.get_mut();
                if pending.consumer.as_slice() != consumer {
                    if let Some(previous) = self.consumers.get_mut(&pending.consumer) {
                        previous.pel.remove(&id);
                    }
                    pending.consumer = consumer.to_vec();
                }
                pending.delivery_ms = now_ms;
                pending.delivery_count = 1;
            }
            btree_map::Entry::Vacant(slot) => {
                slot.insert(Pending { delivery_ms: now_ms, delivery_count: 1, consumer: consumer.to_vec() });
            }
        }
        if let Some(c) = self.consumers.get_mut(consumer) {
            c.pel.insert(id);
        }
    }

    /// Removes a consumer and its pending entries; returns how many it had.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let consumer = self.consumers.remove(name)?;
        for id in &consumer.pel {
            self.pel.remove(id);
        }
        Some(consumer.pel.len())
    }
}

impl Stream {
    /// Redis 7.0's estimate of how many entries precede and include `id`
    /// since the stream began, or [`INVALID_ENTRIES_READ`] when unknown.
    pub fn entries_read_at(&self, id: StreamId) -> i64 {
        let added = self.entries_added as i64;
        if self.entries_added == 0 {
            return 0;
        }
        if self.is_empty() && id <= self.last_id {
            return added;
        }
        if id == self.last_id {
            return added;
        }
        if id > self.last_id {
            return INVALID_ENTRIES_READ;
        }
        let no_gaps_ahead = self.max_deleted_id.is_zero() || self.max_deleted_id < self.first_id;
        if no_gaps_ahead {
            if id < self.first_id {
                return added - self.len() as i64;
            }
            if id == self.first_id {
                return added - self.len() as i64 + 1;
            }
        }
        INVALID_ENTRIES_READ
    }

    /// Whether a deleted entry may lie in `start..=end` (only the greatest
    /// deleted ID is known).
    pub fn range_has_tombstones(&self, start: StreamId, end: StreamId) -> bool {
        if self.is_empty() || self.max_deleted_id.is_zero() || self.first_id > self.max_deleted_id {
            return false;
        }
        start <= self.max_deleted_id && self.max_deleted_id <= end
    }

    /// A group's lag (XINFO), `None` when it cannot be known.
    pub fn group_lag(&self, group: &ConsumerGroup) -> Option<i64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if group.entries_read != INVALID_ENTRIES_READ && !self.range_has_tombstones(group.last_id, StreamId::MAX) {
            return Some(self.entries_added as i64 - group.entries_read);
        }
        let read = self.entries_read_at(group.last_id);
        (read != INVALID_ENTRIES_READ).then(|| self.entries_added as i64 - read)
    }

    /// Moves a group's last-delivered ID forward to `id` as XREADGROUP does,
    /// keeping its read counter.
    pub fn advance_group(&self, group: &mut ConsumerGroup, id: StreamId) {
        if id <= group.last_id {
            return;
        }
        if group.entries_read != INVALID_ENTRIES_READ && !self.range_has_tombstones(id, StreamId::MAX) {
            group.entries_read += 1;
        } else if self.entries_added != 0 {
            group.entries_read = self.entries_read_at(id);
        }
        group.last_id = id;
    }
}
