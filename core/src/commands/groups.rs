//! Consumer group commands: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER,
//! DELCONSUMER, HELP), XREADGROUP, XACK, XPENDING, XCLAIM and XAUTOCLAIM.
//!
//! Groups live inside their stream ([`crate::stream::ConsumerGroup`]); the
//! shared reader behind XREADGROUP is in [`super::streams`].

use alloc::string::String;
use alloc::vec::Vec;

use super::streams::{
    container, create_stream, entry_reply_at, eq, exclusive_start, help_reply, id_reply, parse_id,
    parse_interval, parse_range, read_generic, row, stream_mut, subcommand_syntax,
};
use super::{flags::*, CommandSpec, Ctx, Group, KeySpec, Outcome};
use crate::args::parse_i64;
use crate::error::Error;
use crate::reply::Reply;
use crate::stream::{ConsumerGroup, Pending, Stream, StreamId, INVALID_ENTRIES_READ};

const XGROUP_KEY: KeySpec = KeySpec { first: 2, last: 2, step: 1 };

pub const COMMANDS: &[CommandSpec] = &[
    row!("xgroup", -2, 0, KeySpec::NONE, "5.0.0", "A container for consumer groups commands", container, XGROUP),
    row!(
        "xreadgroup",
        -7,
        WRITE | BLOCKING | MOVABLE_KEYS,
        KeySpec::NONE,
        "5.0.0",
        "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
        xreadgroup
    ),
    row!(
        "xack",
        -4,
        WRITE | FAST,
        KeySpec::ONE,
        "5.0.0",
        "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL.",
        xack
    ),
    row!(
        "xpending",
        -3,
        READONLY,
        KeySpec::ONE,
        "5.0.0",
        "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged.",
        xpending
    ),
    row!(
        "xclaim",
        -6,
        WRITE | FAST,
        KeySpec::ONE,
        "5.0.0",
        "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer.",
        xclaim
    ),
    row!(
        "xautoclaim",
        -6,
        WRITE | FAST,
        KeySpec::ONE,
        "6.2.0",
        "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer.",
        xautoclaim
    ),
];

const XGROUP: &[CommandSpec] = &[
    row!(
        "create",
        -5,
        WRITE | DENYOOM,
        XGROUP_KEY,
        "5.0.0",
        "Create a consumer group.",
        xgroup_create
    ),
    row!(
        "createconsumer",
        5,
        WRITE | DENYOOM,
        XGROUP_KEY,
        "6.2.0",
        "Create a consumer in a consumer group.",
        xgroup_createconsumer
    ),
    row!(
        "delconsumer",
        5,
        WRITE,
        XGROUP_KEY,
        "5.0.0",
        "Delete a consumer from a consumer group.",
        xgroup_delconsumer
    ),
    row!("destroy", 4, WRITE, XGROUP_KEY, "5.0.0", "Destroy a consumer group.", xgroup_destroy),
    row!("help", 2, LOADING | STALE, KeySpec::NONE, "5.0.0", "Show helpful text about the different subcommands", xgroup_help),
    row!(
        "setid",
        -5,
        WRITE,
        XGROUP_KEY,
        "5.0.0",
        "Set a consumer group to an arbitrary last delivered ID value.",
        xgroup_setid
    ),
];

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `NOGROUP No such key 'k' or consumer group 'g'` (XPENDING, XCLAIM, XAUTOCLAIM).
fn nogroup(key: &[u8], group: &[u8]) -> Error {
    Error::Text(alloc::format!("NOGROUP No such key '{}' or consumer group '{}'", lossy(key), lossy(group)))
}

/// `NOGROUP No such consumer group 'g' for key name 'k'` (XGROUP).
fn nogroup_for_key(key: &[u8], group: &[u8]) -> Error {
    Error::Text(alloc::format!("NOGROUP No such consumer group '{}' for key name '{}'", lossy(group), lossy(key)))
}

fn key_required() -> Error {
    Error::text("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
}

/// The stream and group a command works on, or the given error.
fn group_mut<'a>(
    ctx: &'a mut Ctx,
    key: &[u8],
    group: &[u8],
    missing: fn(&[u8], &[u8]) -> Error,
) -> Result<(&'a mut Stream, ConsumerGroup), Error> {
    let Some(stream) = stream_mut(ctx, key)? else { return Err(missing(key, group)) };
    let Some(g) = stream.groups.remove(group) else { return Err(missing(key, group)) };
    Ok((stream, g))
}

