//! List commands: pushes and pops at both ends, indexed access, LINSERT,
//! LREM, LTRIM, LPOS, moves between lists, LMPOP, and the blocking forms
//! BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP.
//!
//! The elements live in a [`ListStore`]; an empty list is never stored (the
//! key is deleted instead), as in Redis.
//!
//! Blocking follows Redis 7.0: a blocking command with nothing to pop returns
//! [`Outcome::Block`]. When one of its keys changes the node runs it again
//! with [`Ctx::ready_key`] set, and it is served from that key only — if it
//! is a non-empty list; anything else (missing key, a string...) keeps the
//! client waiting. Inside MULTI (`may_block` false) the command answers as
//! its non-blocking form would.

use alloc::vec::Vec;

use super::{flags::*, ok, Block, CommandSpec, Ctx, Group, KeySpec, Outcome};
use crate::args::{parse_i64, Args};
use crate::db::{Db, Value};
use crate::error::Error;
use crate::list::{End, ListStore};
use crate::long_double::LongDouble;
use crate::reply::{BulkArray, Reply};

const FIRST_TWO: KeySpec = KeySpec { first: 1, last: 2, step: 1 };
/// BLPOP and BRPOP: every argument but the timeout is a key.
const ALL_BUT_LAST: KeySpec = KeySpec { first: 1, last: -2, step: 1 };

macro_rules! row {
    ($name:expr, $arity:expr, $flags:expr, $keys:expr, $since:expr, $summary:expr, $handler:expr) => {
        CommandSpec {
            name: $name,
            arity: $arity,
            flags: $flags,
            keys: $keys,
            group: Group::List,
            since: $since,
            summary: $summary,
            handler: $handler,
            subcommands: &[],
        }
    };
}

pub const COMMANDS: &[CommandSpec] = &[
    row!(
        "lpush",
        -3,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        "1.0.0",
        "Prepend one or multiple elements to a list",
        lpush
    ),
    row!(
        "rpush",
        -3,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        "1.0.0",
        "Append one or multiple elements to a list",
        rpush
    ),
    row!(
        "lpushx",
        -3,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        "2.2.0",
        "Prepend an element to a list, only if the list exists",
        lpushx
    ),
    row!(
        "rpushx",
        -3,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        "2.2.0",
        "Append an element to a list, only if the list exists",
        rpushx
    ),
    row!(
        "lpop",
        -2,
        WRITE | FAST,
        KeySpec::ONE,
        "1.0.0",
        "Remove and get the first elements in a list",
        lpop
    ),
    row!(
        "rpop",
        -2,
        WRITE | FAST,
        KeySpec::ONE,
        "1.0.0",
        "Remove and get the last elements in a list",
        rpop
    ),
    row!("llen", 2, READONLY | FAST, KeySpec::ONE, "1.0.0", "Get the length of a list", llen),
    row!("lrange", 4, READONLY, KeySpec::ONE, "1.0.0", "Get a range of elements from a list", lrange),
    row!("lindex", 3, READONLY, KeySpec::ONE, "1.0.0", "Get an element from a list by its index", lindex),
    row!(
        "lset",
        4,
        WRITE | DENYOOM,
        KeySpec::ONE,
        "1.0.0",
        "Set the value of an element in a list by its index",
        lset
    ),
    row!(
        "linsert",
        5,
        WRITE | DENYOOM,
        KeySpec::ONE,
        "2.2.0",
        "Insert an element before or after another element in a list",
        linsert
    ),
    row!("lrem", 4, WRITE, KeySpec::ONE, "1.0.0", "Remove elements from a list", lrem),
    row!("ltrim", 4, WRITE, KeySpec::ONE, "1.0.0", "Trim a list to the specified range", ltrim),
    row!(
        "lpos",
        -3,
        READONLY,
        KeySpec::ONE,
        "6.0.6",
        "Return the index of matching elements on a list",
        lpos
    ),
    row!(
        "lmove",
        5,
        WRITE | DENYOOM,
        FIRST_TWO,
        "6.2.0",
        "Pop an element from a list, push it to another list and return it",
        lmove
    ),
    row!(
        "rpoplpush",
        3,
        WRITE | DENYOOM,
        FIRST_TWO,
        "1.2.0",
        "Remove the last element in a list, prepend it to another list and return it",
        rpoplpush
    ),
    row!(
        "lmpop",
        -4,
        WRITE | MOVABLE_KEYS,
        KeySpec::NONE,
        "7.0.0",
        "Pop elements from a list",
        lmpop
    ),
    row!(
        "blpop",
        -3,
        WRITE | NOSCRIPT | BLOCKING,
        ALL_BUT_LAST,
        "2.0.0",
        "Remove and get the first element in a list, or block until one is available",
        blpop
    ),
    row!(
        "brpop",
        -3,
        WRITE | NOSCRIPT | BLOCKING,
        ALL_BUT_LAST,
        "2.0.0",
        "Remove and get the last element in a list, or block until one is available",
        brpop
    ),
    row!(
        "blmove",
        6,
        WRITE | DENYOOM | NOSCRIPT | BLOCKING,
        FIRST_TWO,
        "6.2.0",
        "Pop an element from a list, push it to another list and return it; or block until one is available",
        blmove
    ),
    row!(
        "brpoplpush",
        4,
        WRITE | DENYOOM | NOSCRIPT | BLOCKING,
        FIRST_TWO,
        "2.2.0",
        "Pop an element from a list, push it to another list and return it; or block until one is available",
        brpoplpush
    ),
    row!(
        "blmpop",
        -5,
        WRITE | BLOCKING | MOVABLE_KEYS,
        KeySpec::NONE,
        "7.0.0",
        "Pop elements from a list, or block until one is available",
        blmpop
    ),
];

