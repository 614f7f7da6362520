//! Stream commands: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XREAD, XSETID
//! and XINFO, plus the helpers the consumer-group commands share (ID
//! arguments, entry replies, the XREAD/XREADGROUP reader).
//!
//! The log itself lives in [`crate::stream`]; these handlers parse, look the
//! key up, call the store, and shape the reply.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::{flags::*, Block, CommandSpec, Ctx, Group, KeySpec, Outcome};
use crate::args::parse_i64;
use crate::db::Value;
use crate::error::Error;
use crate::reply::{BulkArray, Protocol, Reply};
use crate::stream::listpack::Elem;
use crate::stream::store::Pairs;
use crate::stream::{id, AddId, Entry, NodeLimits, Stream, StreamId, TrimStrategy, INVALID_ENTRIES_READ};

macro_rules! row {
    ($name:expr, $arity:expr, $flags:expr, $keys:expr, $since:expr, $summary:expr, $handler:expr) => {
        row!($name, $arity, $flags, $keys, $since, $summary, $handler, &[])
    };
    ($name:expr, $arity:expr, $flags:expr, $keys:expr, $since:expr, $summary:expr, $handler:expr, $subs:expr) => {
        CommandSpec {
            name: $name,
            arity: $arity,
            flags: $flags,
            keys: $keys,
            group: Group::Stream,
            since: $since,
            summary: $summary,
            handler: $handler,
            subcommands: $subs,
        }
    };
}
pub(crate) use row;

/// XREAD's keys are found after STREAMS, so they are not described by a range.
const MOVABLE: KeySpec = KeySpec::NONE;
const XINFO_KEY: KeySpec = KeySpec { first: 2, last: 2, step: 1 };

pub const COMMANDS: &[CommandSpec] = &[
    row!(
        "xadd",
        -5,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        "5.0.0",
        "Appends a new entry to a stream",
        xadd
    ),
    row!("xlen", 2, READONLY | FAST, KeySpec::ONE, "5.0.0", "Return the number of entries in a stream", xlen),
    row!(
        "xrange",
        -4,
        READONLY,
        KeySpec::ONE,
        "5.0.0",
        "Return a range of elements in a stream, with IDs matching the specified IDs interval",
        xrange
    ),
    row!(
        "xrevrange",
        -4,
        READONLY,
        KeySpec::ONE,
        "5.0.0",
        "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
        xrevrange
    ),
    row!(
        "xdel",
        -3,
        WRITE | FAST,
        KeySpec::ONE,
        "5.0.0",
        "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
        xdel
    ),
    row!(
        "xtrim",
        -4,
        WRITE,
        KeySpec::ONE,
        "5.0.0",
        "Trims the stream to (approximately if '~' is passed) a certain size",
        xtrim
    ),
    row!(
        "xread",
        -4,
        READONLY | BLOCKING | MOVABLE_KEYS,
        MOVABLE,
        "5.0.0",
        "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
        xread
    ),
    row!(
        "xsetid",
        -3,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        "5.0.0",
        "An internal command for replicating stream values",
        xsetid
    ),
    row!("xinfo", -2, 0, KeySpec::NONE, "5.0.0", "A container for stream introspection commands", container, XINFO),
];

const XINFO: &[CommandSpec] = &[
    row!(
        "consumers",
        4,
        READONLY,
        XINFO_KEY,
        "5.0.0",
        "List the consumers in a consumer group",
        xinfo_consumers
    ),
    row!("groups", 3, READONLY, XINFO_KEY, "5.0.0", "List the consumer groups of a stream", xinfo_groups),
    row!("help", 2, LOADING | STALE, KeySpec::NONE, "5.0.0", "Show helpful text about the different subcommands", xinfo_help),
    row!(
        "stream",
        -3,
        READONLY,
        XINFO_KEY,
        "5.0.0",
        "Get information about a stream",
        xinfo_stream
    ),
];

