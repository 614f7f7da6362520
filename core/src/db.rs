//! A keyspace (one numbered database): values by key, expiry times, lazy
//! expiration against the virtual clock, and the watch list WATCH relies on.
//!
//! Writes through `set`/`remove`/expiry changes signal watchers themselves;
//! a handler that changes a value in place through `get_mut` calls `touch`.

use alloc::vec::Vec;
use core::hash::BuildHasher;

use foldhash::fast::FixedState;

use crate::error::Error;
use crate::node::ClientId;
use hashbrown::HashMap;

pub type Key = Vec<u8>;

/// A fixed-seed hasher: the engine must behave the same on every run.
#[derive(Clone, Copy, Default)]
pub struct StableHasher;

impl BuildHasher for StableHasher {
    type Hasher = <FixedState as BuildHasher>::Hasher;
    fn build_hasher(&self) -> Self::Hasher {
        FixedState::with_seed(0x5eed_4ed1).build_hasher()
    }
}

pub type Map<K, V> = HashMap<K, V, StableHasher>;

/// A value stored under a key. Each variant is one Redis type.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    String(Vec<u8>),
}

impl Value {
    /// The bytes of a string value, or WRONGTYPE for any other type.
    pub fn as_string(&self) -> Result<&Vec<u8>, Error> {
        match self {
            Value::String(bytes) => Ok(bytes),
            #[allow(unreachable_patterns)] // more types arrive with their command families
            _ => Err(Error::WrongType),
        }
    }

    /// The name `TYPE` reports.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
        }
    }
}

#[derive(Default)]
pub struct Db {
    values: Map<Key, Value>,
    expires: Map<Key, u64>,
    /// Clients watching each key (WATCH).
    watchers: Map<Key, Vec<ClientId>>,
    /// Watching clients whose keys changed since the node last collected them.
    invalidated: Vec<ClientId>,
}

impl Db {
    pub fn new() -> Self {
        Db::default()
    }

    /// Number of keys, counting keys whose time has passed but were not yet removed.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether `key` has a value whose time has passed (removed or not).
    pub fn is_logically_expired(&self, key: &[u8], now_ms: u64) -> bool {
        self.values.contains_key(key) && self.is_expired(key, now_ms)
    }

    fn is_expired(&self, key: &[u8], now_ms: u64) -> bool {
        matches!(self.expires.get(key), Some(&when) if when <= now_ms)
    }

    /// Removes `key` if its time has passed; returns whether it did.
    pub fn expire_if_due(&mut self, key: &[u8], now_ms: u64) -> bool {
        if self.is_expired(key, now_ms) {
            self.values.remove(key);
            self.expires.remove(key);
            true
        } else {
            false
        }
    }

    pub fn get(&mut self, key: &[u8], now_ms: u64) -> Option<&Value> {
        self.expire_if_due(key, now_ms);
        self.values.get(key)
    }

    pub fn get_mut(&mut self, key: &[u8], now_ms: u64) -> Option<&mut Value> {
        self.expire_if_due(key, now_ms);
        self.values.get_mut(key)
    }

    /// The string stored at `key`: `Ok(None)` if missing, WRONGTYPE if another type.
    pub fn get_string(&mut self, key: &[u8], now_ms: u64) -> Result<Option<&Vec<u8>>, Error> {
        self.get(key, now_ms).map(Value::as_string).transpose()
    }

    pub fn contains(&mut self, key: &[u8], now_ms: u64) -> bool {
        self.get(key, now_ms).is_some()
    }

    /// Stores `value`, dropping any expiry the key had (as SET without KEEPTTL does).
    pub fn set(&mut self, key: &[u8], value: Value) {
        self.expires.remove(key);
        self.values.insert(key.to_vec(), value);
        self.touch(key);
    }

    /// Replaces the value but keeps the key's expiry.
    pub fn set_keep_ttl(&mut self, key: &[u8], value: Value) {
        self.values.insert(key.to_vec(), value);
        self.touch(key);
    }

    pub fn remove(&mut self, key: &[u8], now_ms: u64) -> Option<Value> {
        self.expire_if_due(key, now_ms);
        self.expires.remove(key);
        let removed = self.values.remove(key);
        if removed.is_some() {
            self.touch(key);
        }
        removed
    }