// ---------------------------------------------------------------------------
// XGROUP
// ---------------------------------------------------------------------------

/// ENTRIESREAD's value: non-negative or -1.
fn parse_entries_read(arg: &[u8]) -> Result<i64, Error> {
    let n = parse_i64(arg).ok_or(Error::NotInteger)?;
    if n < 0 && n != INVALID_ENTRIES_READ {
        return Err(Error::text("ERR value for ENTRIESREAD must be positive or -1"));
    }
    Ok(n)
}

/// Options after CREATE's and SETID's ID.
fn parse_group_options(argv: &[Vec<u8>], create: bool) -> Result<(bool, i64), Error> {
    let mut mkstream = false;
    let mut entries_read = INVALID_ENTRIES_READ;
    let mut i = 5;
    while i < argv.len() {
        if create && eq(&argv[i], "mkstream") {
            mkstream = true;
            i += 1;
        } else if eq(&argv[i], "entriesread") && i + 1 < argv.len() {
            entries_read = parse_entries_read(&argv[i + 1])?;
            i += 2;
        } else {
            return Err(subcommand_syntax(argv));
        }
    }
    Ok((mkstream, entries_read))
}

/// The group ID argument: `$` is the stream's last ID.
fn group_start_id(arg: &[u8], stream: Option<&Stream>) -> Result<StreamId, Error> {
    if arg == b"$" {
        Ok(stream.map_or(StreamId::MIN, |s| s.last_id))
    } else {
        parse_id(arg, 0, true)
    }
}

/// `XGROUP CREATE key groupname id|$ [MKSTREAM] [ENTRIESREAD entries_read]`
fn xgroup_create(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (key, name) = (&argv[2], &argv[3]);
    let (mkstream, entries_read) = parse_group_options(argv, true)?;
    let exists = stream_mut(ctx, key)?.is_some();
    if !exists && !mkstream {
        return Err(key_required());
    }
    let id = group_start_id(&argv[4], stream_mut(ctx, key)?.map(|s| &*s))?;
    if !exists {
        create_stream(ctx, key);
    }
    let Some(stream) = stream_mut(ctx, key)? else { return Err(key_required()) };
    if stream.groups.contains_key(name.as_slice()) {
        return Err(Error::text("BUSYGROUP Consumer Group name already exists"));
    }
    stream.groups.insert(name.clone(), ConsumerGroup::new(id, entries_read));
    ctx.db().resized(key);
    super::ok()
}

/// `XGROUP SETID key groupname id|$ [ENTRIESREAD entries_read]`
fn xgroup_setid(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (key, name) = (&argv[2], &argv[3]);
    let (_, entries_read) = parse_group_options(argv, false)?;
    let Some(stream) = stream_mut(ctx, key)? else { return Err(key_required()) };
    if !stream.groups.contains_key(name.as_slice()) {
        return Err(nogroup_for_key(key, name));
    }
    let id = group_start_id(&argv[4], Some(stream))?;
    if let Some(group) = stream.groups.get_mut(name.as_slice()) {
        group.last_id = id;
        group.entries_read = entries_read;
    }
    ctx.db().resized(key);
    super::ok()
}

/// `XGROUP DESTROY key groupname`
fn xgroup_destroy(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (key, name) = (&argv[2], &argv[3]);
    let Some(stream) = stream_mut(ctx, key)? else { return Err(key_required()) };
    let removed = stream.groups.remove(name.as_slice()).is_some();
    if removed {
        // Readers blocked on this group run again and learn it is gone.
        ctx.db().wake_blocked(key);
    }
    Ok(Reply::Integer(removed as i64).into())
}

/// `XGROUP CREATECONSUMER key groupname consumername`
fn xgroup_createconsumer(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (key, name, consumer) = (&argv[2], &argv[3], &argv[4]);
    let now = ctx.now_ms;
    let Some(stream) = stream_mut(ctx, key)? else { return Err(key_required()) };
    let Some(group) = stream.groups.get_mut(name.as_slice()) else { return Err(nogroup_for_key(key, name)) };
    let (_, created) = group.consumer_or_create(consumer, now);
    if created {
        ctx.db().resized(key);
    }
    Ok(Reply::Integer(created as i64).into())
}