/// The node resolves subcommands before calling; this never runs.
pub(crate) fn container(_ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Err(Error::Syntax)
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

pub(crate) fn invalid_id() -> Error {
    Error::text("ERR Invalid stream ID specified as stream command argument")
}

/// An ID argument; `strict` refuses `-` and `+`.
pub(crate) fn parse_id(arg: &[u8], missing_seq: u64, strict: bool) -> Result<StreamId, Error> {
    id::parse(arg, missing_seq, strict).map_err(|_| invalid_id())
}

/// A range bound: an ID, `-`/`+`, or `(ID` for an exclusive bound.
pub(crate) fn parse_interval(arg: &[u8], missing_seq: u64) -> Result<(StreamId, bool), Error> {
    match arg.split_first() {
        Some((b'(', rest)) if !rest.is_empty() => Ok((parse_id(rest, missing_seq, true)?, true)),
        _ => Ok((parse_id(arg, missing_seq, false)?, false)),
    }
}

/// Applies an exclusive start bound.
pub(crate) fn exclusive_start(id: StreamId, exclusive: bool) -> Result<StreamId, Error> {
    if !exclusive {
        return Ok(id);
    }
    id.next().ok_or_else(|| Error::text("ERR invalid start ID for the interval"))
}

/// A `start end` pair of range bounds (XRANGE, XPENDING) as the inclusive
/// IDs they stand for; an incomplete end ID covers every sequence number.
pub(crate) fn parse_range(start_arg: &[u8], end_arg: &[u8]) -> Result<(StreamId, StreamId), Error> {
    let (start, start_ex) = parse_interval(start_arg, 0)?;
    let start = exclusive_start(start, start_ex)?;
    let (end, end_ex) = parse_interval(end_arg, u64::MAX)?;
    let end = if end_ex { end.prev().ok_or_else(|| Error::text("ERR invalid end ID for the interval"))? } else { end };
    Ok((start, end))
}

pub(crate) fn id_reply(id: StreamId) -> Reply {
    Reply::Bulk(id.to_bytes())
}

/// `[id, [field, value, ...]]`.
pub(crate) fn entry_reply((id, fields): Entry) -> Reply {
    let mut flat = Vec::with_capacity(fields.len() * 2);
    for (f, v) in fields {
        flat.push(Reply::Bulk(f));
        flat.push(Reply::Bulk(v));
    }
    Reply::Array(alloc::vec![id_reply(id), Reply::Array(flat)])
}

pub(crate) fn entries_reply(entries: Vec<Entry>) -> Reply {
    Reply::Array(entries.into_iter().map(entry_reply).collect())
}

/// Up to `count` entries (0: all) of `start..=end` as XRANGE replies them,
/// written from the nodes straight into wire form; `visit` sees each ID.
pub(crate) fn range_reply(stream: &Stream, start: StreamId, end: StreamId, rev: bool, count: usize, mut visit: impl FnMut(StreamId)) -> BulkArray {
    // About what `[id, [field, value, ...]]` of three small fields takes.
    const ENTRY_BYTES_GUESS: usize = 88;
    let expected = if count == 0 { stream.len() as usize } else { count.min(stream.len() as usize) };
    let mut out = BulkArray::with_capacity(expected, ENTRY_BYTES_GUESS);
    let mut entries = stream.range(start, end, rev);
    while count == 0 || out.len() < count {
        let Some((id, pairs)) = entries.next_in_place() else { break };
        out.push_array(2);
        push_id_item(&mut out, id);
        push_pairs(&mut out, pairs);
        visit(id);
    }
    out
}

/// The live entry `id` as `[id, [field, value, ...]]` in wire form.
pub(crate) fn entry_reply_at(stream: &Stream, id: StreamId) -> Option<Reply> {
    let mut entries = stream.range(id, id, false);
    let (id, pairs) = entries.next_in_place()?;
    let mut out = BulkArray::with_capacity(2, 40);
    out.push(&id.to_bytes());
    out.push_array(pairs.pair_count() * 2);
    push_pairs_items(&mut out, pairs);
    Some(Reply::BulkArray(out))
}

/// Writes `[field, value, ...]` as an item of the current element.
fn push_pairs(out: &mut BulkArray, pairs: Pairs<'_>) {
    out.push_item_array(pairs.pair_count() * 2);
    push_pairs_items(out, pairs);
}

fn push_pairs_items(out: &mut BulkArray, pairs: Pairs<'_>) {
    for (field, value) in pairs {
        push_elem_item(out, field);
        push_elem_item(out, value);
    }
}

/// A node element as the bulk string it was added as.
fn push_elem_item(out: &mut BulkArray, elem: Elem<'_>) {
    match elem {
        Elem::Str(bytes) => out.push_item(bytes),
        Elem::Int(n) => {
            let mut buf = [0u8; 21];
            let mut at = digits_back(n.unsigned_abs(), &mut buf, 21);
            if n < 0 {
                at -= 1;
                buf[at] = b'-';
            }
            out.push_item(&buf[at..]);
        }
    }
}

/// `<ms>-<seq>` as a bulk string item, formatted on the stack.
fn push_id_item(out: &mut BulkArray, id: StreamId) {
    let mut buf = [0u8; 41];
    let mut at = digits_back(id.seq, &mut buf, 41);
    at -= 1;
    buf[at] = b'-';
    at = digits_back(id.ms, &mut buf, at);
    out.push_item(&buf[at..]);
}

/// Writes `n` in decimal so that it ends just before `end`; returns where it starts.
fn digits_back(mut n: u64, buf: &mut [u8], mut end: usize) -> usize {
    loop {
        end -= 1;
        buf[end] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return end;
        }
    }
}

pub(crate) fn is_resp3(ctx: &Ctx) -> bool {
    ctx.node.client(ctx.client).is_some_and(|c| c.protocol == Protocol::Resp3)
}

pub(crate) fn node_limits(ctx: &Ctx) -> NodeLimits {
    let config = &ctx.node.config;
    NodeLimits {
        max_entries: u64::try_from(config.stream_node_max_entries).unwrap_or(0),
        max_bytes: u64::try_from(config.stream_node_max_bytes).unwrap_or(0),
    }
}

/// The stream at `key` (an access): `None` if missing, WRONGTYPE if another type.
pub(crate) fn stream_mut<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut Stream>, Error> {
    let now = ctx.now_ms;
    match ctx.db().get_mut(key, now) {
        None => Ok(None),
        Some(Value::Stream(s)) => Ok(Some(s)),
        Some(_) => Err(Error::WrongType),
    }
}

/// Creates an empty stream at `key` (which must be missing).
pub(crate) fn create_stream(ctx: &mut Ctx, key: &[u8]) {
    ctx.db().set(key, Value::Stream(Box::new(Stream::new())));
}