    /// Signals that `key` changed (Redis's `signalModifiedKey`): clients
    /// watching it will see their transaction fail.
    pub fn touch(&mut self, key: &[u8]) {
        if self.watchers.is_empty() {
            return;
        }
        if let Some(clients) = self.watchers.get(key) {
            self.invalidated.extend_from_slice(clients);
        }
    }

    /// Registers `client` as watching `key`.
    pub fn watch(&mut self, key: &[u8], client: ClientId) {
        let clients = self.watchers.entry(key.to_vec()).or_default();
        if !clients.contains(&client) {
            clients.push(client);
        }
    }

    pub fn unwatch(&mut self, key: &[u8], client: ClientId) {
        if let Some(clients) = self.watchers.get_mut(key) {
            clients.retain(|&c| c != client);
            if clients.is_empty() {
                self.watchers.remove(key);
            }
        }
    }

    /// Watching clients whose keys changed since the last call.
    pub fn take_invalidated(&mut self) -> Vec<ClientId> {
        core::mem::take(&mut self.invalidated)
    }

    /// Touches every watched key that currently holds a value (FLUSHDB, SWAPDB).
    pub fn touch_all_watched(&mut self) {
        let existing: Vec<Key> = self.watchers.keys().filter(|k| self.values.contains_key(*k)).cloned().collect();
        for key in existing {
            self.touch(&key);
        }
    }

    /// The absolute expiry time in ms, if the key has one.
    pub fn expire_at(&self, key: &[u8]) -> Option<u64> {
        self.expires.get(key).copied()
    }

    pub fn set_expire_at(&mut self, key: &[u8], when_ms: u64) {
        if self.values.contains_key(key) {
            self.expires.insert(key.to_vec(), when_ms);
            self.touch(key);
        }
    }

    pub fn persist(&mut self, key: &[u8]) -> bool {
        let had = self.expires.remove(key).is_some();
        if had {
            self.touch(key);
        }
        had
    }

    /// Empties the database (FLUSHDB), signalling watchers of keys that existed.
    pub fn clear(&mut self) {
        self.touch_all_watched();
        self.values.clear();
        self.expires.clear();
    }

    /// Removes every key whose time has passed.
    pub fn expire_all_due(&mut self, now_ms: u64) {
        let due: Vec<Key> =
            self.expires.iter().filter(|(_, &when)| when <= now_ms).map(|(k, _)| k.clone()).collect();
        for key in due {
            self.values.remove(&key);
            self.expires.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_expire_lazily_on_the_virtual_clock() {
        let mut db = Db::new();
        db.set(b"k", Value::String(b"v".to_vec()));
        db.set_expire_at(b"k", 1000);
        assert!(db.contains(b"k", 999));
        assert!(!db.contains(b"k", 1000));
        assert_eq!(db.len(), 0);
    }

    #[test]
    fn writes_invalidate_watchers() {
        let mut db = Db::new();
        db.watch(b"k", 7);
        db.watch(b"other", 8);
        db.set(b"k", Value::String(b"v".to_vec()));
        assert_eq!(db.take_invalidated(), [7]);
        db.remove(b"missing", 0);
        assert!(db.take_invalidated().is_empty());
        db.unwatch(b"k", 7);
        db.remove(b"k", 0);
        assert!(db.take_invalidated().is_empty());
        db.set(b"other", Value::String(b"v".to_vec()));
        db.take_invalidated();
        db.clear();
        assert_eq!(db.take_invalidated(), [8]);
    }

    #[test]
    fn set_clears_ttl_and_keep_ttl_keeps_it() {
        let mut db = Db::new();
        db.set(b"k", Value::String(b"v".to_vec()));
        db.set_expire_at(b"k", 1000);
        db.set_keep_ttl(b"k", Value::String(b"w".to_vec()));
        assert_eq!(db.expire_at(b"k"), Some(1000));
        db.set(b"k", Value::String(b"x".to_vec()));
        assert_eq!(db.expire_at(b"k"), None);
    }
}
