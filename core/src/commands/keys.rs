//! Generic key commands: deleting, inspecting, renaming, copying and moving
//! keys, walking the keyspace (KEYS, SCAN, RANDOMKEY), expiry (EXPIRE family,
//! TTL family, PERSIST) and OBJECT introspection.
//!
//! Which commands count as an access for `OBJECT IDLETIME` follows Redis:
//! TYPE, EXISTS, the TTL family and OBJECT only peek; the rest touch.

use alloc::vec::Vec;

use super::{flags::*, CommandSpec, Ctx, Group, KeySpec, Outcome};
use crate::args::{parse_i32, parse_i64, parse_strtoul, Args};
use crate::db::Db;
use crate::error::Error;
use crate::glob;
use crate::reply::Reply;

const FIRST_TWO: KeySpec = KeySpec { first: 1, last: 2, step: 1 };
const OBJECT_KEY: KeySpec = KeySpec { first: 2, last: 2, step: 1 };

/// One row of this family; every generic command has no subcommands except OBJECT.
macro_rules! row {
    ($name:expr, $arity:expr, $flags:expr, $keys:expr, $since:expr, $summary:expr, $handler:expr) => {
        CommandSpec {
            name: $name,
            arity: $arity,
            flags: $flags,
            keys: $keys,
            group: Group::Generic,
            since: $since,
            summary: $summary,
            handler: $handler,
            subcommands: &[],
        }
    };
}

pub const COMMANDS: &[CommandSpec] = &[
    row!("del", -2, WRITE, KeySpec::ALL, "1.0.0", "Delete a key", del),
    row!(
        "unlink",
        -2,
        WRITE | FAST,
        KeySpec::ALL,
        "4.0.0",
        "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.",
        del
    ),
    row!("exists", -2, READONLY | FAST, KeySpec::ALL, "1.0.0", "Determine if a key exists", exists),
    row!("type", 2, READONLY | FAST, KeySpec::ONE, "1.0.0", "Determine the type stored at key", type_),
    row!("keys", 2, READONLY, KeySpec::NONE, "1.0.0", "Find all keys matching the given pattern", keys),
    row!(
        "scan",
        -2,
        READONLY,
        KeySpec::NONE,
        "2.8.0",
        "Incrementally iterate the keys space",
        scan
    ),
    row!("randomkey", 1, READONLY, KeySpec::NONE, "1.0.0", "Return a random key from the keyspace", randomkey),
    row!("rename", 3, WRITE, FIRST_TWO, "1.0.0", "Rename a key", rename),
    row!(
        "renamenx",
        3,
        WRITE | FAST,
        FIRST_TWO,
        "1.0.0",
        "Rename a key, only if the new key does not exist",
        rename
    ),
    row!(
        "copy",
        -3,
        WRITE | DENYOOM,
        FIRST_TWO,
        "6.2.0",
        "Copy a key",
        copy
    ),
    row!("move", 3, WRITE | FAST, KeySpec::ONE, "1.0.0", "Move a key to another database", move_),
    row!(
        "expire",
        -3,
        WRITE | FAST,
        KeySpec::ONE,
        "1.0.0",
        "Set a key's time to live in seconds",
        expire
    ),
    row!(
        "pexpire",
        -3,
        WRITE | FAST,
        KeySpec::ONE,
        "2.6.0",
        "Set a key's time to live in milliseconds",
        expire
    ),
    row!(
        "expireat",
        -3,
        WRITE | FAST,
        KeySpec::ONE,
        "1.2.0",
        "Set the expiration for a key as a UNIX timestamp",
        expire
    ),
    row!(
        "pexpireat",
        -3,
        WRITE | FAST,
        KeySpec::ONE,
        "2.6.0",
        "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
        expire
    ),
    row!("ttl", 2, READONLY | FAST, KeySpec::ONE, "1.0.0", "Get the time to live for a key in seconds", ttl),
    row!(
        "pttl",
        2,
        READONLY | FAST,
        KeySpec::ONE,
        "2.6.0",
        "Get the time to live for a key in milliseconds",
        ttl
    ),
    row!(
        "expiretime",
        2,
        READONLY | FAST,
        KeySpec::ONE,
        "7.0.0",
        "Get the expiration Unix timestamp for a key",
        ttl
    ),
    row!(
        "pexpiretime",
        2,
        READONLY | FAST,
        KeySpec::ONE,
        "7.0.0",
        "Get the expiration Unix timestamp for a key in milliseconds",
        ttl
    ),
    row!("persist", 2, WRITE | FAST, KeySpec::ONE, "2.2.0", "Remove the expiration from a key", persist),
    row!(
        "touch",
        -2,
        READONLY | FAST,
        KeySpec::ALL,
        "3.2.1",
        "Alters the last access time of a key(s). Returns the number of existing keys specified.",
        touch
    ),
    CommandSpec {
        name: "object",
        arity: -2,
        flags: 0,
        keys: KeySpec::NONE,
        group: Group::Generic,
        since: "2.2.3",
        summary: "A container for object introspection commands",
        handler: object_help,
        subcommands: OBJECT_SUBCOMMANDS,
    },
];