pub(crate) fn eq(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

/// `ERR unknown subcommand or wrong number of arguments for '<sub>'. Try <CMD> HELP.`
pub(crate) fn subcommand_syntax(argv: &[Vec<u8>]) -> Error {
    let sub = argv.get(1).map_or(&[][..], |s| s.as_slice());
    let end = sub.iter().position(|&b| b == 0).unwrap_or(sub.len()).min(128);
    let mut cmd = alloc::string::String::from_utf8_lossy(argv.first().map_or(&[][..], |s| s.as_slice())).into_owned();
    cmd.make_ascii_uppercase();
    Error::Text(alloc::format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        alloc::string::String::from_utf8_lossy(&sub[..end]),
        cmd
    ))
}

// ---------------------------------------------------------------------------
// XADD / XTRIM
// ---------------------------------------------------------------------------

/// Options shared by XADD and XTRIM.
struct TrimArgs {
    strategy: Option<TrimStrategy>,
    approx: bool,
    /// Entries a `~` trim may remove at most (0: no limit).
    limit: u64,
    nomkstream: bool,
    /// XADD only: where the ID is and what it says.
    id: Option<(usize, AddId)>,
}

fn parse_trim_args(argv: &[Vec<u8>], xadd: bool, node_max_entries: i64) -> Result<TrimArgs, Error> {
    let mut args = TrimArgs { strategy: None, approx: false, limit: 0, nomkstream: false, id: None };
    let mut limit: Option<i64> = None;
    let both = || Error::text("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
    let mut i = 2;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        let opt = argv[i].as_slice();
        if xadd && opt == b"*" {
            args.id = Some((i, AddId::Auto));
            break;
        } else if (eq(opt, "maxlen") || eq(opt, "minid")) && more >= 1 {
            if args.strategy.is_some() {
                return Err(both());
            }
            args.approx = false;
            let next = argv[i + 1].as_slice();
            if more >= 2 && (next == b"~" || next == b"=") {
                args.approx = next == b"~";
                i += 1;
            }
            let threshold = argv[i + 1].as_slice();
            args.strategy = Some(if eq(opt, "maxlen") {
                let n = parse_i64(threshold).ok_or(Error::NotInteger)?;
                if n < 0 {
                    return Err(Error::text("ERR The MAXLEN argument must be >= 0."));
                }
                TrimStrategy::MaxLen(n as u64)
            } else {
                TrimStrategy::MinId(parse_id(threshold, 0, true)?)
            });
            i += 1;
        } else if eq(opt, "limit") && more >= 1 {
            let n = parse_i64(&argv[i + 1]).ok_or(Error::NotInteger)?;
            if n < 0 {
                return Err(Error::text("ERR The LIMIT argument must be >= 0."));
            }
            limit = Some(n);
            i += 1;
        } else if xadd && eq(opt, "nomkstream") {
            args.nomkstream = true;
        } else if xadd {
            let spec = id::parse_for_add(opt).map_err(|_| invalid_id())?;
            args.id = Some((i, spec));
            break;
        } else {
            return Err(Error::Syntax);
        }
        i += 1;
    }
    if limit.is_some() && args.strategy.is_none() {
        return Err(Error::text("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"));
    }
    if limit.is_some() && !args.approx {
        return Err(Error::text("ERR syntax error, LIMIT cannot be used without the special ~ option"));
    }
    if !xadd && args.strategy.is_none() {
        return Err(Error::Syntax);
    }
    if args.approx {
        args.limit = match limit {
            Some(n) => n as u64,
            None => {
                let default = node_max_entries.saturating_mul(100);
                if default <= 0 {
                    10_000
                } else {
                    default as u64
                }
            }
        };
    }
    Ok(args)
}

/// `XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]`
fn xadd(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let args = parse_trim_args(argv, true, ctx.node.config.stream_node_max_entries)?;
    let Some((id_pos, spec)) = args.id else { return Err(Error::WrongArity("xadd".into())) };
    let fields = argv.get(id_pos + 1..).unwrap_or(&[]);
    if fields.len() < 2 || fields.len() % 2 == 1 {
        return Err(Error::WrongArity("xadd".into()));
    }
    if spec == AddId::Explicit(StreamId::MIN) {
        return Err(Error::text("ERR The ID specified in XADD must be greater than 0-0"));
    }
    let key = &argv[1];
    let limits = node_limits(ctx);
    let now = ctx.now_ms;
    // One lookup when the stream exists (the usual case).
    let appended = match stream_mut(ctx, key)? {
        Some(stream) => Some(append_and_trim(stream, spec, fields, now, limits, &args)?),
        None => None,
    };
    let id = match appended {
        Some(id) => id,
        None if args.nomkstream => return Ok(Reply::Nil.into()),
        None => {
            create_stream(ctx, key);
            let Some(stream) = stream_mut(ctx, key)? else { return Ok(Reply::Nil.into()) };
            append_and_trim(stream, spec, fields, now, limits, &args)?
        }
    };
    ctx.db().touch(key);
    Ok(id_reply(id).into())
}

/// XADD's work on the stream: the entry, then the trimming asked for.
fn append_and_trim(stream: &mut Stream, spec: AddId, fields: &[Vec<u8>], now: u64, limits: NodeLimits, args: &TrimArgs) -> Result<StreamId, Error> {
    if stream.last_id == StreamId::MAX {
        return Err(Error::text("ERR The stream has exhausted the last possible ID, unable to add more items"));
    }
    let id = stream.append(spec, fields, now, limits).map_err(|e| match e {
        crate::stream::store::AppendError::NotGreater => {
            Error::text("ERR The ID specified in XADD is equal or smaller than the target stream top item")
        }
        crate::stream::store::AppendError::TooLarge => Error::text("ERR Elements are too large to be stored"),
    })?;
    if let Some(strategy) = args.strategy {
        stream.trim(strategy, args.approx, args.limit);
    }
    Ok(id)
}

