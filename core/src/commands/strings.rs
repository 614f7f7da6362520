//! String commands: SET and its variants, GET and its variants, counters
//! (INCR family, INCRBYFLOAT with C `long double` arithmetic), and ranges
//! (APPEND, GETRANGE, SETRANGE, STRLEN).
//!
//! How each command stores its result decides what `OBJECT ENCODING` later
//! reports (see [`StringForm`]): SET-like commands store a compacted value,
//! INCR an integer, INCRBYFLOAT a plain string, APPEND and SETRANGE a raw one.

use alloc::vec::Vec;

use super::{flags::*, CommandSpec, Ctx, Group, KeySpec, Outcome};
use crate::args::{parse_i64, Args};
use crate::db::{Db, StringForm, Value};
use crate::error::Error;
use crate::long_double::LongDouble;
use crate::reply::Reply;

/// The largest string Redis builds (`proto-max-bulk-len`, 512 MB).
pub const MAX_STRING: u64 = 512 * 1024 * 1024;

/// One row of this family.
macro_rules! row {
    ($name:expr, $arity:expr, $flags:expr, $keys:expr, $since:expr, $summary:expr, $handler:expr) => {
        CommandSpec {
            name: $name,
            arity: $arity,
            flags: $flags,
            keys: $keys,
            group: Group::String,
            since: $since,
            summary: $summary,
            handler: $handler,
            subcommands: &[],
        }
    };
}

const PAIRS: KeySpec = KeySpec { first: 1, last: -1, step: 2 };

pub const COMMANDS: &[CommandSpec] = &[
    row!(
        "set",
        -3,
        WRITE | DENYOOM,
        KeySpec::ONE,
        "1.0.0",
        "Set the string value of a key",
        set
    ),
    row!("get", 2, READONLY | FAST, KeySpec::ONE, "1.0.0", "Get the value of a key", get),
    row!("getdel", 2, WRITE | FAST, KeySpec::ONE, "6.2.0", "Get the value of a key and delete the key", getdel),
    row!(
        "getex",
        -2,
        WRITE | FAST,
        KeySpec::ONE,
        "6.2.0",
        "Get the value of a key and optionally set its expiration",
        getex
    ),
    row!(
        "getset",
        3,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        "1.0.0",
        "Set the string value of a key and return its old value",
        getset
    ),
    row!("mget", -2, READONLY | FAST, KeySpec::ALL, "1.0.0", "Get the values of all the given keys", mget),
    row!(
        "mset",
        -3,
        WRITE | DENYOOM,
        PAIRS,
        "1.0.1",
        "Set multiple keys to multiple values",
        mset
    ),
    row!(
        "msetnx",
        -3,
        WRITE | DENYOOM,
        PAIRS,
        "1.0.1",
        "Set multiple keys to multiple values, only if none of the keys exist",
        mset
    ),
    row!(
        "setnx",
        3,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        "1.0.0",
        "Set the value of a key, only if the key does not exist",
        setnx
    ),
    row!(
        "setex",
        4,
        WRITE | DENYOOM,
        KeySpec::ONE,
        "2.0.0",
        "Set the value and expiration of a key",
        setex
    ),
    row!(
        "psetex",
        4,
        WRITE | DENYOOM,
        KeySpec::ONE,
        "2.6.0",
        "Set the value and expiration in milliseconds of a key",
        setex
    ),
    row!(
        "append",
        3,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        "2.0.0",
        "Append a value to a key",
        append
    ),
    row!(
        "strlen",
        2,
        READONLY | FAST,
        KeySpec::ONE,
        "2.2.0",
        "Get the length of the value stored in a key",
        strlen
    ),
    row!(
        "incr",
        2,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        "1.0.0",
        "Increment the integer value of a key by one",
        incr
    ),
    row!(
        "incrby",
        3,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        "1.0.0",
        "Increment the integer value of a key by the given amount",
        incr
    ),
    row!(
        "decr",
        2,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        "1.0.0",
        "Decrement the integer value of a key by one",
        incr
    ),
    row!(
        "decrby",
        3,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        "1.0.0",
        "Decrement the integer value of a key by the given number",
        incr
    ),
    row!(
        "incrbyfloat",
        3,
        WRITE | DENYOOM | FAST,
        KeySpec::ONE,
        "2.6.0",
        "Increment the float value of a key by the given amount",
        incrbyfloat
    ),
    row!(
        "lcs",
        -3,
        READONLY,
        KeySpec { first: 1, last: 2, step: 1 },
        "7.0.0",
        "Find longest common substring",
        lcs
    ),
    row!(
        "getrange",
        4,
        READONLY,
        KeySpec::ONE,
        "2.4.0",
        "Get a substring of the string stored at a key",
        getrange
    ),
    row!(
        "substr",
        4,
        READONLY,
        KeySpec::ONE,
        "1.0.0",
        "Get a substring of the string stored at a key",
        getrange
    ),
    row!(
        "setrange",
        4,
        WRITE | DENYOOM,
        KeySpec::ONE,
        "2.2.0",
        "Overwrite part of a string at key starting at the specified offset",
        setrange
    ),
];