/// `XGROUP DELCONSUMER key groupname consumername`
fn xgroup_delconsumer(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (key, name, consumer) = (&argv[2], &argv[3], &argv[4]);
    let Some(stream) = stream_mut(ctx, key)? else { return Err(key_required()) };
    let Some(group) = stream.groups.get_mut(name.as_slice()) else { return Err(nogroup_for_key(key, name)) };
    let pending = group.delete_consumer(consumer);
    if pending.is_some() {
        ctx.db().resized(key);
    }
    Ok(Reply::Integer(pending.unwrap_or(0) as i64).into())
}

/// `XGROUP HELP`
fn xgroup_help(_ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(help_reply(
        "XGROUP",
        &[
            "CREATE <key> <groupname> <id|$> [option]",
            "    Create a new consumer group. Options are:",
            "    * MKSTREAM",
            "      Create the empty stream if it does not exist.",
            "    * ENTRIESREAD entries_read",
            "      Set the group's entries_read counter (internal use).",
            "CREATECONSUMER <key> <groupname> <consumer>",
            "    Create a new consumer in the specified group.",
            "DELCONSUMER <key> <groupname> <consumer>",
            "    Remove the specified consumer.",
            "DESTROY <key> <groupname>",
            "    Remove the specified group.",
            "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
            "    Set the current group ID and entries_read counter.",
        ],
    )
    .into())
}

// ---------------------------------------------------------------------------
// XREADGROUP / XACK
// ---------------------------------------------------------------------------

/// `XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]`
fn xreadgroup(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    read_generic(ctx, argv, true)
}

/// `XACK key group id [id ...]`
fn xack(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (key, name) = (&argv[1], &argv[2]);
    let ids = &argv[3..];
    let Some(group) = stream_mut(ctx, key)?.and_then(|s| s.groups.get_mut(name.as_slice())) else {
        return Ok(Reply::Integer(0).into());
    };
    // Every ID is checked before any is acknowledged (read twice rather
    // than collected: most calls acknowledge one).
    for arg in ids {
        parse_id(arg, 0, true)?;
    }
    let acked = ids.iter().filter(|arg| parse_id(arg, 0, true).is_ok_and(|id| group.ack(id))).count();
    if acked > 0 {
        ctx.db().resized(key);
    }
    Ok(Reply::Integer(acked as i64).into())
}

// ---------------------------------------------------------------------------
// XPENDING
// ---------------------------------------------------------------------------

/// `XPENDING key group [[IDLE min-idle-time] start end count [consumer]]`
fn xpending(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (key, name) = (&argv[1], &argv[2]);
    let now = ctx.now_ms;
    struct Extended<'a> {
        min_idle: u64,
        start: StreamId,
        end: StreamId,
        count: usize,
        consumer: Option<&'a [u8]>,
    }
    let extended = if argv.len() >= 6 {
        let mut at = 3;
        let mut min_idle = 0i64;
        if eq(&argv[3], "idle") {
            min_idle = parse_i64(&argv[4]).ok_or(Error::NotInteger)?;
            if argv.len() < 8 {
                return Err(Error::Syntax);
            }
            at += 2;
        }
        // Redis 7.0 ignores arguments after the consumer, up to nine in all.
        if argv.len() > 9 {
            return Err(Error::Syntax);
        }
        let count = parse_i64(&argv[at + 2]).ok_or(Error::NotInteger)?.max(0);
        let (start, end) = parse_range(&argv[at], &argv[at + 1])?;
        Some(Extended {
            min_idle: u64::try_from(min_idle).unwrap_or(0),
            start,
            end,
            count: usize::try_from(count).unwrap_or(usize::MAX),
            consumer: argv.get(at + 3).map(|c| c.as_slice()),
        })
    } else if argv.len() != 3 {
        return Err(Error::Syntax);
    } else {
        None
    };
    let (stream, group) = group_mut(ctx, key, name, nogroup)?;
    let reply = match extended {
        None => {
            if group.pel.is_empty() {
                Reply::Array(alloc::vec![Reply::Integer(0), Reply::Nil, Reply::Nil, Reply::NilArray])
            } else {
                let first = group.pel.keys().next().copied().unwrap_or_default();
                let last = group.pel.keys().next_back().copied().unwrap_or_default();
                let owners: Vec<Reply> = group
                    .consumers
                    .iter()
                    .filter(|(_, c)| !c.pel.is_empty())
                    .map(|(n, c)| {
                        Reply::Array(alloc::vec![
                            Reply::Bulk(n.clone()),
                            Reply::Bulk(alloc::format!("{}", c.pel.len()).into_bytes()),
                        ])
                    })
                    .collect();
                Reply::Array(alloc::vec![
                    Reply::Integer(group.pel.len() as i64),
                    id_reply(first),
                    id_reply(last),
                    Reply::Array(owners),
                ])
            }
        }
        Some(x) => {
            let ids: Vec<StreamId> = if x.start > x.end {
                Vec::new()
            } else {
                match x.consumer {
                    Some(c) => group.consumers.get(c).map_or(Vec::new(), |c| c.pel.range(x.start..=x.end).copied().collect()),
                    None => group.pel.range(x.start..=x.end).map(|(id, _)| *id).collect(),
                }
            };
            let mut out = Vec::new();
            for id in ids {
                if out.len() >= x.count {
                    break;
                }
                let Some(p) = group.pel.get(&id) else { continue };
                let idle = now.saturating_sub(p.delivery_ms);
                if idle < x.min_idle {
                    continue;
                }
                out.push(Reply::Array(alloc::vec![
                    id_reply(id),
                    Reply::Bulk(p.consumer.clone()),
                    Reply::Integer(idle as i64),
                    Reply::Integer(p.delivery_count as i64),
                ]));
            }
            Reply::Array(out)
        }
    };
    stream.groups.insert(name.clone(), group);
    Ok(reply.into())
}