// ---------------------------------------------------------------------------
// Shared pieces: argument rules and the list operations the handlers share.
// ---------------------------------------------------------------------------

fn integer(n: usize) -> Result<Outcome, Error> {
    Ok(Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX)).into())
}

/// A non-negative integer argument; anything else fails with `message`
/// (Redis's `getPositiveLongFromObjectOrReply`).
fn non_negative(arg: &[u8], message: &'static str) -> Result<i64, Error> {
    parse_i64(arg).filter(|n| *n >= 0).ok_or(Error::OutOfRange(message))
}

/// An integer of at least 1; anything else fails with `message`.
fn at_least_one(arg: &[u8], message: &'static str) -> Result<i64, Error> {
    parse_i64(arg).filter(|n| *n >= 1).ok_or(Error::OutOfRange(message))
}

fn count_to_usize(n: i64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

fn end_arg(arg: &[u8]) -> Result<End, Error> {
    End::parse(arg).ok_or(Error::Syntax)
}

/// Resolves Redis's `start`/`stop` pair (negative counts from the tail) to
/// an inclusive range of indexes, or `None` when it selects nothing.
fn clamp_range(start: i64, stop: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i128;
    let (mut start, mut stop) = (start as i128, stop as i128);
    if start < 0 {
        start += len;
    }
    if stop < 0 {
        stop += len;
    }
    start = start.max(0);
    if start > stop || start >= len {
        return None;
    }
    stop = stop.min(len - 1);
    Some((start as usize, stop as usize))
}

/// An index argument (negative counts from the tail) as a position in a list of `len`.
fn resolve_index(index: i64, len: usize) -> Option<usize> {
    let len = len as i128;
    let index = if index < 0 { index as i128 + len } else { index as i128 };
    (0..len).contains(&index).then_some(index as usize)
}

/// Pops up to `count` elements of the list at `key` from `end`, deleting the
/// key once it is empty. `None` for a missing key.
fn pop_from(db: &mut Db, now: u64, key: &[u8], end: End, count: usize) -> Result<Option<Vec<Vec<u8>>>, Error> {
    db.change_list(key, now, |list| {
        let popped: Vec<Vec<u8>> = (0..count.min(list.len())).filter_map(|_| list.pop(end)).collect();
        let changed = !popped.is_empty();
        (popped, changed)
    })
}

/// Pops one element of the list at `key` from `end` (`None` for a missing key).
fn pop_one(db: &mut Db, now: u64, key: &[u8], end: End) -> Result<Option<Vec<u8>>, Error> {
    let popped = db.change_list(key, now, |list| {
        let value = list.pop(end);
        let changed = value.is_some();
        (value, changed)
    })?;
    Ok(popped.flatten())
}

/// Pushes `values` one by one at `end` of the list at `key`, creating it if
/// needed (unless `only_if_exists`); returns the new length.
fn push_to(db: &mut Db, now: u64, key: &[u8], end: End, values: &[Vec<u8>], only_if_exists: bool) -> Result<usize, Error> {
    let push_all = |list: &mut ListStore| {
        for value in values {
            list.push(end, value);
        }
        (list.len(), true)
    };
    if let Some(len) = db.change_list(key, now, push_all)? {
        return Ok(len);
    }
    if only_if_exists {
        return Ok(0);
    }
    let mut list = ListStore::new();
    let (len, _) = push_all(&mut list);
    db.set(key, Value::List(list));
    Ok(len)
}

/// LMOVE's work: pops from `from` of `source` and pushes at `to` of
/// `destination`. `None` when the source is missing. Both keys are type
/// checked (source first) before anything changes.
fn move_element(
    ctx: &mut Ctx,
    source: &[u8],
    destination: &[u8],
    from: End,
    to: End,
) -> Result<Option<Vec<u8>>, Error> {
    let now = ctx.now_ms;
    let db = ctx.db();
    if source == destination {
        // Rotating in place: the list never becomes empty, so it keeps its TTL.
        let rotate = |list: &mut ListStore| {
            let value = list.pop(from);
            if let Some(value) = &value {
                list.push(to, value);
            }
            let changed = value.is_some();
            (value, changed)
        };
        return Ok(db.change_list(source, now, rotate)?.flatten());
    }
    if db.get_list(source, now)?.is_none() {
        return Ok(None);
    }
    db.get_list(destination, now)?;
    let Some(value) = pop_one(db, now, source, from)? else {
        return Ok(None);
    };
    push_to(db, now, destination, to, core::slice::from_ref(&value), false)?;
    Ok(Some(value))
}

/// LMPOP/BLMPOP arguments after the numkeys position: keys, end and COUNT.
struct MpopArgs<'a> {
    keys: &'a [Vec<u8>],
    end: End,
    count: usize,
}