/// How SET treats an existing key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Condition {
    Always,
    IfMissing,
    IfExists,
}

/// The expiry option of SET.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expiry<'a> {
    None,
    KeepTtl,
    Seconds(&'a [u8]),
    Millis(&'a [u8]),
    AtSeconds(&'a [u8]),
    AtMillis(&'a [u8]),
}

struct SetOptions<'a> {
    condition: Condition,
    get: bool,
    expiry: Expiry<'a>,
}

/// Parses SET's options the way Redis 7.0 does: left to right, a repeated option
/// overrides, a conflicting one is a syntax error; numbers are checked afterwards.
fn parse_set_options(options: &[Vec<u8>]) -> Result<SetOptions<'_>, Error> {
    let mut parsed = SetOptions { condition: Condition::Always, get: false, expiry: Expiry::None };
    let mut i = 0;
    while i < options.len() {
        let opt = options[i].as_slice();
        let next = options.get(i + 1).map(|v| v.as_slice());
        let is = |word: &str| opt.eq_ignore_ascii_case(word.as_bytes());
        let no_expiry_but = |keep: fn(&Expiry) -> bool| parsed.expiry == Expiry::None || keep(&parsed.expiry);
        if is("nx") && parsed.condition != Condition::IfExists {
            parsed.condition = Condition::IfMissing;
        } else if is("xx") && parsed.condition != Condition::IfMissing {
            parsed.condition = Condition::IfExists;
        } else if is("get") {
            parsed.get = true;
        } else if is("keepttl") && no_expiry_but(|e| *e == Expiry::KeepTtl) {
            parsed.expiry = Expiry::KeepTtl;
        } else if let (true, Some(n)) = (is("ex") && no_expiry_but(|e| matches!(e, Expiry::Seconds(_))), next) {
            parsed.expiry = Expiry::Seconds(n);
            i += 1;
        } else if let (true, Some(n)) = (is("px") && no_expiry_but(|e| matches!(e, Expiry::Millis(_))), next) {
            parsed.expiry = Expiry::Millis(n);
            i += 1;
        } else if let (true, Some(n)) = (is("exat") && no_expiry_but(|e| matches!(e, Expiry::AtSeconds(_))), next) {
            parsed.expiry = Expiry::AtSeconds(n);
            i += 1;
        } else if let (true, Some(n)) = (is("pxat") && no_expiry_but(|e| matches!(e, Expiry::AtMillis(_))), next) {
            parsed.expiry = Expiry::AtMillis(n);
            i += 1;
        } else {
            return Err(Error::Syntax);
        }
        i += 1;
    }
    Ok(parsed)
}

/// Turns an expiry option into an absolute time in ms, with Redis's checks.
fn expiry_deadline(expiry: Expiry, now_ms: u64, command: &str) -> Result<Option<u64>, Error> {
    let (raw, seconds, relative) = match expiry {
        Expiry::None | Expiry::KeepTtl => return Ok(None),
        Expiry::Seconds(n) => (n, true, true),
        Expiry::Millis(n) => (n, false, true),
        Expiry::AtSeconds(n) => (n, true, false),
        Expiry::AtMillis(n) => (n, false, false),
    };
    let invalid = || Error::InvalidExpireTime(command.into());
    let mut ms = parse_i64(raw).ok_or(Error::NotInteger)?;
    if ms <= 0 || (seconds && ms > i64::MAX / 1000) {
        return Err(invalid());
    }
    if seconds {
        ms *= 1000;
    }
    if relative {
        ms = ms.checked_add(now_ms as i64).ok_or_else(invalid)?;
    }
    Ok(Some(ms as u64))
}

/// `SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]`
fn set(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (key, value) = (&argv[1], &argv[2]);
    let options = parse_set_options(&argv[3..])?;
    let deadline = expiry_deadline(options.expiry, ctx.now_ms, "set")?;
    let now = ctx.now_ms;
    let db = ctx.db();
    // Only SET ... GET cares about the old value, and only it fails on another type.
    let old = if options.get { db.get_string(key, now)?.map(<[u8]>::to_vec) } else { None };
    // Plain SET replaces whatever is there, expired or not, so only the
    // conditions (and KEEPTTL, which must not keep a passed expiry) look first.
    let looks_first = options.condition != Condition::Always || options.expiry == Expiry::KeepTtl;
    let exists = looks_first && db.contains(key, now);
    let previous_reply = || old.clone().map_or(Reply::Nil, Reply::Bulk);
    let blocked = match options.condition {
        Condition::IfMissing => exists,
        Condition::IfExists => !exists,
        Condition::Always => false,
    };
    if blocked {
        return Ok(if options.get { previous_reply() } else { Reply::Nil }.into());
    }
    let new_value = Value::string(value.as_slice());
    if options.expiry == Expiry::KeepTtl {
        db.set_keep_ttl(key, new_value);
    } else {
        db.set(key, new_value);
    }
    if let Some(when) = deadline {
        // An EXAT/PXAT in the past still stores the key: it is counted by
        // DBSIZE until a lookup or the expiry sweep removes it, as in Redis.
        db.set_expire_at(key, when);
    }
    Ok(if options.get { previous_reply() } else { Reply::ok() }.into())
}

/// `GET key`
fn get(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    Ok(ctx.db().get_string(&argv[1], now)?.map_or(Reply::Nil, |s| Reply::Bulk(s.to_vec())).into())
}

fn bulk_or_nil(value: Option<&[u8]>) -> Reply {
    value.map_or(Reply::Nil, |v| Reply::Bulk(v.to_vec()))
}

/// `GETDEL key`
fn getdel(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let db = ctx.db();
    let reply = bulk_or_nil(db.get_string(&argv[1], now)?);
    if reply != Reply::Nil {
        db.remove(&argv[1], now);
    }
    Ok(reply.into())
}

/// `GETEX key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]`
///
/// The options' shape is checked first, then the key (a missing key replies
/// nil even when the number is bad), then the number.
fn getex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let mut expiry = Expiry::None;
    let mut persist = false;
    let mut args = Args::new(&argv[2..]);
    while let Ok(option) = args.next_bytes() {
        let is = |word: &str| option.eq_ignore_ascii_case(word.as_bytes());
        let same_or_none = |e: &Expiry, want: fn(&Expiry) -> bool| *e == Expiry::None || want(e);
        if is("persist") && expiry == Expiry::None {
            persist = true;
            continue;
        }
        let make: for<'a> fn(&'a [u8]) -> Expiry<'a> = if is("ex") && same_or_none(&expiry, |e| matches!(e, Expiry::Seconds(_))) {
            |n| Expiry::Seconds(n)
        } else if is("px") && same_or_none(&expiry, |e| matches!(e, Expiry::Millis(_))) {
            |n| Expiry::Millis(n)
        } else if is("exat") && same_or_none(&expiry, |e| matches!(e, Expiry::AtSeconds(_))) {
            |n| Expiry::AtSeconds(n)
        } else if is("pxat") && same_or_none(&expiry, |e| matches!(e, Expiry::AtMillis(_))) {
            |n| Expiry::AtMillis(n)
        } else {
            return Err(Error::Syntax);
        };
        if persist {
            return Err(Error::Syntax);
        }
        expiry = make(args.next_bytes()?);
    }
    let (key, now) = (&argv[1], ctx.now_ms);
    let value = match ctx.db().get_string(key, now)? {
        Some(value) => value.to_vec(),
        None => return Ok(Reply::Nil.into()),
    };
    let deadline = expiry_deadline(expiry, now, "getex")?;
    let db = ctx.db();
    match deadline {
        Some(when) if when <= now => {
            db.remove(key, now);
        }
        Some(when) => db.set_expire_at(key, when),
        None if persist => {
            db.persist(key);
        }
        None => {}
    }
    Ok(Reply::Bulk(value).into())
}

