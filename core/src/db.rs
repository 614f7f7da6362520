//! A keyspace (one numbered database): values by key, expiry times, lazy
//! expiration against the virtual clock, and the watch list WATCH relies on.
//!
//! Writes through `set`/`remove`/expiry changes signal watchers themselves;
//! a handler that changes a value in place through `get_mut` calls `touch`.

use alloc::vec::Vec;
use core::hash::BuildHasher;

use foldhash::fast::FixedState;

use crate::args::parse_i64;
use crate::compact_bytes::StringBytes;
use crate::error::Error;
use crate::key_table::KeyTable;
use crate::list::ListStore;
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
    String(StringBytes),
    Stream(alloc::boxed::Box<crate::stream::Stream>),
    List(ListStore),
}

impl Value {
    /// A string value holding `bytes`.
    pub fn string(bytes: impl Into<StringBytes>) -> Value {
        Value::String(bytes.into())
    }

    /// The bytes of a string value, or WRONGTYPE for any other type.
    pub fn as_string(&self) -> Result<&[u8], Error> {
        match self {
            Value::String(bytes) => Ok(bytes),
            #[allow(unreachable_patterns)] // more types arrive with their command families
            _ => Err(Error::WrongType),
        }
    }

    /// A string value to replace or change in place, or WRONGTYPE.
    pub fn as_string_mut(&mut self) -> Result<&mut StringBytes, Error> {
        match self {
            Value::String(bytes) => Ok(bytes),
            _ => Err(Error::WrongType),
        }
    }

    /// Bytes this value keeps on the heap, as counted for `used_memory`
    /// (and so for maxmemory). Must be O(1): it runs on every write.
    pub fn heap_bytes(&self) -> usize {
        match self {
            Value::String(bytes) => bytes.len(),
            Value::Stream(stream) => stream.approx_heap_bytes(),
            Value::List(list) => list.approx_heap_bytes(),
        }
    }

    /// The name `TYPE` reports.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "string",
            Value::Stream(_) => "stream",
            Value::List(_) => "list",
        }
    }
}

/// How Redis would represent a string value internally, which `OBJECT
/// ENCODING` and `OBJECT REFCOUNT` reveal. Only the path that created the value
/// matters; the bytes decide the rest (see [`Entry::encoding`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringForm {
    /// Stored after Redis tried to compact it (SET, MSET, GETSET, APPEND to a
    /// missing key): `int` when it is a canonical `i64` of at most 20 bytes,
    /// else `embstr` up to 44 bytes, else `raw`. INCR's results are also this.
    Compact,
    /// Created from bytes without the integer attempt (INCRBYFLOAT):
    /// `embstr` up to 44 bytes, else `raw`.
    Plain,
    /// Changed in place (APPEND, SETRANGE): always `raw`.
    Raw,
    /// A private copy of a compact value (COPY): encoded like `Compact`, but
    /// never one of Redis's shared integer objects.
    CompactCopy,
}

/// Strings up to this many bytes are `embstr` rather than `raw`.
const EMBSTR_MAX: usize = 44;
/// Redis shares one object per integer in `0..SHARED_INTEGERS`.
const SHARED_INTEGERS: i64 = 10_000;
/// The refcount Redis reports for shared objects (`INT_MAX`).
pub const SHARED_REFCOUNT: i64 = i32::MAX as i64;

/// Whether `text` is the canonical decimal of an integer in `0..SHARED_INTEGERS`.
fn is_shared_integer_text(text: &[u8]) -> bool {
    const _: () = assert!(SHARED_INTEGERS == 10_000, "the digit count below assumes 10,000 shared integers");
    matches!(text.len(), 1..=4) && text.iter().all(u8::is_ascii_digit) && (text.len() == 1 || text[0] != b'0')
}

/// A stored value with the bookkeeping Redis keeps in its object header.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub value: Value,
    pub form: StringForm,
    /// Virtual time of the last access that counts for `OBJECT IDLETIME`.
    pub accessed_ms: u64,
    /// Bytes counted for this key in `Db::used_bytes` (key, value, overhead).
    counted_bytes: usize,
    /// When the key was added to its database (a per-database sequence). An
    /// overwrite keeps it; a delete and re-add (RENAME, COPY, MOVE) renews
    /// it. CLUSTER GETKEYSINSLOT lists a slot's keys newest first, as Redis's
    /// per-slot key list does.
    added_seq: u64,
}