fn parse_mpop(argv: &[Vec<u8>], numkeys_at: usize) -> Result<MpopArgs<'_>, Error> {
    let numkeys_arg = argv.get(numkeys_at).ok_or(Error::Syntax)?;
    let numkeys = at_least_one(numkeys_arg, "numkeys should be greater than 0")?;
    let first = numkeys_at + 1;
    let available = argv.len().saturating_sub(first);
    let numkeys = usize::try_from(numkeys).ok().filter(|&n| n <= available).ok_or(Error::Syntax)?;
    let keys = &argv[first..first + numkeys];
    let mut rest = Args::new(&argv[first + numkeys..]);
    let end = end_arg(rest.next_bytes()?)?;
    let mut count = None;
    while !rest.is_empty() {
        if count.is_none() && rest.remaining() >= 2 && rest.eat("count") {
            count = Some(at_least_one(rest.next_bytes()?, "count should be greater than 0")?);
        } else {
            return Err(Error::Syntax);
        }
    }
    Ok(MpopArgs { keys, end, count: count.map_or(1, count_to_usize) })
}

/// LMPOP's reply for elements popped from `key`: `[key, [elements...]]`.
fn mpop_reply(key: &[u8], popped: Vec<Vec<u8>>) -> Reply {
    Reply::Array(alloc::vec![Reply::bulk(key), Reply::Array(popped.into_iter().map(Reply::Bulk).collect())])
}

/// BLPOP's reply: `[key, element]`.
fn key_value_reply(key: &[u8], value: Vec<u8>) -> Reply {
    Reply::Array(alloc::vec![Reply::bulk(key), Reply::Bulk(value)])
}