/// `GETSET key value` — sets like SET (dropping the TTL) and returns the old value.
fn getset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let db = ctx.db();
    let old = bulk_or_nil(db.get_string(&argv[1], now)?);
    db.set(&argv[1], Value::string(argv[2].as_slice()));
    Ok(old.into())
}

/// `MGET key [key ...]` — nil for missing keys and for keys of other types.
fn mget(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let db = ctx.db();
    let values = argv[1..]
        .iter()
        .map(|key| match db.get(key, now) {
            Some(Value::String(v)) => Reply::Bulk(v.to_vec()),
            _ => Reply::Nil,
        })
        .collect();
    Ok(Reply::Array(values).into())
}

/// `MSET key value [key value ...]` and `MSETNX key value [key value ...]`
/// (which sets nothing and replies 0 if any key exists).
fn mset(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let only_new = argv[0].eq_ignore_ascii_case(b"msetnx");
    if argv.len().is_multiple_of(2) {
        return Err(Error::WrongArity(if only_new { "msetnx" } else { "mset" }.into()));
    }
    let now = ctx.now_ms;
    let db = ctx.db();
    if only_new && argv[1..].chunks(2).any(|pair| db.get(&pair[0], now).is_some()) {
        return Ok(Reply::Integer(0).into());
    }
    for pair in argv[1..].chunks(2) {
        db.set(&pair[0], Value::string(pair[1].as_slice()));
    }
    Ok(if only_new { Reply::Integer(1) } else { Reply::ok() }.into())
}

