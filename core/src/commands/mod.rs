//! The command table and the command families.
//!
//! The table is data: each family file exports `COMMANDS`, a slice of
//! [`CommandSpec`] rows (name, arity, flags, key positions, group, summary and
//! the handler); [`meta`] adds each command's arguments, key specifications
//! and documentation, keyed by name. Arity errors, lookups, `COMMAND` replies,
//! hints and completion all read these. Adding a command is one row, one
//! `meta/commands.txt` record and its handler.
//!
//! Every handler has the same shape: parse the arguments (or return the error),
//! look the key up with a type check, change or read the data, return the reply.

use alloc::vec::Vec;

use crate::db::Db;
use crate::error::Error;
use crate::node::{ClientId, Node};
use crate::reply::Reply;

pub mod cluster;
pub mod connection;
pub mod groups;
pub mod keys;
pub mod lists;
pub mod meta;
pub mod pubsub;
pub mod server;
pub mod streams;
pub mod strings;
pub mod transactions;

/// Command flags, as `COMMAND INFO` lists them.
pub mod flags {
    pub const WRITE: u32 = 1 << 0;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const PUBSUB: u32 = 1 << 4;
    pub const NOSCRIPT: u32 = 1 << 5;
    pub const BLOCKING: u32 = 1 << 6;
    pub const LOADING: u32 = 1 << 7;
    pub const STALE: u32 = 1 << 8;
    pub const SKIP_MONITOR: u32 = 1 << 9;
    pub const SKIP_SLOWLOG: u32 = 1 << 10;
    pub const FAST: u32 = 1 << 11;
    pub const NO_AUTH: u32 = 1 << 12;
    pub const MAY_REPLICATE: u32 = 1 << 13;
    pub const NO_MANDATORY_KEYS: u32 = 1 << 14;
    pub const NO_MULTI: u32 = 1 << 15;
    pub const MOVABLE_KEYS: u32 = 1 << 16;
    pub const ALLOW_BUSY: u32 = 1 << 17;
    pub const NO_ASYNC_LOADING: u32 = 1 << 18;

    /// Flag names in the order Redis prints them.
    pub const NAMES: &[(u32, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (MAY_REPLICATE, "may_replicate"),
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (MOVABLE_KEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// The documentation group a command belongs to (`COMMAND DOCS`, `HELP @group`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Generic,
    String,
    List,
    Stream,
    Pubsub,
    Connection,
    Server,
    Transactions,
    Cluster,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Generic => "generic",
            Group::String => "string",
            Group::List => "list",
            Group::Stream => "stream",
            Group::Pubsub => "pubsub",
            Group::Connection => "connection",
            Group::Server => "server",
            Group::Transactions => "transactions",
            Group::Cluster => "cluster",
        }
    }
}

/// Where a command's keys are in argv (`first`, `last`, `step` as in COMMAND INFO;
/// `last` negative counts from the end). All zero: no keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySpec {
    pub first: i32,
    pub last: i32,
    pub step: i32,
}

impl KeySpec {
    /// Indexes of the keys in an argv of `argc` arguments (none when the
    /// command takes no keys).
    pub fn positions(&self, argc: usize) -> impl Iterator<Item = usize> {
        let argc = i64::try_from(argc).unwrap_or(i64::MAX);
        let (first, step) = (i64::from(self.first), i64::from(self.step));
        let last = if self.last < 0 { argc + i64::from(self.last) } else { i64::from(self.last).min(argc - 1) };
        // An empty range when the command takes no keys.
        let (first, last) = if first <= 0 || step <= 0 { (1, 0) } else { (first, last) };
        (first..=last).step_by(step.max(1) as usize).map(|i| i as usize)
    }

    pub const NONE: KeySpec = KeySpec { first: 0, last: 0, step: 0 };
    pub const ONE: KeySpec = KeySpec { first: 1, last: 1, step: 1 };
    pub const ALL: KeySpec = KeySpec { first: 1, last: -1, step: 1 };
}

/// A handler receives the whole argv (argv[0] is the name as the client typed it).
pub type Handler = fn(&mut Ctx, &[Vec<u8>]) -> Result<Outcome, Error>;

/// One row of the command table.
pub struct CommandSpec {
    /// Lower-case name (`get`, or `getname` for `CLIENT GETNAME`).
    pub name: &'static str,
    /// Redis arity: N means exactly N arguments including the name, -N at least N.
    pub arity: i32,
    pub flags: u32,
    pub keys: KeySpec,
    pub group: Group,
    pub since: &'static str,
    pub summary: &'static str,
    pub handler: Handler,
    /// For container commands (CONFIG, CLIENT, ...): their subcommands.
    pub subcommands: &'static [CommandSpec],
}

impl CommandSpec {
    pub fn has_flag(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }
}

/// What a handler produced.
pub enum Outcome {
    Reply(Reply),
    /// Several replies in order (e.g. one per channel for SUBSCRIBE).
    Replies(Vec<Reply>),
    /// Reply, then close the connection.
    Close(Reply),
    /// Nothing to serve yet: the client waits on keys (BLPOP, XREAD BLOCK...).
    Block(Block),
}

/// What a blocking command waits for. Whenever one of `keys` changes, the
/// node runs the command again (with [`Ctx::serving_blocked`] set); it either
/// produces its reply or returns `Block` again to keep waiting.
pub struct Block {
    /// Keys in the client's selected database.
    pub keys: Vec<Vec<u8>>,
    /// Absolute virtual time at which to give up; `None` waits forever.
    pub deadline_ms: Option<u64>,
    /// The reply on timeout (and on `CLIENT UNBLOCK id TIMEOUT`).
    pub on_timeout: Reply,
}