/// Whether `key` holds a non-empty list now; other types and missing keys do
/// not serve a blocked client (it keeps waiting, as in Redis 7.0).
fn has_elements(ctx: &mut Ctx, key: &[u8]) -> bool {
    let now = ctx.now_ms;
    matches!(ctx.db().get_list(key, now), Ok(Some(list)) if !list.is_empty())
}

fn block_on(keys: &[Vec<u8>], deadline_ms: Option<u64>) -> Result<Outcome, Error> {
    Ok(Outcome::Block(Block { keys: keys.to_vec(), deadline_ms, on_timeout: Reply::NilArray }))
}

// ---------------------------------------------------------------------------
// Handlers.
// ---------------------------------------------------------------------------

/// `LPUSH key element [element ...]`
fn lpush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    push_generic(ctx, argv, End::Left, false)
}

/// `RPUSH key element [element ...]`
fn rpush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    push_generic(ctx, argv, End::Right, false)
}

/// `LPUSHX key element [element ...]`
fn lpushx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    push_generic(ctx, argv, End::Left, true)
}

/// `RPUSHX key element [element ...]`
fn rpushx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    push_generic(ctx, argv, End::Right, true)
}

/// The four pushes: at `end`, and with `only_if_exists` doing nothing (0)
/// for a missing key.
fn push_generic(ctx: &mut Ctx, argv: &[Vec<u8>], end: End, only_if_exists: bool) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    integer(push_to(ctx.db(), now, &argv[1], end, &argv[2..], only_if_exists)?)
}

/// `LPOP key [count]`
fn lpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    pop_generic(ctx, argv, End::Left, "lpop")
}

/// `RPOP key [count]`
fn rpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    pop_generic(ctx, argv, End::Right, "rpop")
}

/// LPOP and RPOP. With a count the reply is always an array (nil array for
/// a missing key); without, one bulk string or nil.
fn pop_generic(ctx: &mut Ctx, argv: &[Vec<u8>], end: End, name: &str) -> Result<Outcome, Error> {
    if argv.len() > 3 {
        return Err(Error::WrongArity(name.into()));
    }
    let count = match argv.get(2) {
        Some(arg) => Some(non_negative(arg, "value is out of range, must be positive")?),
        None => None,
    };
    let key = &argv[1];
    let now = ctx.now_ms;
    let db = ctx.db();
    let reply = match count {
        None => pop_one(db, now, key, end)?.map_or(Reply::Nil, Reply::Bulk),
        Some(count) => {
            let popped = db.change_list(key, now, |list| {
                let count = count_to_usize(count).min(list.len());
                let mut array = BulkArray::with_capacity(count, 16);
                while array.len() < count && list.pop_with(end, |value| array.push(value)).is_some() {}
                let changed = count > 0;
                (array, changed)
            })?;
            match popped {
                None => Reply::NilArray,
                Some(array) if array.is_empty() => Reply::Array(Vec::new()),
                Some(array) => Reply::BulkArray(array),
            }
        }
    };
    Ok(reply.into())
}

/// `LLEN key`
fn llen(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    integer(ctx.db().get_list(&argv[1], now)?.map_or(0, ListStore::len))
}

/// `LRANGE key start stop`
fn lrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let start = parse_i64(&argv[2]).ok_or(Error::NotInteger)?;
    let stop = parse_i64(&argv[3]).ok_or(Error::NotInteger)?;
    let now = ctx.now_ms;
    let Some(list) = ctx.db().get_list(&argv[1], now)? else {
        return Ok(Reply::Array(Vec::new()).into());
    };
    let Some((start, stop)) = clamp_range(start, stop, list.len()) else {
        return Ok(Reply::Array(Vec::new()).into());
    };
    let count = stop - start + 1;
    // The first element's size sizes the buffer (lists hold similar values).
    let mut array: Option<BulkArray> = None;
    list.for_each_from(start, count, |value| {
        array.get_or_insert_with(|| BulkArray::with_capacity(count, value.len())).push(value)
    });
    Ok(Reply::BulkArray(array.unwrap_or_default()).into())
}