const OBJECT_SUBCOMMANDS: &[CommandSpec] = &[
    row!(
        "encoding",
        3,
        READONLY,
        OBJECT_KEY,
        "2.2.3",
        "Inspect the internal encoding of a Redis object",
        object_encoding
    ),
    row!(
        "freq",
        3,
        READONLY,
        OBJECT_KEY,
        "4.0.0",
        "Get the logarithmic access frequency counter of a Redis object",
        object_freq
    ),
    row!(
        "idletime",
        3,
        READONLY,
        OBJECT_KEY,
        "2.2.3",
        "Get the time since a Redis object was last accessed",
        object_idletime
    ),
    row!(
        "refcount",
        3,
        READONLY,
        OBJECT_KEY,
        "2.2.3",
        "Get the number of references to the value of the key",
        object_refcount
    ),
    row!(
        "help",
        2,
        LOADING | STALE,
        KeySpec::NONE,
        "6.2.0",
        "Show helpful text about the different subcommands",
        object_help
    ),
];

/// The index of the database the calling client has selected.
fn selected_db(ctx: &Ctx) -> usize {
    ctx.db_index
}

/// A database index argument (COPY ... DB n, MOVE key n), checked against the node.
fn db_index(ctx: &Ctx, arg: &[u8]) -> Result<usize, Error> {
    let index = parse_i32(arg)?;
    usize::try_from(index).ok().filter(|&i| i < ctx.node.dbs.len()).ok_or(Error::DbIndexOutOfRange)
}

fn integer(n: i64) -> Result<Outcome, Error> {
    Ok(Reply::Integer(n).into())
}

/// `DEL key [key ...]` (also `UNLINK`, which differs only in freeing memory lazily).
fn del(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let db = ctx.db();
    let removed = argv[1..].iter().filter(|key| db.remove(key, now).is_some()).count();
    integer(removed as i64)
}

/// `EXISTS key [key ...]` — a key named twice counts twice.
fn exists(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let db = ctx.db();
    let found = argv[1..].iter().filter(|key| db.contains(key, now)).count();
    integer(found as i64)
}

/// `TOUCH key [key ...]` — counts existing keys and marks them accessed.
fn touch(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let db = ctx.db();
    let found = argv[1..].iter().filter(|key| db.entry_mut(key, now).is_some()).count();
    integer(found as i64)
}

/// `TYPE key`
fn type_(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let name = ctx.db().peek(&argv[1], now).map_or("none", |e| e.value.type_name());
    Ok(Reply::status(name).into())
}

/// Whether `key` passes a MATCH pattern; a lone `*` matches everything, even
/// the empty key (which the matcher itself would reject).
fn pattern_allows(pattern: Option<&[u8]>, key: &[u8]) -> bool {
    match pattern {
        None | Some(b"*") => true,
        Some(p) => glob::matches(p, key, false),
    }
}

