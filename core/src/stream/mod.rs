//! Stream storage: entry IDs, the packed append-only log, and consumer groups.
//!
//! Command handlers see only [`StreamId`], [`Stream`] and its methods; the
//! representation (packed nodes in an ordered map, see [`store`]) can change
//! without touching them.
//!
//! # Layout
//! - [`id`]: `StreamId { ms, seq }` and Redis's ID parsing rules.
//! - [`listpack`]: the compact element encoding nodes are made of.
//! - [`store`]: [`Stream`], the log: append, range walks, delete, trim.
//! - [`group`]: consumer groups, consumers and their pending entries lists.

pub mod group;
pub mod id;
pub mod listpack;
pub mod store;

pub use group::{Consumer, ConsumerGroup, Pending, INVALID_ENTRIES_READ};
pub use id::{AddId, StreamId};
pub use store::{Entry, Fields, NodeLimits, Stream, TrimOutcome, TrimStrategy};