// ---------------------------------------------------------------------------
// XCLAIM / XAUTOCLAIM
// ---------------------------------------------------------------------------

/// Gives a pending entry to `consumer` (created on first use).
fn claim(group: &mut ConsumerGroup, id: StreamId, consumer: &[u8], now: u64, delivery_ms: u64, retry: Option<u64>, justid: bool) {
    let (c, _) = group.consumer_or_create(consumer, now);
    c.seen_ms = now;
    let Some(p) = group.pel.get(&id) else { return };
    let previous = p.consumer.clone();
    if previous.as_slice() != consumer {
        if let Some(old) = group.consumers.get_mut(&previous) {
            old.pel.remove(&id);
        }
    }
    if let Some(c) = group.consumers.get_mut(consumer) {
        c.pel.insert(id);
    }
    if let Some(p) = group.pel.get_mut(&id) {
        p.consumer = consumer.to_vec();
        p.delivery_ms = delivery_ms;
        match retry {
            Some(n) => p.delivery_count = n,
            None if !justid => p.delivery_count += 1,
            None => {}
        }
    }
}

/// A claimed entry as XCLAIM and XAUTOCLAIM list it: the ID alone with
/// JUSTID, else the whole entry.
fn claimed_reply(stream: &Stream, id: StreamId, justid: bool) -> Reply {
    if justid {
        id_reply(id)
    } else {
        entry_reply_at(stream, id).unwrap_or(Reply::Nil)
    }
}

