//! redplay-core: Redis 7.0's messaging model as a deterministic, `no_std` engine.
//!
//! The engine never reads a clock, randomness or global state: every call that
//! can depend on time takes `now_ms`, the caller's virtual clock.
//!
//! # Layout
//! - [`reply`]: the reply value (every RESP2 and RESP3 type) and protocol downgrade.
//! - [`error`]: typed errors whose `Display` is Redis's exact error text.
//! - [`node`]: one Redis instance — databases, clients, outboxes, the command loop.
//! - [`db`]: a keyspace with expiry, and the value types stored in it.
//! - [`key_table`]: the keyspace hash table, with a read-ahead hint for pipelines.
//! - [`commands`]: the command table (data) and one file per command family.
//! - [`list`]: the packed list store behind list values.
//! - [`inspect`]: read-only, paged views of keys and subscribers for front ends.
//! - [`snapshot`]: the keyspace as bytes and back (a session kept across reloads).
//! - [`glob`]: Redis's glob-style pattern matching (KEYS, SCAN MATCH, PSUBSCRIBE).
//! - [`pubsub`]: who listens on which channel and pattern; message delivery.
//! - [`config`]: the parameters CONFIG GET/SET can read and change.
//! - [`float_text`]: doubles to and from text like C (`%.17g`, `%.2f`), integers only.
//! - [`long_double`]: software x87 `long double` for INCRBYFLOAT's exact results.
//! - [`args`]: a cursor over a command's arguments with Redis's number parsing.
//! - [`session`]: one client's RESP connection: request bytes in, reply bytes out.
//! - [`cli`]: redis-cli's argument splitting and reply formatting.
//! - [`repl`]: redis-cli's interactive side: prompt, hints, Tab completion, help.
//! - [`resp`]: the RESP wire format: reply encoding, request and reply decoding.
//! - [`stream`]: stream storage: entry IDs, the packed log, consumer groups.
//! - [`heap_sort`]: one small in-place sort for cold paths.
//! - [`short_copy`]: copies of short byte strings without a `memcpy` call (wasm).
//! - [`vec_map`]: a sorted-`Vec` map and set for small or cold collections.
//! - [`cluster`]: Redis Cluster simulated: slot hashing, topology, routing
//!   (MOVED/ASK/CROSSSLOT), the bus, replication and failover.
#![cfg_attr(not(any(test, feature = "std")), no_std)]

extern crate alloc;

pub mod args;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod compact_bytes;
pub mod config;
pub mod db;
pub mod error;
pub mod glob;
pub mod heap_sort;
pub mod inspect;
pub mod key_table;
pub mod list;
pub mod float_text;
pub mod long_double;
pub mod node;
pub mod pubsub;
pub mod reply;
pub mod repl;
pub mod session;
pub mod short_copy;
pub mod snapshot;
pub mod resp;
pub mod stream;
pub mod vec_map;

pub use error::Error;
pub use node::{ClientId, Node};
pub use reply::Reply;
