//! The keyspace's hash table: entries by key in one open-addressing table,
//! plus a read-ahead hint. A pipelined batch names its keys before it runs;
//! asking for several slots at once lets the memory system fetch them in
//! parallel instead of one cache miss per command, one after the other.
//!
//! Keys hash exactly as a `HashMap<CompactBytes, _, StableHasher>` would, so
//! the iteration order (KEYS, SCAN, RANDOMKEY) is what it was with that map.

use core::hash::BuildHasher;

use hashbrown::hash_table::{Entry as Slot, HashTable};

use crate::compact_bytes::CompactBytes;
use crate::db::StableHasher;

pub struct KeyTable<V> {
    table: HashTable<(CompactBytes, V)>,
}

impl<V> Default for KeyTable<V> {
    fn default() -> Self {
        KeyTable { table: HashTable::new() }
    }
}

fn hash(key: &[u8]) -> u64 {
    StableHasher.hash_one(key)
}

fn rehash<V>(slot: &(CompactBytes, V)) -> u64 {
    hash(slot.0.as_slice())
}

fn same_key<V>(key: &[u8]) -> impl Fn(&(CompactBytes, V)) -> bool + '_ {
    move |slot| slot.0.as_slice() == key
}

/// Whether [`KeyTable::prefetch`] does anything on this target. Wasm has no
/// prefetch instruction, and touching the slots with plain loads measured
/// slower there than not reading ahead at all.
pub const CAN_PREFETCH: bool = cfg!(target_arch = "x86_64");

impl<V> KeyTable<V> {
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    pub fn clear(&mut self) {
        self.table.clear();
    }

    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }

    // Lookups in an empty table skip hashing the key.
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        if self.table.is_empty() {
            return None;
        }
        self.table.find(hash(key), same_key(key)).map(|slot| &slot.1)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        if self.table.is_empty() {
            return None;
        }
        self.table.find_mut(hash(key), same_key(key)).map(|slot| &mut slot.1)
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<V> {
        if self.table.is_empty() {
            return None;
        }
        match self.table.find_entry(hash(key), same_key(key)) {
            Ok(slot) => Some(slot.remove().0 .1),
            Err(_) => None,
        }
    }

    /// Stores `value` at `key` with one probe; `keep` runs on the value it
    /// replaces (to carry fields over) before that value is dropped. The key
    /// is copied only when it is new.
    pub fn upsert(&mut self, key: &[u8], value: V, keep: impl FnOnce(&V, &mut V)) -> bool {
        match self.table.entry(hash(key), same_key(key), rehash) {
            Slot::Occupied(mut slot) => {
                let mut value = value;
                keep(&slot.get().1, &mut value);
                slot.get_mut().1 = value;
                false
            }
            Slot::Vacant(slot) => {
                slot.insert((CompactBytes::from(key), value));
                true
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&CompactBytes, &V)> {
        self.table.iter().map(|slot| (&slot.0, &slot.1))
    }

    pub fn keys(&self) -> impl Iterator<Item = &CompactBytes> {
        self.table.iter().map(|slot| &slot.0)
    }

    /// Starts loading the slot `key` would be found in, without waiting for
    /// it: a hint with no effect on what the table holds or answers. Only
    /// the small control bytes are read now; the slot itself (the cache miss
    /// a lookup would stall on) is requested and left to arrive.
    pub fn prefetch(&self, key: &[u8]) {
        if let Some(slot) = self.table.iter_hash(hash(key)).next() {
            prefetch_read(slot as *const (CompactBytes, V) as *const u8);
        }
    }
}

/// Asks the CPU to bring the cache line at `address` closer.
#[inline(always)]
fn prefetch_read(address: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint: it never faults, reads nothing the
    // program sees and writes nothing, whatever the address.
    unsafe {
        core::arch::x86_64::_mm_prefetch(address as *const i8, core::arch::x86_64::_MM_HINT_T0);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}