/// `XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]`
fn xclaim(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (key, name, consumer) = (&argv[1], &argv[2], &argv[3]);
    let now = ctx.now_ms;
    // Fail on a missing key or group before looking at the arguments.
    group_mut(ctx, key, name, nogroup).map(|(s, g)| {
        s.groups.insert(name.clone(), g);
    })?;
    let min_idle = parse_i64(&argv[4]).ok_or_else(|| Error::text("ERR Invalid min-idle-time argument for XCLAIM"))?.max(0);
    let mut ids = Vec::new();
    let mut i = 5;
    while i < argv.len() {
        match crate::stream::id::parse(&argv[i], 0, true) {
            Ok(id) => ids.push(id),
            Err(()) => break,
        }
        i += 1;
    }
    let mut delivery: Option<i64> = None;
    let mut retry: Option<i64> = None;
    let (mut force, mut justid) = (false, false);
    let mut last_id: Option<StreamId> = None;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        let opt = argv[i].as_slice();
        let number = |what: &str| {
            parse_i64(&argv[i + 1]).ok_or_else(|| Error::Text(alloc::format!("ERR Invalid {} option argument for XCLAIM", what)))
        };
        if eq(opt, "force") {
            force = true;
        } else if eq(opt, "justid") {
            justid = true;
        } else if eq(opt, "idle") && more >= 1 {
            delivery = Some((now as i64).saturating_sub(number("IDLE")?));
            i += 1;
        } else if eq(opt, "time") && more >= 1 {
            delivery = Some(number("TIME")?);
            i += 1;
        } else if eq(opt, "retrycount") && more >= 1 {
            retry = Some(number("RETRYCOUNT")?);
            i += 1;
        } else if eq(opt, "lastid") && more >= 1 {
            last_id = Some(parse_id(&argv[i + 1], 0, true)?);
            i += 1;
        } else {
            return Err(Error::Text(alloc::format!("ERR Unrecognized XCLAIM option '{}'", lossy(opt))));
        }
        i += 1;
    }
    let delivery_ms = match delivery {
        Some(t) if t >= 0 && t as u64 <= now => t as u64,
        _ => now,
    };
    let retry = retry.map(|n| n as u64);
    let (stream, mut group) = group_mut(ctx, key, name, nogroup)?;
    if let Some(last) = last_id {
        if last > group.last_id {
            group.last_id = last;
        }
    }
    let mut out = Vec::new();
    for id in ids {
        let exists = stream.contains(id);
        if force && exists && !group.pel.contains_key(&id) {
            group.pel.insert(id, Pending { delivery_ms: now, delivery_count: 1, consumer: Vec::new() });
        }
        let Some(p) = group.pel.get(&id) else { continue };
        if !exists {
            group.ack(id);
            continue;
        }
        if min_idle > 0 && !p.consumer.is_empty() && (now.saturating_sub(p.delivery_ms) as i64) < min_idle {
            continue;
        }
        claim(&mut group, id, consumer, now, delivery_ms, retry, justid);
        out.push(claimed_reply(stream, id, justid));
    }
    stream.groups.insert(name.clone(), group);
    ctx.db().resized(key);
    Ok(Reply::Array(out).into())
}

/// `XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]`
fn xautoclaim(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (key, name, consumer) = (&argv[1], &argv[2], &argv[3]);
    let now = ctx.now_ms;
    // Unlike XCLAIM, every argument is checked before the key.
    let min_idle = parse_i64(&argv[4]).ok_or_else(|| Error::text("ERR Invalid min-idle-time argument for XAUTOCLAIM"))?.max(0);
    let (start, start_ex) = parse_interval(&argv[5], 0)?;
    let start = exclusive_start(start, start_ex)?;
    let mut count: i64 = 100;
    let mut justid = false;
    let mut i = 6;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        if eq(&argv[i], "count") && more >= 1 {
            // Redis bounds COUNT so that both COUNT * 10 attempts and COUNT
            // 16-byte IDs fit its counters.
            const MAX_COUNT: i64 = i64::MAX / 16;
            count = parse_i64(&argv[i + 1])
                .filter(|n| (1..=MAX_COUNT).contains(n))
                .ok_or_else(|| Error::text("ERR COUNT must be > 0"))?;
            i += 2;
        } else if eq(&argv[i], "justid") {
            justid = true;
            i += 1;
        } else {
            return Err(Error::Syntax);
        }
    }
    let (stream, mut group) = group_mut(ctx, key, name, nogroup)?;
    let mut attempts = count * 10;
    let mut left = count;
    let mut claimed = Vec::new();
    let mut deleted = Vec::new();
    let mut cursor = start;
    let mut next: Option<StreamId> = group.pel.range(cursor..).next().map(|(id, _)| *id);
    while attempts > 0 && left > 0 {
        let Some(id) = next else { break };
        attempts -= 1;
        cursor = id;
        next = id.next().and_then(|after| group.pel.range(after..).next().map(|(id, _)| *id));
        if !stream.contains(id) {
            group.ack(id);
            deleted.push(id_reply(id));
            left -= 1;
            continue;
        }
        let idle = group.pel.get(&id).map_or(0, |p| now.saturating_sub(p.delivery_ms));
        if min_idle > 0 && (idle as i64) < min_idle {
            continue;
        }
        claim(&mut group, id, consumer, now, now, None, justid);
        claimed.push(claimed_reply(stream, id, justid));
        left -= 1;
    }
    let _ = cursor;
    let next_cursor = next.unwrap_or(StreamId::MIN);
    stream.groups.insert(name.clone(), group);
    ctx.db().resized(key);
    Ok(Reply::Array(alloc::vec![id_reply(next_cursor), Reply::Array(claimed), Reply::Array(deleted)]).into())
}