/// `SETNX key value`
fn setnx(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let db = ctx.db();
    if db.get(&argv[1], now).is_some() {
        return Ok(Reply::Integer(0).into());
    }
    db.set(&argv[1], Value::string(argv[2].as_slice()));
    Ok(Reply::Integer(1).into())
}

/// `SETEX key seconds value` and `PSETEX key milliseconds value`
fn setex(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let name = argv[0].to_ascii_lowercase();
    let (expiry, command) = if name == b"psetex" {
        (Expiry::Millis(&argv[2]), "psetex")
    } else {
        (Expiry::Seconds(&argv[2]), "setex")
    };
    let now = ctx.now_ms;
    let deadline = expiry_deadline(expiry, now, command)?;
    let db = ctx.db();
    db.expire_if_due(&argv[1], now);
    db.set(&argv[1], Value::string(argv[3].as_slice()));
    if let Some(when) = deadline {
        db.set_expire_at(&argv[1], when);
    }
    super::ok()
}

/// Looks up the string at `key` for a command that changes it in place.
fn string_entry<'a>(db: &'a mut Db, key: &[u8], now: u64) -> Result<Option<&'a mut crate::db::Entry>, Error> {
    match db.entry_mut(key, now) {
        None => Ok(None),
        Some(entry) => {
            entry.value.as_string()?;
            Ok(Some(entry))
        }
    }
}

/// The bytes of a string entry (WRONGTYPE for any other type).
fn bytes_mut(entry: &mut crate::db::Entry) -> Result<&mut Vec<u8>, Error> {
    Ok(entry.value.as_string_mut()?.to_mut())
}

/// `APPEND key value` — on a missing key, stored like SET; otherwise the
/// string becomes `raw` even when nothing is appended.
fn append(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (key, suffix, now) = (&argv[1], &argv[2], ctx.now_ms);
    let db = ctx.db();
    let Some(entry) = string_entry(db, key, now)? else {
        db.set(key, Value::string(suffix.as_slice()));
        return Ok(Reply::Integer(suffix.len() as i64).into());
    };
    let bytes = bytes_mut(entry)?;
    if bytes.len() as u64 + suffix.len() as u64 > MAX_STRING {
        return Err(Error::StringTooLong);
    }
    bytes.extend_from_slice(suffix);
    let len = bytes.len();
    entry.form = StringForm::Raw;
    db.touch(key);
    Ok(Reply::Integer(len as i64).into())
}