/// `LINDEX key index` — the key is looked up before the index is read.
fn lindex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let Some(list) = ctx.db().get_list(&argv[1], now)? else {
        return Ok(Reply::Nil.into());
    };
    let index = parse_i64(&argv[2]).ok_or(Error::NotInteger)?;
    let value = resolve_index(index, list.len()).and_then(|i| list.get(i));
    Ok(value.map_or(Reply::Nil, Reply::bulk).into())
}

/// `LSET key index element`
fn lset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let key = &argv[1];
    let now = ctx.now_ms;
    let db = ctx.db();
    let Some(list) = db.get_list_mut(key, now)? else {
        return Err(Error::NoSuchKey);
    };
    let index = parse_i64(&argv[2]).ok_or(Error::NotInteger)?;
    let position = resolve_index(index, list.len()).ok_or_else(|| Error::text("ERR index out of range"))?;
    list.set(position, &argv[3]);
    db.touch(key);
    ok()
}

/// `LINSERT key BEFORE|AFTER pivot element` — the new length, 0 for a missing
/// key, -1 when the pivot is not found.
fn linsert(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let after = if argv[2].eq_ignore_ascii_case(b"after") {
        true
    } else if argv[2].eq_ignore_ascii_case(b"before") {
        false
    } else {
        return Err(Error::Syntax);
    };
    let (key, pivot, element) = (&argv[1], &argv[3], &argv[4]);
    let now = ctx.now_ms;
    let db = ctx.db();
    let Some(list) = db.get_list_mut(key, now)? else {
        return integer(0);
    };
    let Some(at) = list.iter().position(|value| value == pivot.as_slice()) else {
        return Ok(Reply::Integer(-1).into());
    };
    list.insert(if after { at + 1 } else { at }, element);
    let len = list.len();
    db.touch(key);
    integer(len)
}

/// `LREM key count element` — count > 0 removes from the head, < 0 from the
/// tail, 0 removes every match.
fn lrem(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let count = parse_i64(&argv[2]).ok_or(Error::NotInteger)?;
    let key = &argv[1];
    let now = ctx.now_ms;
    let db = ctx.db();
    let Some(list) = db.get_list_mut(key, now)? else {
        return integer(0);
    };
    let from = if count < 0 { End::Right } else { End::Left };
    let limit = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
    let removed = list.remove_matching(&argv[3], limit, from);
    if list.is_empty() {
        db.remove(key, now);
    } else if removed > 0 {
        db.touch(key);
    }
    integer(removed)
}

/// `LTRIM key start stop` — an empty range deletes the key.
fn ltrim(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let start = parse_i64(&argv[2]).ok_or(Error::NotInteger)?;
    let stop = parse_i64(&argv[3]).ok_or(Error::NotInteger)?;
    let key = &argv[1];
    let now = ctx.now_ms;
    let db = ctx.db();
    let Some(list) = db.get_list_mut(key, now)? else {
        return ok();
    };
    match clamp_range(start, stop, list.len()) {
        Some((start, stop)) => {
            list.keep_range(start, stop);
            // Redis signals the key even when nothing was trimmed.
            db.touch(key);
        }
        None => {
            db.remove(key, now);
        }
    }
    ok()
}