/// `XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]`
fn xtrim(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let args = parse_trim_args(argv, false, ctx.node.config.stream_node_max_entries)?;
    let key = &argv[1];
    let Some(stream) = stream_mut(ctx, key)? else { return Ok(Reply::Integer(0).into()) };
    let Some(strategy) = args.strategy else { return Err(Error::Syntax) };
    let removed = stream.trim(strategy, args.approx, args.limit);
    if removed > 0 {
        ctx.db().touch_quietly(key);
    }
    Ok(Reply::Integer(removed as i64).into())
}

/// `XLEN key`
fn xlen(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let len = stream_mut(ctx, &argv[1])?.map_or(0, |s| s.len());
    Ok(Reply::Integer(len as i64).into())
}

// ---------------------------------------------------------------------------
// XRANGE / XREVRANGE / XDEL
// ---------------------------------------------------------------------------

fn range_generic(ctx: &mut Ctx, argv: &[Vec<u8>], rev: bool) -> Result<Outcome, Error> {
    let (start_arg, end_arg) = if rev { (&argv[3], &argv[2]) } else { (&argv[2], &argv[3]) };
    let (start, end) = parse_range(start_arg, end_arg)?;
    let mut count: Option<i64> = None;
    let mut i = 4;
    while i < argv.len() {
        if eq(&argv[i], "count") && i + 1 < argv.len() {
            count = Some(parse_i64(&argv[i + 1]).ok_or(Error::NotInteger)?.max(0));
            i += 2;
        } else {
            return Err(Error::Syntax);
        }
    }
    // The key is looked up before COUNT 0 is answered.
    let Some(stream) = stream_mut(ctx, &argv[1])? else { return Ok(Reply::Array(Vec::new()).into()) };
    if count == Some(0) {
        return Ok(Reply::NilArray.into());
    }
    let entries = range_reply(stream, start, end, rev, count.unwrap_or(0) as usize, |_| {});
    Ok(Reply::BulkArray(entries).into())
}

/// `XRANGE key start end [COUNT count]`
fn xrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    range_generic(ctx, argv, false)
}

/// `XREVRANGE key end start [COUNT count]`
fn xrevrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    range_generic(ctx, argv, true)
}

/// `XDEL key id [id ...]`
fn xdel(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let key = &argv[1];
    if stream_mut(ctx, key)?.is_none() {
        return Ok(Reply::Integer(0).into());
    }
    let ids = argv[2..].iter().map(|a| parse_id(a, 0, true)).collect::<Result<Vec<_>, _>>()?;
    let Some(stream) = stream_mut(ctx, key)? else { return Ok(Reply::Integer(0).into()) };
    let deleted = ids.into_iter().filter(|&id| stream.delete(id)).count();
    if deleted > 0 {
        ctx.db().touch_quietly(key);
    }
    Ok(Reply::Integer(deleted as i64).into())
}

// ---------------------------------------------------------------------------
// XSETID
// ---------------------------------------------------------------------------

/// `XSETID key last-id [ENTRIESADDED entries_added] [MAXDELETEDID max_deleted_entry_id]`
fn xsetid(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let key = &argv[1];
    let id = parse_id(&argv[2], 0, true)?;
    let mut entries_added: Option<u64> = None;
    let mut max_deleted: Option<StreamId> = None;
    let mut i = 3;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        if eq(&argv[i], "entriesadded") && more >= 1 {
            let n = parse_i64(&argv[i + 1]).ok_or(Error::NotInteger)?;
            if n < 0 {
                return Err(Error::text("ERR entries_added must be positive"));
            }
            entries_added = Some(n as u64);
        } else if eq(&argv[i], "maxdeletedid") && more >= 1 {
            let max = parse_id(&argv[i + 1], 0, true)?;
            if id < max {
                return Err(Error::text("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"));
            }
            max_deleted = Some(max);
        } else {
            return Err(Error::Syntax);
        }
        i += 2;
    }
    let Some(stream) = stream_mut(ctx, key)? else { return Err(Error::NoSuchKey) };
    if !stream.is_empty() {
        let top = stream.edge(true).map_or(StreamId::MIN, |(top, _)| top);
        if id < top {
            return Err(Error::text("ERR The ID specified in XSETID is smaller than the target stream top item"));
        }
        if entries_added.is_some_and(|n| stream.len() > n) {
            return Err(Error::text(
                "ERR The entries_added specified in XSETID is smaller than the target stream length",
            ));
        }
    }
    stream.set_id(id, entries_added, max_deleted);
    ctx.db().resized(key);
    super::ok()
}

// ---------------------------------------------------------------------------
// XREAD and XREADGROUP
// ---------------------------------------------------------------------------

/// Where a reader starts in one stream (`$` is resolved to `After`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum ReadFrom {
    /// Entries after this ID.
    After(StreamId),
    /// `>`: entries never delivered to the group.
    New,
}

struct ReadArgs<'a> {
    count: usize,
    /// Milliseconds; `Some(0)` blocks forever.
    block: Option<u64>,
    group: Option<(&'a [u8], &'a [u8])>,
    noack: bool,
    /// Index of the first key in argv.
    keys_at: usize,
    streams: usize,
}

