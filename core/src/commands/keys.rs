//! Generic key commands: DEL, EXISTS.

use alloc::vec::Vec;

use super::{flags::*, CommandSpec, Ctx, Group, KeySpec, Outcome};
use crate::error::Error;
use crate::reply::Reply;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "del",
        arity: -2,
        flags: WRITE,
        keys: KeySpec::ALL,
        group: Group::Generic,
        since: "1.0.0",
        summary: "Delete a key",
        syntax: "key [key ...]",
        handler: del,
        subcommands: &[],
    },
    CommandSpec {
        name: "exists",
        arity: -2,
        flags: READONLY | FAST,
        keys: KeySpec::ALL,
        group: Group::Generic,
        since: "1.0.0",
        summary: "Determine if a key exists",
        syntax: "key [key ...]",
        handler: exists,
        subcommands: &[],
    },
];

/// `DEL key [key ...]`
fn del(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let db = ctx.db();
    let removed = argv[1..].iter().filter(|key| db.remove(key, now).is_some()).count();
    Ok(Reply::Integer(removed as i64).into())
}

/// `EXISTS key [key ...]` — a key named twice counts twice.
fn exists(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let db = ctx.db();
    let found = argv[1..].iter().filter(|key| db.contains(key, now)).count();
    Ok(Reply::Integer(found as i64).into())
}