/// `LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]`
///
/// RANK picks the n-th match (negative: from the tail), COUNT how many to
/// return (0: all; without it the reply is one index or nil), MAXLEN how many
/// elements to look at (0: all). Redis negates RANK to scan from the tail, so
/// `i64::MIN` stays negative: every match then qualifies and COUNT never
/// stops the scan; that is reproduced here.
fn lpos(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (key, element) = (&argv[1], argv[2].as_slice());
    let mut rank: i64 = 1;
    let mut count: Option<i64> = None;
    let mut maxlen: i64 = 0;
    let mut args = Args::new(&argv[3..]);
    while !args.is_empty() {
        let more = args.remaining() >= 2;
        if more && args.eat("rank") {
            rank = parse_i64(args.next_bytes()?).ok_or(Error::NotInteger)?;
            if rank == 0 {
                return Err(Error::text(
                    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
                ));
            }
        } else if more && args.eat("count") {
            count = Some(non_negative(args.next_bytes()?, "COUNT can't be negative")?);
        } else if more && args.eat("maxlen") {
            maxlen = non_negative(args.next_bytes()?, "MAXLEN can't be negative")?;
        } else {
            return Err(Error::Syntax);
        }
    }
    let now = ctx.now_ms;
    let Some(list) = ctx.db().get_list(key, now)? else {
        return Ok(if count.is_some() { Reply::Array(Vec::new()) } else { Reply::Nil }.into());
    };
    let from_tail = rank < 0;
    let (skip, limit) = if rank == i64::MIN {
        (0, 0)
    } else {
        (count_to_usize(rank.unsigned_abs() as i64 - 1), count.map_or(1, count_to_usize))
    };
    let scan = if maxlen == 0 { list.len() } else { count_to_usize(maxlen).min(list.len()) };
    let last = list.len().saturating_sub(1);
    let mut matches = 0usize;
    let mut found = Vec::new();
    let mut check = |i: usize, value: &[u8]| -> bool {
        if value != element {
            return true;
        }
        matches += 1;
        if matches > skip {
            found.push(if from_tail { last - i } else { i });
            if limit != 0 && found.len() >= limit {
                return false;
            }
        }
        true
    };
    if from_tail {
        for (i, value) in list.iter().rev().take(scan).enumerate() {
            if !check(i, value) {
                break;
            }
        }
    } else {
        for (i, value) in list.iter().take(scan).enumerate() {
            if !check(i, value) {
                break;
            }
        }
    }
    let as_reply = |i: usize| Reply::Integer(i64::try_from(i).unwrap_or(i64::MAX));
    Ok(match count {
        Some(_) => Reply::Array(found.into_iter().map(as_reply).collect()),
        None => found.into_iter().next().map_or(Reply::Nil, as_reply),
    }
    .into())
}

/// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`
fn lmove(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let from = end_arg(&argv[3])?;
    let to = end_arg(&argv[4])?;
    let moved = move_element(ctx, &argv[1], &argv[2], from, to)?;
    Ok(moved.map_or(Reply::Nil, Reply::Bulk).into())
}

/// `RPOPLPUSH source destination` — LMOVE source destination RIGHT LEFT.
fn rpoplpush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let moved = move_element(ctx, &argv[1], &argv[2], End::Right, End::Left)?;
    Ok(moved.map_or(Reply::Nil, Reply::Bulk).into())
}

/// `LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]` — pops from the
/// first non-empty list, keys checked in order (WRONGTYPE stops the scan).
fn lmpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let args = parse_mpop(argv, 1)?;
    Ok(mpop_first(ctx, &args)?.unwrap_or(Reply::NilArray).into())
}

/// Pops from the first of `args.keys` holding a list; `None` if none does.
fn mpop_first(ctx: &mut Ctx, args: &MpopArgs) -> Result<Option<Reply>, Error> {
    let now = ctx.now_ms;
    let db = ctx.db();
    for key in args.keys {
        if let Some(popped) = pop_from(db, now, key, args.end, args.count)? {
            return Ok(Some(mpop_reply(key, popped)));
        }
    }
    Ok(None)
}

/// `BLPOP key [key ...] timeout`
fn blpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    blocking_pop(ctx, argv, End::Left)
}

/// `BRPOP key [key ...] timeout`
fn brpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    blocking_pop(ctx, argv, End::Right)
}

/// BLPOP and BRPOP: the timeout is read first, then the keys in order.
fn blocking_pop(ctx: &mut Ctx, argv: &[Vec<u8>], end: End) -> Result<Outcome, Error> {
    let (timeout, keys) = match argv.split_last() {
        Some((timeout, rest)) => (timeout, rest.get(1..).unwrap_or(&[])),
        None => return Err(Error::Syntax),
    };
    let now = ctx.now_ms;
    let deadline = parse_timeout(timeout, now)?;
    if let Some(ready) = ctx.ready_key {
        if has_elements(ctx, ready) {
            let value = pop_one(ctx.db(), now, ready, end)?.unwrap_or_default();
            return Ok(key_value_reply(ready, value).into());
        }
        return block_on(keys, deadline);
    }
    let db = ctx.db();
    for key in keys {
        if let Some(value) = pop_one(db, now, key, end)? {
            return Ok(key_value_reply(key, value).into());
        }
    }
    if !ctx.may_block {
        return Ok(Reply::NilArray.into());
    }
    block_on(keys, deadline)
}