fn parse_read_args(argv: &[Vec<u8>], xreadgroup: bool) -> Result<ReadArgs<'_>, Error> {
    let mut args = ReadArgs { count: 0, block: None, group: None, noack: false, keys_at: 0, streams: 0 };
    let mut i = 1;
    while i < argv.len() {
        let more = argv.len() - 1 - i;
        let opt = argv[i].as_slice();
        if eq(opt, "block") && more >= 1 {
            let ms = parse_i64(&argv[i + 1]).ok_or_else(|| Error::text("ERR timeout is not an integer or out of range"))?;
            if ms < 0 {
                return Err(Error::text("ERR timeout is negative"));
            }
            args.block = Some(ms as u64);
            i += 1;
        } else if eq(opt, "count") && more >= 1 {
            let n = parse_i64(&argv[i + 1]).ok_or(Error::NotInteger)?;
            args.count = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
            i += 1;
        } else if eq(opt, "streams") && more >= 1 {
            args.keys_at = i + 1;
            let rest = argv.len() - args.keys_at;
            if !rest.is_multiple_of(2) {
                // Redis 7.0 names XREAD in this message for XREADGROUP too.
                return Err(Error::text(
                    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                ));
            }
            args.streams = rest / 2;
            break;
        } else if eq(opt, "group") && more >= 2 {
            if !xreadgroup {
                return Err(Error::text("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."));
            }
            args.group = Some((&argv[i + 1], &argv[i + 2]));
            i += 2;
        } else if eq(opt, "noack") {
            if !xreadgroup {
                return Err(Error::text("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."));
            }
            args.noack = true;
        } else {
            return Err(Error::Syntax);
        }
        i += 1;
    }
    if args.keys_at == 0 {
        return Err(Error::Syntax);
    }
    if xreadgroup && args.group.is_none() {
        return Err(Error::text("ERR Missing GROUP option for XREADGROUP"));
    }
    Ok(args)
}

fn nogroup_read(key: &[u8], group: &[u8]) -> Error {
    let mut text = b"NOGROUP No such key '".to_vec();
    text.extend_from_slice(key);
    text.extend_from_slice(b"' or consumer group '");
    text.extend_from_slice(group);
    text.extend_from_slice(b"' in XREADGROUP with GROUP option");
    Error::Text(alloc::string::String::from_utf8_lossy(&text).into_owned())
}

/// `XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]`
fn xread(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    read_generic(ctx, argv, false)
}

/// XREAD and XREADGROUP: parse, check every stream, serve what is there,
/// or block. A blocked reader runs again when one of its keys is signalled
/// (see [`serve_woken`]).
pub(crate) fn read_generic(ctx: &mut Ctx, argv: &[Vec<u8>], xreadgroup: bool) -> Result<Outcome, Error> {
    let args = parse_read_args(argv, xreadgroup)?;
    let keys = &argv[args.keys_at..args.keys_at + args.streams];
    let id_args = &argv[args.keys_at + args.streams..];
    if ctx.serving_blocked {
        return serve_woken(ctx, &args, keys, id_args);
    }
    // Check every stream and read its ID argument first; `$` is the
    // stream's last ID now (0-0 for a missing key). Serving reads them again
    // rather than keeping them: nothing in between changes what they say.
    for (key, id_arg) in keys.iter().zip(id_args) {
        resolve_from(ctx, key, id_arg, args.group)?;
    }
    let mut served: Vec<(Reply, Reply)> = Vec::new();
    for (key, id_arg) in keys.iter().zip(id_args) {
        let from = match id_arg.as_slice() {
            b"$" => resolve_from(ctx, key, id_arg, args.group)?,
            arg => read_from(arg, xreadgroup)?,
        };
        let reply = match args.group {
            Some((group, consumer)) => read_group(ctx, key, group, consumer, from, args.count, args.noack)?,
            None => read_plain(ctx, key, from, args.count)?,
        };
        if let Some(entries) = reply {
            served.push((Reply::Bulk(key.clone()), entries));
        }
    }
    if !served.is_empty() {
        return Ok(read_reply(ctx, served).into());
    }
    match args.block {
        Some(timeout) if ctx.may_block => {
            // The re-run reads the IDs `$` stood for now.
            if id_args.iter().any(|a| a.as_slice() == b"$") {
                let mut rerun = argv.to_vec();
                for (i, (key, id_arg)) in keys.iter().zip(id_args).enumerate() {
                    if let ReadFrom::After(id) = resolve_from(ctx, key, id_arg, args.group)? {
                        rerun[args.keys_at + args.streams + i] = id.to_bytes();
                    }
                }
                ctx.client_state()?.rerun_argv = Some(rerun);
            }
            let deadline_ms = if timeout == 0 { None } else { Some(ctx.now_ms.saturating_add(timeout)) };
            Ok(Outcome::Block(Block { keys: keys.to_vec(), deadline_ms, on_timeout: Reply::NilArray }))
        }
        _ => Ok(Reply::NilArray.into()),
    }
}

/// Where a reader starts in the stream at `key`, checking that the stream
/// has the group (for XREADGROUP) and resolving `$` to its last ID.
fn resolve_from(ctx: &mut Ctx, key: &[u8], id_arg: &[u8], group: Option<(&[u8], &[u8])>) -> Result<ReadFrom, Error> {
    let stream = stream_mut(ctx, key)?;
    if let Some((group, _)) = group {
        if !stream.as_ref().is_some_and(|s| s.groups.contains_key(group)) {
            return Err(nogroup_read(key, group));
        }
    }
    if id_arg == b"$" {
        if group.is_some() {
            return Err(Error::text("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."));
        }
        return Ok(ReadFrom::After(stream.map_or(StreamId::MIN, |s| s.last_id)));
    }
    read_from(id_arg, group.is_some())
}