/// Per-key bookkeeping bytes counted on top of key and value: the map slot,
/// the key's and value's headers and the entry fields.
pub const KEY_OVERHEAD_BYTES: usize = 96;

impl Entry {
    /// An entry to store with `Db::insert_entry` (a restored snapshot).
    pub fn new(value: Value, form: StringForm, accessed_ms: u64) -> Entry {
        Entry { value, form, accessed_ms, counted_bytes: 0, added_seq: 0 }
    }

    /// The name `OBJECT ENCODING` reports.
    pub fn encoding(&self) -> &'static str {
        match &self.value {
            Value::String(bytes) => match self.form {
                StringForm::Raw => "raw",
                StringForm::Compact | StringForm::CompactCopy if bytes.len() <= 20 && parse_i64(bytes).is_some() => "int",
                _ if bytes.len() <= EMBSTR_MAX => "embstr",
                _ => "raw",
            },
            Value::Stream(_) => "stream",
            // Redis 7.0 stores every list as a quicklist, whatever its size.
            Value::List(_) => "quicklist",
        }
    }

    /// The text of the shared small integer this entry holds, if it holds one.
    /// It runs on every lookup, so it checks the text directly: the shared
    /// integers `0..SHARED_INTEGERS` are exactly the canonical texts of one
    /// to four digits (no leading zero), stored along the compacting path.
    pub fn shared_integer(&self) -> Option<&[u8]> {
        match &self.value {
            Value::String(bytes) if self.form == StringForm::Compact && is_shared_integer_text(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// What `OBJECT REFCOUNT` reports: small integers are shared objects.
    pub fn refcount(&self) -> i64 {
        if self.shared_integer().is_some() {
            SHARED_REFCOUNT
        } else {
            1
        }
    }

    /// Whole seconds since the last access, on Redis's 1-second LRU clock.
    /// The entry's place in its database's insertion order (higher is newer).
    pub fn added_seq(&self) -> u64 {
        self.added_seq
    }

    pub fn idle_seconds(&self, now_ms: u64) -> u64 {
        (now_ms / 1000).saturating_sub(self.accessed_ms / 1000)
    }
}

/// A small deterministic PRNG (xorshift64*) for RANDOMKEY: the engine must not
/// read real randomness, and the same history must give the same answers.
#[derive(Clone, Debug)]
pub struct Prng(u64);

impl Prng {
    pub const fn new(seed: u64) -> Prng {
        Prng(if seed == 0 { 0x9e37_79b9_7f4a_7c15 } else { seed })
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..bound` (`bound` > 0).
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }
}

impl Default for Prng {
    fn default() -> Self {
        Prng::new(0x5eed_4ed1)
    }
}

/// The SCAN position of a key: a platform-independent 32-bit hash (FNV-1a with
/// a final mix). SCAN walks keys in increasing position, so a cursor is simply
/// the next position to visit and stays valid whatever is added or removed.
pub fn scan_position(key: &[u8]) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in key {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    (h >> 32) as u32
}

#[derive(Default)]
pub struct Db {
    values: KeyTable<Entry>,
    expires: Map<Key, u64>,
    /// Clients watching each key (WATCH).
    watchers: Map<Key, Vec<ClientId>>,
    /// Watching clients whose keys changed since the node last collected them.
    invalidated: Vec<(ClientId, Key)>,
    /// How many blocked clients wait on each key (BLPOP, XREAD BLOCK, ...).
    blocking: Map<Key, usize>,
    /// Keys with blocked clients that changed since the node last collected them.
    ready: Vec<Key>,
    /// Sum of the entries' `counted_bytes`.
    used_bytes: usize,
    /// The latest virtual time a lookup passed in; stamps values stored by
    /// `set`, which handlers call right after looking the key up.
    clock_ms: u64,
    rng: Prng,
    /// The next key's `Entry::added_seq`.
    next_added_seq: u64,
    /// When a key of this database holding a shared small integer (by its
    /// text) was last looked up: Redis keeps one access time per shared
    /// integer object, whichever key reaches it (see `OBJECT IDLETIME`).
    shared_integer_access: Vec<u64>,
}

/// `shared_integer_access` of an integer never looked up.
const NEVER_ACCESSED: u64 = u64::MAX;

/// The value of a shared integer's text (`is_shared_integer_text`).
fn shared_integer_index(text: &[u8]) -> Option<usize> {
    is_shared_integer_text(text).then(|| text.iter().fold(0, |n, &digit| n * 10 + usize::from(digit - b'0')))
}

/// Records a lookup of `entry` in `access` (indexed by the integer's value,
/// sized on first use) when it holds a shared integer.
fn note_shared_access(access: &mut Vec<u64>, entry: &Entry, now_ms: u64) {
    let Some(index) = entry.shared_integer().and_then(shared_integer_index) else { return };
    if access.is_empty() {
        access.resize(SHARED_INTEGERS as usize, NEVER_ACCESSED);
    }
    if let Some(at) = access.get_mut(index) {
        *at = now_ms;
    }
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

    /// Whether a value is stored under `key`, expired or not; not an access.
    pub fn has_value(&self, key: &[u8]) -> bool {
        self.values.contains_key(key)
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
        self.clock_ms = self.clock_ms.max(now_ms);
        if self.is_expired(key, now_ms) {
            self.drop_key(key);
            self.expires.remove(key);
            // Deleting an expired key is a change for WATCH (Redis signals it).
            self.signal(key);
            true
        } else {
            false
        }
    }

    /// Looks `key` up as most commands do: it counts as an access for IDLETIME.
    pub fn get(&mut self, key: &[u8], now_ms: u64) -> Option<&Value> {
        self.entry_mut(key, now_ms).map(|e| &e.value)
    }

    pub fn get_mut(&mut self, key: &[u8], now_ms: u64) -> Option<&mut Value> {
        self.entry_mut(key, now_ms).map(|e| &mut e.value)
    }

    /// Starts loading `key`'s slot (see [`KeyTable::prefetch`]).
    pub fn prefetch(&self, key: &[u8]) {
        self.values.prefetch(key);
    }

    /// The entry at `key`, counted as an access.
    pub fn entry_mut(&mut self, key: &[u8], now_ms: u64) -> Option<&mut Entry> {
        self.expire_if_due(key, now_ms);
        let entry = self.values.get_mut(key)?;
        entry.accessed_ms = now_ms;
        note_shared_access(&mut self.shared_integer_access, entry, now_ms);
        Some(entry)
    }

    /// Records that a key holding the shared integer `text` was looked up at `at`
    /// (a restored snapshot); the later of two times is kept.
    pub fn note_shared_integer_access(&mut self, text: &[u8], at: u64) {
        let Some(index) = shared_integer_index(text) else { return };
        if self.shared_integer_access.is_empty() {
            self.shared_integer_access.resize(SHARED_INTEGERS as usize, NEVER_ACCESSED);
        }
        if let Some(last) = self.shared_integer_access.get_mut(index) {
            *last = if *last == NEVER_ACCESSED { at } else { (*last).max(at) };
        }
    }

    /// When a key of this database holding the shared integer `text` was last looked up.
    pub fn shared_integer_accessed(&self, text: &[u8]) -> Option<u64> {
        let at = *self.shared_integer_access.get(shared_integer_index(text)?)?;
        (at != NEVER_ACCESSED).then_some(at)
    }

    /// Changes the entry at `key` in place with one lookup: `change` runs on
    /// it (counted as an access, like `entry_mut`) and, when it succeeds, the
    /// key is re-counted and signalled as `touch` does. `None` if missing.
    pub fn change_entry<R>(
        &mut self,
        key: &[u8],
        now_ms: u64,
        change: impl FnOnce(&mut Entry) -> Result<R, Error>,
    ) -> Option<Result<R, Error>> {
        self.expire_if_due(key, now_ms);
        let entry = self.values.get_mut(key)?;
        entry.accessed_ms = now_ms;
        note_shared_access(&mut self.shared_integer_access, entry, now_ms);
        let result = change(entry);
        if result.is_ok() {
            let counted = KEY_OVERHEAD_BYTES + key.len() + entry.value.heap_bytes();
            self.used_bytes = self.used_bytes - entry.counted_bytes + counted;
            entry.counted_bytes = counted;
            self.signal(key);
        }
        Some(result)
    }

    /// Looks `key` up without counting an access (TYPE, EXISTS, TTL, OBJECT).
    pub fn peek(&mut self, key: &[u8], now_ms: u64) -> Option<&Entry> {
        self.expire_if_due(key, now_ms);
        self.values.get(key)
    }

    /// The string stored at `key`: `Ok(None)` if missing, WRONGTYPE if another type.
    pub fn get_string(&mut self, key: &[u8], now_ms: u64) -> Result<Option<&[u8]>, Error> {
        self.get(key, now_ms).map(Value::as_string).transpose()
    }

    /// The list stored at `key`: `Ok(None)` if missing, WRONGTYPE if another type.
    pub fn get_list(&mut self, key: &[u8], now_ms: u64) -> Result<Option<&ListStore>, Error> {
        match self.get(key, now_ms) {
            None => Ok(None),
            Some(Value::List(list)) => Ok(Some(list)),
            Some(_) => Err(Error::WrongType),
        }
    }

    /// `get_list` for changing the list in place; the caller must `touch` the key.
    pub fn get_list_mut(&mut self, key: &[u8], now_ms: u64) -> Result<Option<&mut ListStore>, Error> {
        match self.get_mut(key, now_ms) {
            None => Ok(None),
            Some(Value::List(list)) => Ok(Some(list)),
            Some(_) => Err(Error::WrongType),
        }
    }

    /// Whether `key` exists; not an access.
    pub fn contains(&mut self, key: &[u8], now_ms: u64) -> bool {
        self.peek(key, now_ms).is_some()
    }

    /// Stores `value`, dropping any expiry the key had (as SET without KEEPTTL does).
    pub fn set(&mut self, key: &[u8], value: Value) {
        self.set_form(key, value, StringForm::Compact);
    }

    /// `set` for a value created along a path that encodes it as `form`.
    pub fn set_form(&mut self, key: &[u8], value: Value, form: StringForm) {
        if !self.expires.is_empty() {
            self.expires.remove(key);
        }
        self.store(key, Entry { value, form, accessed_ms: self.clock_ms, counted_bytes: 0, added_seq: 0 });
    }

    /// Replaces the value but keeps the key's expiry.
    pub fn set_keep_ttl(&mut self, key: &[u8], value: Value) {
        self.store(key, Entry { value, form: StringForm::Compact, accessed_ms: self.clock_ms, counted_bytes: 0, added_seq: 0 });
    }

    fn store(&mut self, key: &[u8], mut entry: Entry) {
        entry.counted_bytes = KEY_OVERHEAD_BYTES + key.len() + entry.value.heap_bytes();
        self.used_bytes += entry.counted_bytes;
        // One probe, and the key is copied only when it is new.
        // A new key takes the next sequence number; an overwrite keeps its own.
        entry.added_seq = self.next_added_seq;
        let mut replaced_bytes = 0;
        let added = self.values.upsert(key, entry, |old, new| {
            replaced_bytes = old.counted_bytes;
            new.added_seq = old.added_seq;
        });
        self.used_bytes -= replaced_bytes;
        if added {
            self.next_added_seq += 1;
        }
        self.signal(key);
    }

    /// Re-counts `key`'s bytes after a change (called by `touch`).
    fn recount(&mut self, key: &[u8]) {
        if let Some(entry) = self.values.get_mut(key) {
            let now = KEY_OVERHEAD_BYTES + key.len() + entry.value.heap_bytes();
            self.used_bytes = self.used_bytes - entry.counted_bytes + now;
            entry.counted_bytes = now;
        }
    }

    /// Removes `key`'s value and expiry without signalling, keeping the byte count right.
    fn drop_key(&mut self, key: &[u8]) -> Option<Entry> {
        let removed = self.values.remove(key)?;
        self.used_bytes -= removed.counted_bytes;
        Some(removed)
    }

    /// Bytes counted for the keys and values of this database.
    pub fn used_bytes(&self) -> usize {
        self.used_bytes
    }

    /// Stores a whole entry with its expiry (RENAME, MOVE, COPY), replacing any key there.
    pub fn insert_entry(&mut self, key: &[u8], entry: Entry, expire_at: Option<u64>) {
        // A delete then an add, as in Redis: the key becomes the newest.
        self.drop_key(key);
        match expire_at {
            Some(when) => self.expires.insert(key.to_vec(), when),
            None => self.expires.remove(key),
        };
        self.store(key, entry);
    }

    pub fn remove(&mut self, key: &[u8], now_ms: u64) -> Option<Value> {
        self.take(key, now_ms).map(|(entry, _)| entry.value)
    }

    /// Removes `key`, returning its entry and expiry time.
    pub fn take(&mut self, key: &[u8], now_ms: u64) -> Option<(Entry, Option<u64>)> {
        self.expire_if_due(key, now_ms);
        let expire = self.expires.remove(key);
        let removed = self.drop_key(key)?;
        self.touch(key);
        Some((removed, expire))
    }

    /// Signals that `key` changed (Redis's `signalModifiedKey`): clients
    /// watching it will see their transaction fail.
    ///
    /// It also marks the key ready for clients blocked on it: the node then
    /// retries their commands, which decide whether they can be served now.
    pub fn touch(&mut self, key: &[u8]) {
        self.recount(key);
        self.signal(key);
    }

    /// `touch` for a change that gives blocked clients nothing to act on
    /// (Redis signals a modified key but not a ready one: XDEL, XTRIM,
    /// EXPIRE). Blocked stream readers are answered on any signal once the
    /// stream's last ID is past theirs, so these must not wake them.
    pub fn touch_quietly(&mut self, key: &[u8]) {
        self.recount(key);
        self.signal_watchers(key);
    }

    /// A change in place that Redis 7.0 signals to nobody (XSETID, consumer
    /// group bookkeeping): only the key's size is counted again.
    pub fn resized(&mut self, key: &[u8]) {
        self.recount(key);
    }

    /// Wakes clients blocked on `key` without a change WATCH would see
    /// (XGROUP DESTROY, whose readers must learn the group is gone).
    pub fn wake_blocked(&mut self, key: &[u8]) {
        self.recount(key);
        self.signal_ready(key);
    }

    fn signal_watchers(&mut self, key: &[u8]) {
        if !self.watchers.is_empty() {
            if let Some(clients) = self.watchers.get(key) {
                self.invalidated.extend(clients.iter().map(|&c| (c, key.to_vec())));
            }
        }
    }

    /// The watcher and blocked-client half of `touch`.
    fn signal(&mut self, key: &[u8]) {
        self.signal_watchers(key);
        self.signal_ready(key);
    }

    fn signal_ready(&mut self, key: &[u8]) {
        if !self.blocking.is_empty() && self.blocking.contains_key(key) && !self.ready.iter().any(|k| k == key) {
            self.ready.push(key.to_vec());
        }
    }

    /// Counts one more client blocked on `key`.
    pub fn add_blocked(&mut self, key: &[u8]) {
        *self.blocking.entry(key.to_vec()).or_default() += 1;
    }

    /// Counts one client fewer blocked on `key`.
    pub fn remove_blocked(&mut self, key: &[u8]) {
        if let Some(count) = self.blocking.get_mut(key) {
            *count -= 1;
            if *count == 0 {
                self.blocking.remove(key);
            }
        }
    }

    /// Keys with blocked clients that changed since the last call, in order.
    pub fn take_ready(&mut self) -> Vec<Key> {
        core::mem::take(&mut self.ready)
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
    pub fn take_invalidated(&mut self) -> Vec<(ClientId, Key)> {
        core::mem::take(&mut self.invalidated)
    }

    /// Touches every watched key that currently holds a value (FLUSHDB, SWAPDB).
    pub fn touch_all_watched(&mut self) {
        let existing: Vec<Key> = self.watchers.keys().filter(|k| self.values.contains_key(k.as_slice())).cloned().collect();
        for key in existing {
            self.touch(&key);
        }
    }

    /// Number of keys with an expiry time.
    pub fn expires_count(&self) -> usize {
        self.expires.len()
    }

    /// The absolute expiry time in ms, if the key has one.
    pub fn expire_at(&self, key: &[u8]) -> Option<u64> {
        self.expires.get(key).copied()
    }

    /// A new expiry is a change for WATCH, but no news for blocked clients.
    pub fn set_expire_at(&mut self, key: &[u8], when_ms: u64) {
        if self.values.contains_key(key) {
            self.expires.insert(key.to_vec(), when_ms);
            self.touch_quietly(key);
        }
    }

    pub fn persist(&mut self, key: &[u8]) -> bool {
        let had = self.expires.remove(key).is_some();
        if had {
            self.touch_quietly(key);
        }
        had
    }

    /// SWAPDB: exchanges the keys of two databases. Watches and blocked
    /// clients stay with their database number, so watchers of keys that exist
    /// on either side are signalled, and blocked clients retried.
    pub fn swap_contents(a: &mut Db, b: &mut Db) {
        for db in [&mut *a, &mut *b] {
            db.touch_all_watched();
        }
        core::mem::swap(&mut a.values, &mut b.values);
        core::mem::swap(&mut a.expires, &mut b.expires);
        core::mem::swap(&mut a.used_bytes, &mut b.used_bytes);
        let next = a.next_added_seq.max(b.next_added_seq);
        a.next_added_seq = next;
        b.next_added_seq = next;
        for db in [a, b] {
            db.touch_all_watched();
            let blocked: Vec<Key> = db.blocking.keys().filter(|k| db.values.contains_key(k.as_slice())).cloned().collect();
            for key in blocked {
                db.touch(&key);
            }
        }
    }

    /// Empties the database (FLUSHDB), signalling watchers of keys that existed.
    pub fn clear(&mut self) {
        self.touch_all_watched();
        self.values.clear();
        self.expires.clear();
        self.used_bytes = 0;
    }

    /// Removes every key whose time has passed.
    pub fn expire_all_due(&mut self, now_ms: u64) {
        self.clock_ms = self.clock_ms.max(now_ms);
        let due: Vec<Key> =
            self.expires.iter().filter(|(_, &when)| when <= now_ms).map(|(k, _)| k.clone()).collect();
        for key in due {
            self.drop_key(&key);
            self.expires.remove(&key);
            self.signal(&key);
        }
    }

    /// Every live key with its entry, in the map's (deterministic) order.
    /// Keys whose time has passed are skipped but not removed, as KEYS does.
    pub fn live_entries(&self, now_ms: u64) -> impl Iterator<Item = (&[u8], &Entry)> {
        self.values.iter().map(|(k, e)| (k.as_slice(), e)).filter(move |(k, _)| !self.is_expired(k, now_ms))
    }

    /// A key picked by the seeded PRNG (RANDOMKEY), removing due keys first.
    pub fn random_key(&mut self, now_ms: u64) -> Option<Key> {
        self.expire_all_due(now_ms);
        if self.values.is_empty() {
            return None;
        }
        let index = self.rng.below(self.values.len());
        self.values.keys().nth(index).map(|k| k.to_vec())
    }

    /// One SCAN step: up to `count` live keys (more when several share the last
    /// position) whose position is at least `cursor`, in position order, and
    /// the next cursor (0 when the walk is complete).
    pub fn scan(&self, cursor: u64, count: usize, now_ms: u64) -> (u64, Vec<(&[u8], &Entry)>) {
        let mut found: Vec<(u32, &[u8], &Entry)> = self
            .live_entries(now_ms)
            .map(|(k, e)| (scan_position(k), k, e))
            .filter(|(pos, _, _)| u64::from(*pos) >= cursor)
            .collect();
        crate::heap_sort::sort_by(&mut found, |a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let count = count.max(1);
        if found.len() <= count {
            return (0, found.into_iter().map(|(_, k, e)| (k, e)).collect());
        }
        let last = found[count - 1].0;
        let end = found.iter().position(|f| f.0 > last).unwrap_or(found.len());
        let next = if end == found.len() { 0 } else { u64::from(last) + 1 };
        found.truncate(end);
        (next, found.into_iter().map(|(_, k, e)| (k, e)).collect())
    }

    /// Changes the list at `key` in place with one lookup (pushes, pops,
    /// rotations): `change` returns its result and whether it changed the
    /// list. A changed list is re-counted and signalled as `touch` does, or
    /// removed as `remove` does once it is empty. `Ok(None)` for a missing
    /// key, WRONGTYPE for another type; the lookup counts as an access.
    pub fn change_list<R>(
        &mut self,
        key: &[u8],
        now_ms: u64,
        change: impl FnOnce(&mut ListStore) -> (R, bool),
    ) -> Result<Option<R>, Error> {
        self.expire_if_due(key, now_ms);
        let Some(entry) = self.values.get_mut(key) else { return Ok(None) };
        entry.accessed_ms = now_ms;
        note_shared_access(&mut self.shared_integer_access, entry, now_ms);
        let Value::List(list) = &mut entry.value else { return Err(Error::WrongType) };
        let (result, changed) = change(list);
        if !changed {
            return Ok(Some(result));
        }
        if list.is_empty() {
            self.remove(key, now_ms);
            return Ok(Some(result));
        }
        let counted = KEY_OVERHEAD_BYTES + key.len() + list.approx_heap_bytes();
        self.used_bytes = self.used_bytes - entry.counted_bytes + counted;
        entry.counted_bytes = counted;
        self.signal(key);
        Ok(Some(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_stays_small() {
        // The keyspace's table slot is a key and an entry: growing it costs
        // every lookup a bigger stride through memory.
        assert!(core::mem::size_of::<Value>() <= 40, "Value is {} bytes", core::mem::size_of::<Value>());
        assert!(core::mem::size_of::<Entry>() <= 72, "Entry is {} bytes", core::mem::size_of::<Entry>());
    }

    #[test]
    fn only_compact_canonical_integers_below_10000_are_shared() {
        let cases: &[(&[u8], StringForm, bool)] = &[
            (b"0", StringForm::Compact, true),
            (b"7", StringForm::Compact, true),
            (b"9999", StringForm::Compact, true),
            (b"10000", StringForm::Compact, false),
            (b"01", StringForm::Compact, false),
            (b"00", StringForm::Compact, false),
            (b"-1", StringForm::Compact, false),
            (b"+1", StringForm::Compact, false),
            (b"", StringForm::Compact, false),
            (b"12a", StringForm::Compact, false),
            (b" 1", StringForm::Compact, false),
            (b"5", StringForm::Plain, false),
            (b"5", StringForm::Raw, false),
            (b"5", StringForm::CompactCopy, false),
        ];
        for &(text, form, shared) in cases {
            let entry = Entry::new(Value::string(text), form, 0);
            assert_eq!(entry.shared_integer().is_some(), shared, "{:?} {:?}", text, form);
            assert_eq!(entry.refcount() == SHARED_REFCOUNT, shared, "{:?} {:?}", text, form);
        }
    }

    #[test]
    fn keys_expire_lazily_on_the_virtual_clock() {
        let mut db = Db::new();
        db.set(b"k", Value::string(b"v".as_slice()));
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
        db.set(b"k", Value::string(b"v".as_slice()));
        assert_eq!(db.take_invalidated(), [(7, b"k".to_vec())]);
        db.remove(b"missing", 0);
        assert!(db.take_invalidated().is_empty());
        db.unwatch(b"k", 7);
        db.remove(b"k", 0);
        assert!(db.take_invalidated().is_empty());
        db.set(b"other", Value::string(b"v".as_slice()));
        db.take_invalidated();
        db.clear();
        assert_eq!(db.take_invalidated(), [(8, b"other".to_vec())]);
    }

    #[test]
    fn each_kind_of_touch_signals_watchers_and_blocked_clients_as_redis_does() {
        let mut db = Db::new();
        db.set(b"k", Value::string(b"v".as_slice()));
        db.watch(b"k", 7);
        db.add_blocked(b"k");
        db.touch_quietly(b"k");
        assert_eq!(db.take_invalidated(), [(7, b"k".to_vec())]);
        assert!(db.take_ready().is_empty());
        db.touch(b"k");
        assert_eq!(db.take_ready(), [b"k".to_vec()]);
        assert_eq!(db.take_invalidated(), [(7, b"k".to_vec())]);
        db.resized(b"k");
        assert!(db.take_invalidated().is_empty() && db.take_ready().is_empty());
        db.wake_blocked(b"k");
        assert!(db.take_invalidated().is_empty());
        assert_eq!(db.take_ready(), [b"k".to_vec()]);
    }

    #[test]
    fn used_bytes_follow_every_write_path() {
        let mut db = Db::new();
        let size = |k: &[u8], v: &[u8]| KEY_OVERHEAD_BYTES + k.len() + v.len();
        db.set(b"k", Value::string(b"hello".as_slice()));
        assert_eq!(db.used_bytes(), size(b"k", b"hello"));
        db.set(b"k", Value::string(b"hi".as_slice()));
        assert_eq!(db.used_bytes(), size(b"k", b"hi"));
        if let Some(Value::String(bytes)) = db.get_mut(b"k", 0) {
            bytes.to_mut().extend_from_slice(b"gh");
        }
        db.touch(b"k");
        assert_eq!(db.used_bytes(), size(b"k", b"high"));
        db.set(b"other", Value::string(b"x".as_slice()));
        db.set_expire_at(b"other", 10);
        assert!(!db.contains(b"other", 10));
        assert_eq!(db.used_bytes(), size(b"k", b"high"));
        db.remove(b"k", 10);
        assert_eq!(db.used_bytes(), 0);
        db.set(b"a", Value::string(b"1".as_slice()));
        db.clear();
        assert_eq!(db.used_bytes(), 0);
    }

    /// `change_list`: one lookup that type checks, counts the access, and
    /// re-counts, signals or removes the key as the change requires.
    #[test]
    fn change_list_signals_recounts_and_removes_like_touch_and_remove() {
        let mut db = Db::new();
        let pop = |list: &mut ListStore| {
            let value = list.pop(crate::list::End::Left);
            let changed = value.is_some();
            (value, changed)
        };
        assert_eq!(db.change_list(b"missing", 5, pop), Ok(None));
        db.set(b"s", Value::string(b"v".as_slice()));
        assert_eq!(db.change_list(b"s", 5, pop), Err(Error::WrongType));
        assert_eq!(db.peek(b"s", 5).map(|e| e.accessed_ms), Some(5));
        let list: ListStore = [b"a".as_slice(), b"b"].into_iter().collect();
        db.set(b"l", Value::List(list));
        db.watch(b"l", 7);
        db.add_blocked(b"l");
        db.take_invalidated();
        db.take_ready();
        let before = db.used_bytes();
        assert_eq!(db.change_list(b"l", 6, |list| (list.len(), false)), Ok(Some(2)));
        assert!(db.take_invalidated().is_empty() && db.take_ready().is_empty());
        assert_eq!(db.peek(b"l", 6).map(|e| e.accessed_ms), Some(6));
        db.change_list(b"l", 7, |list| {
            list.push(crate::list::End::Right, &[b'x'; 100]);
            ((), true)
        })
        .ok();
        assert!(db.used_bytes() > before);
        assert_eq!(db.take_invalidated(), [(7, b"l".to_vec())]);
        assert_eq!(db.take_ready(), [b"l".to_vec()]);
        for _ in 0..3 {
            assert!(matches!(db.change_list(b"l", 8, pop), Ok(Some(Some(_)))));
        }
        assert!(!db.has_value(b"l"));
        assert_eq!(db.used_bytes(), KEY_OVERHEAD_BYTES + 1 + 1);
    }

    #[test]
    fn set_clears_ttl_and_keep_ttl_keeps_it() {
        let mut db = Db::new();
        db.set(b"k", Value::string(b"v".as_slice()));
        db.set_expire_at(b"k", 1000);
        db.set_keep_ttl(b"k", Value::string(b"w".as_slice()));
        assert_eq!(db.expire_at(b"k"), Some(1000));
        db.set(b"k", Value::string(b"x".as_slice()));
        assert_eq!(db.expire_at(b"k"), None);
    }
}
