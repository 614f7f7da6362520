//! String commands: SET, GET.

use alloc::vec::Vec;

use super::{flags::*, CommandSpec, Ctx, Group, KeySpec, Outcome};
use crate::args::parse_i64;
use crate::db::Value;
use crate::error::Error;
use crate::reply::Reply;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "set",
        arity: -3,
        flags: WRITE | DENYOOM,
        keys: KeySpec::ONE,
        group: Group::String,
        since: "1.0.0",
        summary: "Set the string value of a key",
        syntax: "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]",
        handler: set,
        subcommands: &[],
    },
    CommandSpec {
        name: "get",
        arity: 2,
        flags: READONLY | FAST,
        keys: KeySpec::ONE,
        group: Group::String,
        since: "1.0.0",
        summary: "Get the value of a key",
        syntax: "key",
        handler: get,
        subcommands: &[],
    },
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
    let old = if options.get { db.get_string(key, now)?.cloned() } else { None };
    let exists = db.contains(key, now);
    let previous_reply = || old.clone().map_or(Reply::Nil, Reply::Bulk);
    let blocked = match options.condition {
        Condition::IfMissing => exists,
        Condition::IfExists => !exists,
        Condition::Always => false,
    };
    if blocked {
        return Ok(if options.get { previous_reply() } else { Reply::Nil }.into());
    }
    let new_value = Value::String(value.clone());
    if options.expiry == Expiry::KeepTtl {
        db.set_keep_ttl(key, new_value);
    } else {
        db.set(key, new_value);
    }
    if let Some(when) = deadline {
        db.set_expire_at(key, when);
    }
    Ok(if options.get { previous_reply() } else { Reply::ok() }.into())
}

/// `GET key`
fn get(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    Ok(ctx.db().get_string(&argv[1], now)?.map_or(Reply::Nil, |s| Reply::Bulk(s.clone())).into())
}