/// An ID argument other than `$`. For XREADGROUP, `>` and the largest ID
/// both mean new entries (Redis 7.0 marks `>` with that ID internally).
fn read_from(arg: &[u8], xreadgroup: bool) -> Result<ReadFrom, Error> {
    if arg == b">" {
        if !xreadgroup {
            return Err(Error::text("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."));
        }
        return Ok(ReadFrom::New);
    }
    let id = parse_id(arg, 0, true)?;
    Ok(if xreadgroup && id == StreamId::MAX { ReadFrom::New } else { ReadFrom::After(id) })
}

/// A blocked reader whose key was signalled (by XADD, XGROUP DESTROY, or
/// the key being created, deleted or overwritten). As in Redis 7.0 only that
/// key is looked at, with the first ID the reader gave for it (a group
/// reader waits behind its group's last ID): it is answered as soon as the
/// stream's last ID is past that point, even when every entry after it is
/// gone (the reply then lists the key with no entries).
fn serve_woken(ctx: &mut Ctx, args: &ReadArgs<'_>, keys: &[Vec<u8>], id_args: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let ready = ctx.ready_key.map(|k| k.to_vec());
    let Some(at) = ready.as_ref().and_then(|r| keys.iter().position(|k| k == r)) else { return Ok(keep_blocking()) };
    let key = &keys[at];
    let from = read_from(&id_args[at], args.group.is_some())?;
    let stream = match stream_mut(ctx, key) {
        Ok(Some(stream)) => stream,
        // XREAD keeps waiting for the key to become a stream again.
        _ if args.group.is_none() => return Ok(keep_blocking()),
        _ => return Err(Error::text("UNBLOCKED the stream key no longer exists")),
    };
    let entries = match (args.group, from) {
        (Some((group_name, consumer)), _) => {
            let Some(mut group) = stream.groups.remove(group_name) else {
                return Err(Error::text("NOGROUP the consumer group this client was blocked on no longer exists"));
            };
            let served = (stream.last_id > group.last_id).then(|| {
                group.see_consumer(consumer, now);
                deliver_new(stream, &mut group, consumer, now, args.count, args.noack)
            });
            stream.groups.insert(group_name.to_vec(), group);
            served
        }
        (None, ReadFrom::After(after)) => (stream.last_id > after).then(|| {
            // Past the largest ID Redis starts again from 0-0.
            let start = after.next().unwrap_or(StreamId::MIN);
            range_reply(stream, start, StreamId::MAX, false, args.count, |_| {})
        }),
        (None, ReadFrom::New) => None,
    };
    if args.group.is_some() {
        ctx.db().resized(key);
    }
    match entries {
        Some(entries) => Ok(read_reply(ctx, alloc::vec![(Reply::Bulk(key.clone()), Reply::BulkArray(entries))]).into()),
        None => Ok(keep_blocking()),
    }
}

/// What a re-run returns to keep its client waiting (the node keeps the
/// original keys and deadline).
fn keep_blocking() -> Outcome {
    Outcome::Block(Block { keys: Vec::new(), deadline_ms: None, on_timeout: Reply::NilArray })
}

fn read_reply(ctx: &Ctx, served: Vec<(Reply, Reply)>) -> Reply {
    if is_resp3(ctx) {
        Reply::Map(served)
    } else {
        Reply::Array(served.into_iter().map(|(k, v)| Reply::Array(alloc::vec![k, v])).collect())
    }
}

/// XREAD on one stream: the entries after the ID, or `None` if there are none.
fn read_plain(ctx: &mut Ctx, key: &[u8], from: ReadFrom, count: usize) -> Result<Option<Reply>, Error> {
    let ReadFrom::After(after) = from else { return Ok(None) };
    let Some(stream) = stream_mut(ctx, key)? else { return Ok(None) };
    let Some(start) = after.next() else { return Ok(None) };
    let entries = range_reply(stream, start, StreamId::MAX, false, count, |_| {});
    Ok(if entries.is_empty() { None } else { Some(Reply::BulkArray(entries)) })
}

/// Up to `count` entries after the group's last ID, delivered to `consumer`
/// (created, and marked seen, at the first one): the group moves past them
/// and, without NOACK, they become pending for the consumer.
fn deliver_new(
    stream: &Stream,
    group: &mut crate::stream::ConsumerGroup,
    consumer: &[u8],
    now: u64,
    count: usize,
    noack: bool,
) -> BulkArray {
    // Nothing comes after the largest ID.
    let Some(start) = group.last_id.next() else { return BulkArray::default() };
    let mut seen = false;
    range_reply(stream, start, StreamId::MAX, false, count, |id| {
        if !seen {
            group.see_consumer(consumer, now);
            seen = true;
        }
        stream.advance_group(group, id);
        if !noack {
            group.deliver_new(id, consumer, now);
        }
    })
}