impl From<Reply> for Outcome {
    fn from(reply: Reply) -> Self {
        Outcome::Reply(reply)
    }
}

/// The state a handler works on: the node, the calling client and the time.
pub struct Ctx<'a> {
    pub node: &'a mut Node,
    pub client: ClientId,
    /// The database the client had selected when the command started.
    pub db_index: usize,
    pub now_ms: u64,
    /// False inside EXEC: blocking commands then act as their non-blocking form.
    pub may_block: bool,
    /// True when a blocked client's command is run again because a key changed.
    pub serving_blocked: bool,
    /// While serving a blocked client: the key that changed. Redis 7.0 serves
    /// the client from this key, even when another of its keys also has data.
    pub ready_key: Option<&'a [u8]>,
}

impl Ctx<'_> {
    /// The calling client's connection state.
    pub(crate) fn client_state(&mut self) -> Result<&mut crate::node::Client, Error> {
        // The node only runs commands for connected clients.
        self.node.client_mut(self.client).ok_or_else(|| Error::text("ERR client is gone"))
    }

    /// The database the calling client has selected.
    pub fn db(&mut self) -> &mut Db {
        self.node.db(self.db_index)
    }
}

/// Every family's rows, in one list.
const FAMILIES: &[&[CommandSpec]] = &[
    connection::COMMANDS,
    keys::COMMANDS,
    strings::COMMANDS,
    lists::COMMANDS,
    transactions::COMMANDS,
    server::COMMANDS,
    pubsub::COMMANDS,
    streams::COMMANDS,
    groups::COMMANDS,
    cluster::COMMANDS,
];

/// Every top-level command in the table.
pub fn all() -> impl Iterator<Item = &'static CommandSpec> {
    FAMILIES.iter().flat_map(|family| family.iter())
}

/// Indexes of the keys in a command's argv (`argc` arguments), from its key spec.
pub fn key_positions(spec: &CommandSpec, argc: usize) -> Vec<usize> {
    spec.keys.positions(argc).collect()
}

/// Finds the keys of a command whose key positions depend on its arguments.
pub type KeyFinder = fn(&[Vec<u8>]) -> Vec<usize>;

/// Key finders for movable-key commands, by name: the part of the table that
/// a `KeySpec` range cannot express (`numkeys` forms, keys after `STREAMS`).
const KEY_FINDERS: &[(&str, KeyFinder)] = &[
    ("xread", keys_after_streams),
    ("xreadgroup", keys_after_streams),
    ("lmpop", |argv| keys_after_numkeys(argv, 1)),
    ("blmpop", |argv| keys_after_numkeys(argv, 2)),
    ("migrate", cluster::migrate_keys),
];

/// XREAD/XREADGROUP: the first half of the arguments after `STREAMS`.
fn keys_after_streams(argv: &[Vec<u8>]) -> Vec<usize> {
    let Some(at) = argv.iter().skip(1).position(|a| a.eq_ignore_ascii_case(b"streams")).map(|i| i + 1) else {
        return Vec::new();
    };
    let rest = argv.len() - at - 1;
    if rest == 0 || !rest.is_multiple_of(2) {
        return Vec::new();
    }
    (at + 1..at + 1 + rest / 2).collect()
}

/// `numkeys key [key ...]` with numkeys at `at`.
fn keys_after_numkeys(argv: &[Vec<u8>], at: usize) -> Vec<usize> {
    let count = argv.get(at).and_then(|n| crate::args::parse_i64(n)).unwrap_or(0);
    if count <= 0 {
        return Vec::new();
    }
    let end = (at as u64 + 1 + count as u64).min(argv.len() as u64) as usize;
    (at + 1..end).collect()
}

/// Indexes of the keys in `argv` for `spec`: from its key finder when the
/// keys move, from its key spec otherwise. Cluster routing and COMMAND
/// GETKEYS both read this.
pub fn keys_of(spec: &CommandSpec, argv: &[Vec<u8>]) -> Vec<usize> {
    if spec.has_flag(flags::MOVABLE_KEYS) {
        if let Some((_, finder)) = KEY_FINDERS.iter().find(|(name, _)| *name == spec.name) {
            return finder(argv);
        }
    }
    key_positions(spec, argv.len())
}

/// Shorthand for the common "reply OK" outcome.
pub fn ok() -> Result<Outcome, Error> {
    Ok(Reply::ok().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_positions_follow_the_key_spec() {
        let spec = |first, last, step| KeySpec { first, last, step };
        let cases: [(KeySpec, usize, &[usize]); 8] = [
            (spec(1, 1, 1), 2, &[1]),      // GET k
            (spec(1, 1, 1), 1, &[]),       // too short: no key to read
            (spec(1, -1, 2), 5, &[1, 3]),  // MSET a 1 b 2
            (spec(1, -1, 1), 4, &[1, 2, 3]), // DEL a b c
            (spec(1, -2, 1), 4, &[1, 2]),  // BLPOP a b 0
            (spec(1, 2, 1), 4, &[1, 2]),   // LMOVE src dst LEFT RIGHT
            (spec(2, 2, 1), 2, &[]),
            (KeySpec::NONE, 3, &[]),
        ];
        for (keys, argc, expected) in cases {
            assert_eq!(keys.positions(argc).collect::<Vec<_>>(), expected, "{:?} over {argc}", (keys.first, keys.last, keys.step));
        }
    }
}