/// `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout`
fn blmove(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let from = end_arg(&argv[3])?;
    let to = end_arg(&argv[4])?;
    blocking_move(ctx, &argv[1], &argv[2], from, to, &argv[5])
}

/// `BRPOPLPUSH source destination timeout`
fn brpoplpush(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    blocking_move(ctx, &argv[1], &argv[2], End::Right, End::Left, &argv[3])
}

/// BLMOVE and BRPOPLPUSH wait on the source only. The destination's type is
/// checked when there is something to move, so a client that blocked with a
/// string destination is woken with WRONGTYPE (the element stays put).
fn blocking_move(
    ctx: &mut Ctx,
    source: &[u8],
    destination: &[u8],
    from: End,
    to: End,
    timeout: &[u8],
) -> Result<Outcome, Error> {
    let deadline = parse_timeout(timeout, ctx.now_ms)?;
    let keys = [source.to_vec()];
    if ctx.ready_key.is_some() && !has_elements(ctx, source) {
        return block_on(&keys, deadline);
    }
    match move_element(ctx, source, destination, from, to)? {
        Some(value) => Ok(Reply::Bulk(value).into()),
        None if !ctx.may_block => Ok(Reply::Nil.into()),
        None => block_on(&keys, deadline),
    }
}

/// `BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]` — unlike
/// BLPOP, the other arguments are checked before the timeout.
fn blmpop(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let args = parse_mpop(argv, 2)?;
    let now = ctx.now_ms;
    let deadline = parse_timeout(&argv[1], now)?;
    if let Some(ready) = ctx.ready_key {
        if has_elements(ctx, ready) {
            let popped = pop_from(ctx.db(), now, ready, args.end, args.count)?.unwrap_or_default();
            return Ok(mpop_reply(ready, popped).into());
        }
        return block_on(args.keys, deadline);
    }
    if let Some(reply) = mpop_first(ctx, &args)? {
        return Ok(reply.into());
    }
    if !ctx.may_block {
        return Ok(Reply::NilArray.into());
    }
    block_on(args.keys, deadline)
}

// ---------------------------------------------------------------------------
// Blocking timeouts: seconds with decimals, read the way Redis 7.0 does.
// ---------------------------------------------------------------------------

/// The absolute deadline for a timeout argument at virtual time `now_ms`;
/// `None` waits forever.
///
/// Redis reads the seconds as a C `long double`, multiplies by 1000, rounds
/// up to whole milliseconds and converts to a 64-bit integer (a value out of
/// range becomes `i64::MIN`, hence "timeout is negative" for `inf` or
/// `1e30`). A result of 0 (also from `-0.0009`) blocks forever, and a
/// deadline past `i64::MAX` wraps and never fires.
pub fn parse_timeout(arg: &[u8], now_ms: u64) -> Result<Option<u64>, Error> {
    let ms = timeout_millis(arg).ok_or_else(|| Error::text("ERR timeout is not a float or out of range"))?;
    if ms < 0 {
        return Err(Error::text("ERR timeout is negative"));
    }
    if ms == 0 {
        return Ok(None);
    }
    Ok(i64::try_from(now_ms).ok().and_then(|now| now.checked_add(ms)).map(|deadline| deadline as u64))
}

/// `ceil(seconds * 1000)` as Redis computes it in 80-bit extended precision,
/// or `None` when `strtold` would refuse the text.
fn timeout_millis(arg: &[u8]) -> Option<i64> {
    // `string2ld` (strtold plus Redis's checks), then `ceill(value * 1000.0)`
    // in long double and the x86-64 conversion to `long long`.
    Some(LongDouble::parse(arg)?.mul_integer(1000).ceil_to_i64())
}

#[cfg(test)]
mod tests;