/// XREADGROUP on one stream: new entries (`>`), served only when there are
/// some (the consumer is not created otherwise), or the consumer's pending
/// entries after an ID (always replied).
fn read_group(
    ctx: &mut Ctx,
    key: &[u8],
    group_name: &[u8],
    consumer: &[u8],
    from: ReadFrom,
    count: usize,
    noack: bool,
) -> Result<Option<Reply>, Error> {
    let now = ctx.now_ms;
    let Some(stream) = stream_mut(ctx, key)? else { return Ok(None) };
    // The groups are set aside while the stream is read (no key copied).
    let mut groups = core::mem::take(&mut stream.groups);
    let Some(group) = groups.get_mut(group_name) else {
        stream.groups = groups;
        return Ok(None);
    };
    let reply = match from {
        ReadFrom::New => {
            // Served only when some entry is past the group's last ID.
            let delivered = deliver_new(stream, group, consumer, now, count, noack);
            if delivered.is_empty() {
                None
            } else {
                Some(Reply::BulkArray(delivered))
            }
        }
        ReadFrom::After(after) => {
            let (c, _) = group.consumer_or_create(consumer, now);
            c.seen_ms = now;
            let ids: Vec<StreamId> = match after.next() {
                Some(start) => {
                    let iter = c.pel.range(start..).copied();
                    if count == 0 {
                        iter.collect()
                    } else {
                        iter.take(count).collect()
                    }
                }
                None => Vec::new(),
            };
            let mut items = Vec::with_capacity(ids.len());
            for id in ids {
                match entry_reply_at(stream, id) {
                    Some(entry) => {
                        if let Some(p) = group.pel.get_mut(&id) {
                            p.delivery_ms = now;
                            p.delivery_count += 1;
                        }
                        items.push(entry);
                    }
                    None => items.push(Reply::Array(alloc::vec![id_reply(id), Reply::NilArray])),
                }
            }
            Some(Reply::Array(items))
        }
    };
    stream.groups = groups;
    // The PEL may have grown; Redis signals no change (WATCH keeps).
    ctx.db().resized(key);
    Ok(reply)
}

// ---------------------------------------------------------------------------
// XINFO
// ---------------------------------------------------------------------------

fn nogroup_info(key: &[u8], group: &[u8]) -> Error {
    Error::Text(alloc::format!(
        "NOGROUP No such consumer group '{}' for key name '{}'",
        alloc::string::String::from_utf8_lossy(group),
        alloc::string::String::from_utf8_lossy(key)
    ))
}

pub(crate) fn field(name: &str, value: Reply) -> (Reply, Reply) {
    (Reply::bulk(name.as_bytes()), value)
}

fn entries_read_reply(n: i64) -> Reply {
    if n == INVALID_ENTRIES_READ {
        Reply::Nil
    } else {
        Reply::Integer(n)
    }
}

fn lag_reply(lag: Option<i64>) -> Reply {
    lag.map_or(Reply::Nil, Reply::Integer)
}

/// `XINFO STREAM key [FULL [COUNT count]]`
fn xinfo_stream(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let mut full = false;
    let mut count: usize = 10;
    if argv.len() > 3 {
        if argv.len() > 6 || !eq(&argv[3], "full") {
            return Err(subcommand_syntax(argv));
        }
        full = true;
        if argv.len() > 4 {
            if argv.len() != 6 || !eq(&argv[4], "count") {
                return Err(subcommand_syntax(argv));
            }
            let n = parse_i64(&argv[5]).ok_or(Error::NotInteger)?;
            count = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
        }
    }
    let Some(stream) = stream_mut(ctx, &argv[2])? else { return Err(Error::NoSuchKey) };
    let mut info = alloc::vec![
        field("length", Reply::Integer(stream.len() as i64)),
        field("radix-tree-keys", Reply::Integer(stream.node_count() as i64)),
        field("radix-tree-nodes", Reply::Integer(stream.radix_tree_nodes() as i64)),
        field("last-generated-id", id_reply(stream.last_id)),
        field("max-deleted-entry-id", id_reply(stream.max_deleted_id)),
        field("entries-added", Reply::Integer(stream.entries_added as i64)),
        field("recorded-first-entry-id", id_reply(stream.first_id)),
    ];
    if !full {
        info.push(field("groups", Reply::Integer(stream.groups.len() as i64)));
        let edge = |last| stream.edge(last).map_or(Reply::Nil, entry_reply);
        info.push(field("first-entry", edge(false)));
        info.push(field("last-entry", edge(true)));
        return Ok(Reply::Map(info).into());
    }
    info.push(field("entries", entries_reply(stream.collect_range(StreamId::MIN, StreamId::MAX, false, count))));
    let limit = |n: usize| if count == 0 { n } else { n.min(count) };
    let mut groups = Vec::new();
    for (name, group) in &stream.groups {
        let pending: Vec<Reply> = group
            .pel
            .iter()
            .take(limit(group.pel.len()))
            .map(|(id, p)| {
                Reply::Array(alloc::vec![
                    id_reply(*id),
                    Reply::Bulk(p.consumer.clone()),
                    Reply::Integer(p.delivery_ms as i64),
                    Reply::Integer(p.delivery_count as i64),
                ])
            })
            .collect();
        let consumers: Vec<Reply> = group
            .consumers
            .iter()
            .map(|(cname, c)| {
                let pel: Vec<Reply> = c
                    .pel
                    .iter()
                    .take(limit(c.pel.len()))
                    .filter_map(|id| group.pel.get(id).map(|p| (id, p)))
                    .map(|(id, p)| {
                        Reply::Array(alloc::vec![
                            id_reply(*id),
                            Reply::Integer(p.delivery_ms as i64),
                            Reply::Integer(p.delivery_count as i64),
                        ])
                    })
                    .collect();
                Reply::Map(alloc::vec![
                    field("name", Reply::Bulk(cname.clone())),
                    field("seen-time", Reply::Integer(c.seen_ms as i64)),
                    field("pel-count", Reply::Integer(c.pel.len() as i64)),
                    field("pending", Reply::Array(pel)),
                ])
            })
            .collect();
        groups.push(Reply::Map(alloc::vec![
            field("name", Reply::Bulk(name.clone())),
            field("last-delivered-id", id_reply(group.last_id)),
            field("entries-read", entries_read_reply(group.entries_read)),
            field("lag", lag_reply(stream.group_lag(group))),
            field("pel-count", Reply::Integer(group.pel.len() as i64)),
            field("pending", Reply::Array(pending)),
            field("consumers", Reply::Array(consumers)),
        ]));
    }
    let _ = now;
    info.push(field("groups", Reply::Array(groups)));
    Ok(Reply::Map(info).into())
}