/// `KEYS pattern` — keys whose time has passed are skipped, not removed. The
/// order is our map's, not Redis's (clients must not rely on either).
fn keys(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let pattern = argv[1].as_slice();
    let found = ctx
        .db()
        .live_entries(now)
        .filter(|(key, _)| pattern_allows(Some(pattern), key))
        .map(|(key, _)| Reply::Bulk(key.to_vec()))
        .collect();
    Ok(Reply::Array(found).into())
}

/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`
///
/// The cursor is a position in a fixed 32-bit hash order of keys (see
/// `Db::scan`), so every key present for the whole walk is returned at
/// least once; cursor values differ from Redis's. As in Redis, COUNT picks
/// the candidates first and MATCH / TYPE filter them afterwards; an unknown
/// TYPE name simply matches nothing in 7.0.
fn scan(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let cursor = parse_strtoul(&argv[1]).ok_or(Error::InvalidCursor)?;
    let mut args = Args::new(&argv[2..]);
    let (mut count, mut pattern, mut type_name) = (10usize, None, None);
    while !args.is_empty() {
        if args.eat("count") {
            let n = args.next_i64()?;
            if n < 1 {
                return Err(Error::Syntax);
            }
            count = usize::try_from(n).unwrap_or(usize::MAX);
        } else if args.eat("match") {
            pattern = Some(args.next_bytes()?);
        } else if args.eat("type") {
            type_name = Some(args.next_bytes()?);
        } else {
            return Err(Error::Syntax);
        }
    }
    let now = ctx.now_ms;
    let db = ctx.db();
    let (next, candidates) = db.scan(cursor, count, now);
    let found = candidates
        .into_iter()
        .filter(|(key, entry)| {
            pattern_allows(pattern, key)
                && type_name.is_none_or(|t| t.eq_ignore_ascii_case(entry.value.type_name().as_bytes()))
        })
        .map(|(key, _)| Reply::Bulk(key.to_vec()))
        .collect();
    let cursor_text = alloc::format!("{}", next).into_bytes();
    Ok(Reply::Array(alloc::vec![Reply::Bulk(cursor_text), Reply::Array(found)]).into())
}

/// `RANDOMKEY` — picked by the database's seeded PRNG.
fn randomkey(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    Ok(ctx.db().random_key(now).map_or(Reply::Nil, Reply::Bulk).into())
}

/// `RENAME key newkey` and `RENAMENX key newkey`. The value keeps its TTL and
/// replaces whatever `newkey` held, of any type.
fn rename(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let only_if_new = argv[0].eq_ignore_ascii_case(b"renamenx");
    let (from, to) = (&argv[1], &argv[2]);
    let now = ctx.now_ms;
    let db = ctx.db();
    if db.entry_mut(from, now).is_none() {
        return Err(Error::NoSuchKey);
    }
    let done = if only_if_new { Reply::Integer(1) } else { Reply::ok() };
    if from == to {
        return Ok(if only_if_new { Reply::Integer(0) } else { Reply::ok() }.into());
    }
    if only_if_new && db.contains(to, now) {
        return integer(0);
    }
    if let Some((entry, expire)) = db.take(from, now) {
        db.remove(to, now);
        db.insert_entry(to, entry, expire);
    }
    Ok(done.into())
}

/// `COPY source destination [DB destination-db] [REPLACE]` — the copy keeps the
/// source's TTL and encoding; it is a new object, so its idle time restarts.
fn copy(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (from, to) = (&argv[1], &argv[2]);
    let mut target = None;
    let mut replace = false;
    let mut args = Args::new(&argv[3..]);
    while !args.is_empty() {
        if args.eat("replace") {
            replace = true;
        } else if args.remaining() >= 2 && args.eat("db") {
            // Each DB value is checked as it is read, as Redis does.
            target = Some(db_index(ctx, args.next_bytes()?)?);
        } else {
            return Err(Error::Syntax);
        }
    }
    let source_db = selected_db(ctx);
    let target_db = target.unwrap_or(source_db);
    if target_db != 0 && ctx.node.cluster_state().is_some() {
        return Err(Error::text("ERR Copying to another database is not allowed in cluster mode"));
    }
    if source_db == target_db && from == to {
        return Err(Error::SameObject);
    }
    let now = ctx.now_ms;
    let Some(entry) = ctx.db().entry_mut(from, now) else {
        return integer(0);
    };
    let mut entry = entry.clone();
    entry.accessed_ms = now;
    // The copy is a new object: a small integer is no longer the shared one.
    if entry.form == crate::db::StringForm::Compact {
        entry.form = crate::db::StringForm::CompactCopy;
    }
    let expire = ctx.db().expire_at(from);
    let dest = ctx.node.db(target_db);
    if dest.entry_mut(to, now).is_some() {
        if !replace {
            return integer(0);
        }
        dest.remove(to, now);
    }
    dest.insert_entry(to, entry, expire);
    integer(1)
}

/// `MOVE key db` — 0 when the key is missing or already exists in `db`.
fn move_(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    if ctx.node.cluster_state().is_some() {
        return Err(Error::text("ERR MOVE is not allowed in cluster mode"));
    }
    let key = &argv[1];
    let target_db = db_index(ctx, &argv[2])?;
    let source_db = selected_db(ctx);
    if target_db == source_db {
        return Err(Error::SameObject);
    }
    let now = ctx.now_ms;
    if ctx.db().entry_mut(key, now).is_none() || ctx.node.db(target_db).entry_mut(key, now).is_some() {
        return integer(0);
    }
    if let Some((entry, expire)) = ctx.db().take(key, now) {
        ctx.node.db(target_db).insert_entry(key, entry, expire);
    }
    integer(1)
}

/// The EXPIRE family's conditions.
#[derive(Clone, Copy, Default)]
struct ExpireCondition {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

impl ExpireCondition {
    /// Reads NX/XX/GT/LT; every option is checked before the combination.
    fn parse(options: &[Vec<u8>]) -> Result<ExpireCondition, Error> {
        let mut c = ExpireCondition::default();
        for option in options {
            let is = |word: &str| option.eq_ignore_ascii_case(word.as_bytes());
            if is("nx") {
                c.nx = true;
            } else if is("xx") {
                c.xx = true;
            } else if is("gt") {
                c.gt = true;
            } else if is("lt") {
                c.lt = true;
            } else {
                return Err(Error::UnsupportedOption(option.clone()));
            }
        }
        if c.nx && (c.xx || c.gt || c.lt) {
            return Err(Error::text("ERR NX and XX, GT or LT options at the same time are not compatible"));
        }
        if c.gt && c.lt {
            return Err(Error::text("ERR GT and LT options at the same time are not compatible"));
        }
        Ok(c)
    }

    /// Whether a new deadline `when` may replace `current` (`None`: no TTL,
    /// which counts as infinite for GT and LT).
    fn allows(self, current: Option<u64>, when: i64) -> bool {
        let current = current.map(|c| c as i128);
        let when = when as i128;
        if (self.nx && current.is_some()) || (self.xx && current.is_none()) {
            return false;
        }
        if self.gt && current.is_none_or(|c| when <= c) {
            return false;
        }
        if self.lt && current.is_some_and(|c| when >= c) {
            return false;
        }
        true
    }
}

/// `EXPIRE key seconds [NX|XX|GT|LT]`, and PEXPIRE, EXPIREAT, PEXPIREAT.
/// A deadline at or before now deletes the key (and still replies 1).
fn expire(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let name = argv[0].to_ascii_lowercase();
    let seconds = !name.starts_with(b"p");
    let absolute = name.ends_with(b"at");
    let condition = ExpireCondition::parse(&argv[3..])?;
    let invalid = || Error::InvalidExpireTime(alloc::string::String::from_utf8_lossy(&name).into_owned());
    let mut when = parse_i64(&argv[2]).ok_or(Error::NotInteger)?;
    if seconds {
        when = when.checked_mul(1000).ok_or_else(invalid)?;
    }
    let now = ctx.now_ms;
    if !absolute {
        when = when.checked_add(now as i64).ok_or_else(invalid)?;
    }
    let key = &argv[1];
    let db = ctx.db();
    if db.entry_mut(key, now).is_none() || !condition.allows(db.expire_at(key), when) {
        return integer(0);
    }
    if when <= now as i64 {
        db.remove(key, now);
    } else {
        db.set_expire_at(key, when as u64);
    }
    integer(1)
}

/// `TTL key`, `PTTL key`, `EXPIRETIME key`, `PEXPIRETIME key`: -2 for a missing
/// key, -1 for one without a TTL. Seconds are rounded to nearest.
fn ttl(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let name = argv[0].to_ascii_lowercase();
    let now = ctx.now_ms;
    let db = ctx.db();
    if db.peek(&argv[1], now).is_none() {
        return integer(-2);
    }
    let Some(when) = db.expire_at(&argv[1]) else {
        return integer(-1);
    };
    let ms = if name.ends_with(b"time") { when as i128 } else { (when as i128 - now as i128).max(0) };
    // Rounding can carry past i64::MAX only for deadlines near it; Redis's
    // arithmetic then wraps through unsigned, which i128 reproduces.
    let value = if name.starts_with(b"p") { ms } else { (ms + 500) / 1000 };
    integer(i64::try_from(value).unwrap_or(i64::MAX))
}

/// `PERSIST key` — 1 if a TTL was removed.
fn persist(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let db = ctx.db();
    if db.entry_mut(&argv[1], now).is_none() {
        return integer(0);
    }
    integer(db.persist(&argv[1]) as i64)
}

/// Looks the key of an OBJECT subcommand up without counting an access.
fn object_lookup<'a>(ctx: &'a mut Ctx, argv: &[Vec<u8>]) -> Option<&'a crate::db::Entry> {
    let now = ctx.now_ms;
    let db: &'a mut Db = ctx.db();
    db.peek(&argv[2], now)
}

/// `OBJECT ENCODING key`
fn object_encoding(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(object_lookup(ctx, argv).map_or(Reply::Nil, |e| Reply::bulk(e.encoding().as_bytes())).into())
}

/// `OBJECT REFCOUNT key` — small integers are shared objects (refcount `INT_MAX`).
fn object_refcount(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(object_lookup(ctx, argv).map_or(Reply::Nil, |e| Reply::Integer(e.refcount())).into())
}

/// `OBJECT IDLETIME key` — whole seconds since the last access. A shared
/// small integer (0-9999) has one access time for every key holding it, in
/// any database: the node's start until one of them is looked up.
fn object_idletime(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let Some(entry) = object_lookup(ctx, argv) else {
        return Ok(Reply::Nil.into());
    };
    let idle = match entry.shared_integer().map(<[u8]>::to_vec) {
        Some(text) => {
            let started = ctx.node.stats.start_ms;
            let last = ctx.node.dbs.iter().filter_map(|db| db.shared_integer_accessed(&text)).max().unwrap_or(started);
            (now / 1000).saturating_sub(last / 1000)
        }
        None => entry.idle_seconds(now),
    };
    Ok(Reply::Integer(i64::try_from(idle).unwrap_or(i64::MAX)).into())
}

/// `OBJECT FREQ key` — only tracked under an LFU maxmemory policy, and the
/// policy here is always the default `noeviction`.
fn object_freq(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    if object_lookup(ctx, argv).is_none() {
        return Ok(Reply::Nil.into());
    }
    Err(Error::text(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
    ))
}

/// `OBJECT HELP` — our own summary of the subcommands, from the table.
fn object_help(_ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(super::connection::help_reply("OBJECT", OBJECT_SUBCOMMANDS))
}

#[cfg(test)]
pub(crate) mod tests;