/// `STRLEN key`
fn strlen(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let len = ctx.db().get_string(&argv[1], now)?.map_or(0, |v| v.len());
    Ok(Reply::Integer(len as i64).into())
}

/// Stores a counter's new value, keeping the key's TTL, and signals the change.
fn store_counter(db: &mut Db, key: &[u8], now: u64, bytes: Vec<u8>, form: StringForm) {
    match db.entry_mut(key, now) {
        Some(entry) => {
            entry.value = Value::string(bytes);
            entry.form = form;
            db.touch(key);
        }
        None => db.set_form(key, Value::string(bytes), form),
    }
}

/// `INCR key`, `DECR key`, `INCRBY key increment`, `DECRBY key decrement`.
/// The increment is checked before the key's type.
fn incr(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let by = match argv.get(2) {
        Some(arg) => parse_i64(arg).ok_or(Error::NotInteger)?,
        None => 1,
    };
    let decrement = argv[0].get(..4).is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"decr"));
    let delta = if decrement {
        by.checked_neg().ok_or_else(|| Error::text("ERR decrement would overflow"))?
    } else {
        by
    };
    let (key, now) = (&argv[1], ctx.now_ms);
    let db = ctx.db();
    // One lookup for an existing key: checked, computed and replaced in place.
    let changed = db.change_entry(key, now, |entry| {
        let bytes = entry.value.as_string_mut()?;
        let current = parse_i64(bytes).ok_or(Error::NotInteger)?;
        let value = current.checked_add(delta).ok_or(Error::IncrOverflow)?;
        // The new digits replace the old ones in place (inline: no allocation).
        bytes.set(crate::args::i64_text(value, &mut [0u8; 20]));
        entry.form = StringForm::Compact;
        Ok(value)
    });
    let value = match changed {
        Some(result) => result?,
        None => {
            db.set_form(key, Value::string(crate::args::i64_text(delta, &mut [0u8; 20])), StringForm::Compact);
            delta
        }
    };
    Ok(Reply::Integer(value).into())
}

/// `INCRBYFLOAT key increment` — computed in 80-bit `long double` and printed
/// with `%.17Lf` minus trailing zeros, as Redis does on x86-64 (so
/// `INCRBYFLOAT k 0.1` gives `0.1`). The key's type is checked first.
fn incrbyfloat(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (key, now) = (&argv[1], ctx.now_ms);
    let db = ctx.db();
    let current = match db.get_string(key, now)? {
        Some(bytes) => LongDouble::parse(bytes).ok_or(Error::NotFloat)?,
        None => LongDouble::ZERO,
    };
    let by = LongDouble::parse(&argv[2]).ok_or(Error::NotFloat)?;
    let sum = current + by;
    if !sum.is_finite() {
        return Err(Error::text("ERR increment would produce NaN or Infinity"));
    }
    let text = sum.to_human_string().into_bytes();
    store_counter(db, key, now, text.clone(), StringForm::Plain);
    Ok(Reply::Bulk(text).into())
}

/// `GETRANGE key start end` (and the deprecated `SUBSTR`): negative indexes
/// count from the end, both ends are clamped, `end` is inclusive.
fn getrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let start = parse_i64(&argv[2]).ok_or(Error::NotInteger)?;
    let end = parse_i64(&argv[3]).ok_or(Error::NotInteger)?;
    let now = ctx.now_ms;
    let Some(bytes) = ctx.db().get_string(&argv[1], now)? else {
        return Ok(Reply::Bulk(Vec::new()).into());
    };
    Ok(Reply::Bulk(byte_range(bytes, start, end).to_vec()).into())
}