/// `XINFO GROUPS key`
fn xinfo_groups(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let Some(stream) = stream_mut(ctx, &argv[2])? else { return Err(Error::NoSuchKey) };
    let groups = stream
        .groups
        .iter()
        .map(|(name, group)| {
            Reply::Map(alloc::vec![
                field("name", Reply::Bulk(name.clone())),
                field("consumers", Reply::Integer(group.consumers.len() as i64)),
                field("pending", Reply::Integer(group.pel.len() as i64)),
                field("last-delivered-id", id_reply(group.last_id)),
                field("entries-read", entries_read_reply(group.entries_read)),
                field("lag", lag_reply(stream.group_lag(group))),
            ])
        })
        .collect();
    Ok(Reply::Array(groups).into())
}

/// `XINFO CONSUMERS key groupname`
fn xinfo_consumers(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let (key, group_name) = (&argv[2], &argv[3]);
    let Some(stream) = stream_mut(ctx, key)? else { return Err(Error::NoSuchKey) };
    let Some(group) = stream.groups.get(group_name.as_slice()) else { return Err(nogroup_info(key, group_name)) };
    let consumers = group
        .consumers
        .iter()
        .map(|(name, c)| {
            Reply::Map(alloc::vec![
                field("name", Reply::Bulk(name.clone())),
                field("pending", Reply::Integer(c.pel.len() as i64)),
                field("idle", Reply::Integer(now.saturating_sub(c.seen_ms) as i64)),
            ])
        })
        .collect();
    Ok(Reply::Array(consumers).into())
}

/// `XINFO HELP`
fn xinfo_help(_ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(help_reply(
        "XINFO",
        &[
            "CONSUMERS <key> <groupname>",
            "    Show consumers of <groupname>.",
            "GROUPS <key>",
            "    Show the stream consumer groups.",
            "STREAM <key> [FULL [COUNT <count>]",
            "    Show information about the stream.",
        ],
    )
    .into())
}

/// The reply of a container's HELP: a header line, the lines, and the HELP entry.
pub(crate) fn help_reply(command: &str, lines: &[&str]) -> Reply {
    let mut out = alloc::vec![Reply::Status(alloc::format!(
        "{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        command
    )
    .into())];
    out.extend(lines.iter().map(|l| Reply::status(alloc::string::String::from(*l))));
    out.push(Reply::status("HELP"));
    out.push(Reply::status("    Prints this help."));
    Reply::Array(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replies written from the nodes in place are the entries `collect_range`
    /// copies out, in both directions and with counts: fields reusing the
    /// master's names or not, values stored as integers (negative, extreme,
    /// with leading zeros or signs kept as strings), binary values.
    #[test]
    fn in_place_replies_match_copied_entries() {
        let mut stream = Stream::new();
        let limits = NodeLimits { max_entries: 3, max_bytes: 0 };
        let entries: [&[&[u8]]; 7] = [
            &[b"user", b"u1", b"n", b"42"],
            &[b"user", b"u2", b"n", b"-9223372036854775808"],
            &[b"other", b"007", b"n", b"+5"],
            &[b"user", b"\r\n\0", b"n", b"9223372036854775807"],
            &[b"12", b"-1"],
            &[b"user", b"", b"n", b"0"],
            &[b"a", b"1", b"b", b"2", b"c", b"-3"],
        ];
        for (i, fields) in entries.iter().enumerate() {
            let fields: Vec<Vec<u8>> = fields.iter().map(|f| f.to_vec()).collect();
            let id = StreamId::new(i as u64 + 1, u64::MAX - i as u64);
            assert!(stream.append(AddId::Explicit(id), &fields, 0, limits).is_ok());
        }
        assert!(stream.delete(StreamId::new(3, u64::MAX - 2)));
        let bounds = [(StreamId::MIN, StreamId::MAX), (StreamId::new(2, 0), StreamId::new(6, 0)), (StreamId::new(9, 0), StreamId::MAX)];
        for (start, end) in bounds {
            for rev in [false, true] {
                for count in [0, 1, 2, 100] {
                    let mut seen = Vec::new();
                    let written = range_reply(&stream, start, end, rev, count, |id| seen.push(id));
                    let copied = stream.collect_range(start, end, rev, count);
                    assert_eq!(seen, copied.iter().map(|(id, _)| *id).collect::<Vec<_>>());
                    assert_eq!(Reply::BulkArray(written).expanded(), entries_reply(copied));
                }
            }
        }
        for (id, _) in stream.collect_range(StreamId::MIN, StreamId::MAX, false, 0) {
            let one = entry_reply_at(&stream, id).map(Reply::expanded);
            assert_eq!(one, stream.get(id).map(|fields| entry_reply((id, fields))));
        }
        assert_eq!(entry_reply_at(&stream, StreamId::new(3, u64::MAX - 2)), None);
        assert_eq!(stream.last_live_id(), Some(StreamId::new(7, u64::MAX - 6)));
        assert_eq!(Stream::new().last_live_id(), None);
    }
}