/// `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]` —
/// missing keys count as empty strings; the keys' types are checked before
/// the options.
fn lcs(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let limit = ctx.node.config.proto_max_bulk_len.max(0) as u64;
    let db = ctx.db();
    let first = db.get(&argv[1], now).map(|v| v.as_string().map(<[u8]>::to_vec));
    let second = db.get(&argv[2], now).map(|v| v.as_string().map(<[u8]>::to_vec));
    let (first, second) = match (first.transpose(), second.transpose()) {
        (Ok(a), Ok(b)) => (a.unwrap_or_default(), b.unwrap_or_default()),
        _ => return Err(Error::text("ERR The specified keys must contain string values")),
    };
    let (mut want_len, mut want_idx, mut with_match_len, mut min_match_len) = (false, false, false, 0i64);
    let mut options = argv[3..].iter();
    while let Some(option) = options.next() {
        if option.eq_ignore_ascii_case(b"len") {
            want_len = true;
        } else if option.eq_ignore_ascii_case(b"idx") {
            want_idx = true;
        } else if option.eq_ignore_ascii_case(b"withmatchlen") {
            with_match_len = true;
        } else if option.eq_ignore_ascii_case(b"minmatchlen") {
            let value = options.next().ok_or(Error::Syntax)?;
            min_match_len = parse_i64(value).ok_or(Error::NotInteger)?.max(0);
        } else {
            return Err(Error::Syntax);
        }
    }
    if want_len && want_idx {
        return Err(Error::text("ERR If you want both the length and indexes, please just use IDX."));
    }
    let table = lcs::Table::build(&first, &second, limit).map_err(|e| match e {
        lcs::TableError::OverLimit => {
            Error::text("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
        }
        lcs::TableError::NoMemory => Error::text("ERR Insufficient memory, failed allocating transient memory for LCS"),
    })?;
    if want_len {
        return Ok(Reply::Integer(table.len() as i64).into());
    }
    let (text, runs) = table.walk();
    if !want_idx {
        return Ok(Reply::Bulk(text).into());
    }
    let pair = |(from, to): (usize, usize)| Reply::Array(alloc::vec![Reply::Integer(from as i64), Reply::Integer(to as i64)]);
    let matches = runs
        .iter()
        .filter(|run| run.len() as i64 >= min_match_len)
        .map(|run| {
            let mut item = alloc::vec![pair(run.in_a), pair(run.in_b)];
            if with_match_len {
                item.push(Reply::Integer(run.len() as i64));
            }
            Reply::Array(item)
        })
        .collect();
    Ok(Reply::Map(alloc::vec![
        (Reply::bulk(b"matches"), Reply::Array(matches)),
        (Reply::bulk(b"len"), Reply::Integer(table.len() as i64)),
    ])
    .into())
}

/// The inclusive range `start..=end` of `bytes` with Redis's index rules.
fn byte_range(bytes: &[u8], start: i64, end: i64) -> &[u8] {
    let len = bytes.len() as i64;
    if (start < 0 && end < 0 && start > end) || len == 0 {
        return &[];
    }
    let from_end = |i: i64| if i < 0 { (len + i).max(0) } else { i };
    let (start, end) = (from_end(start), from_end(end).min(len - 1));
    if start > end {
        return &[];
    }
    &bytes[start as usize..=end as usize]
}

/// `SETRANGE key offset value` — pads with zero bytes; an empty `value`
/// changes nothing (and creates no key).
fn setrange(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (key, patch, now) = (&argv[1], &argv[3], ctx.now_ms);
    let offset = parse_i64(&argv[2]).ok_or(Error::NotInteger)?;
    if offset < 0 {
        return Err(Error::text("ERR offset is out of range"));
    }
    let offset = offset as u64;
    let db = ctx.db();
    let entry = string_entry(db, key, now)?;
    let current_len = match entry.as_ref() {
        Some(e) => e.value.as_string()?.len(),
        None => 0,
    };
    if patch.is_empty() {
        return Ok(Reply::Integer(current_len as i64).into());
    }
    if offset + patch.len() as u64 > MAX_STRING {
        return Err(Error::StringTooLong);
    }
    // Bounded by MAX_STRING just above, so these fit in usize even on wasm32.
    let (offset, end) = (offset as usize, offset as usize + patch.len());
    let apply = |bytes: &mut Vec<u8>| {
        if bytes.len() < end {
            bytes.resize(end, 0);
        }
        bytes[offset..end].copy_from_slice(patch);
        bytes.len()
    };
    let len = match entry {
        Some(entry) => {
            let len = apply(bytes_mut(entry)?);
            entry.form = StringForm::Raw;
            len
        }
        None => {
            let mut bytes = Vec::new();
            let len = apply(&mut bytes);
            db.set_form(key, Value::string(bytes), StringForm::Raw);
            len
        }
    };
    db.touch(key);
    Ok(Reply::Integer(len as i64).into())
}

mod lcs;

#[cfg(test)]
mod tests;
