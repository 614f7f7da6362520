//! Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! Queueing happens in the node's command loop (commands other than these and
//! QUIT/RESET are queued while a client is in MULTI); EXEC runs the queue.

use alloc::vec::Vec;

use super::{flags::*, ok, CommandSpec, Ctx, Group, KeySpec, Outcome};
use crate::error::Error;
use crate::node::{Multi, WatchedKey};
use crate::reply::{Protocol, Reply};

const TX: u32 = NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "multi",
        arity: 1,
        flags: TX,
        keys: KeySpec::NONE,
        group: Group::Transactions,
        since: "1.2.0",
        summary: "Mark the start of a transaction block",
        handler: multi,
        subcommands: &[],
    },
    CommandSpec {
        name: "exec",
        arity: 1,
        flags: NOSCRIPT | LOADING | STALE | SKIP_SLOWLOG,
        keys: KeySpec::NONE,
        group: Group::Transactions,
        since: "1.2.0",
        summary: "Execute all commands issued after MULTI",
        handler: exec,
        subcommands: &[],
    },
    CommandSpec {
        name: "discard",
        arity: 1,
        flags: TX,
        keys: KeySpec::NONE,
        group: Group::Transactions,
        since: "2.0.0",
        summary: "Discard all commands issued after MULTI",
        handler: discard,
        subcommands: &[],
    },
    CommandSpec {
        name: "watch",
        arity: -2,
        flags: TX,
        keys: KeySpec::ALL,
        group: Group::Transactions,
        since: "2.2.0",
        summary: "Watch the given keys to determine execution of the MULTI/EXEC block",
        handler: watch,
        subcommands: &[],
    },
    CommandSpec {
        name: "unwatch",
        arity: 1,
        flags: TX,
        keys: KeySpec::NONE,
        group: Group::Transactions,
        since: "2.2.0",
        summary: "Forget about all watched keys",
        handler: unwatch,
        subcommands: &[],
    },
];

/// `MULTI`
fn multi(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let client = ctx.client_state()?;
    if client.multi.is_some() {
        return Err(Error::text("ERR MULTI calls can not be nested"));
    }
    client.multi = Some(Multi::default());
    ok()
}

/// `DISCARD`
fn discard(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    if ctx.client_state()?.multi.take().is_none() {
        return Err(Error::text("ERR DISCARD without MULTI"));
    }
    ctx.node.unwatch_all(ctx.client);
    ok()
}

/// `EXEC`
fn exec(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let client = ctx.client_state()?;
    let Some(multi) = client.multi.take() else {
        return Err(Error::text("ERR EXEC without MULTI"));
    };
    let aborted_by_watch = client.watch_invalidated || watched_key_expired(ctx);
    ctx.node.unwatch_all(ctx.client);
    if multi.failed {
        return Err(Error::text("EXECABORT Transaction discarded because of previous errors."));
    }
    if aborted_by_watch {
        return Ok(Reply::NilArray.into());
    }
    let count = multi.queued.len();
    let mut replies = Vec::with_capacity(count);
    for argv in multi.queued {
        // What the command sends its own client while it runs (a message it
        // publishes to itself) precedes its reply, as on Redis's wire.
        let before = ctx.node.outbox_len(ctx.client);
        // Queued commands were resolved when queued; the table cannot change since.
        let outcome = match ctx.node.resolve(&argv) {
            Ok(resolved) => ctx.node.run(ctx.client, resolved, &argv, false),
            Err(e) => Outcome::Reply(crate::node::error_reply(&e)),
        };
        replies.extend(ctx.node.take_output_after(ctx.client, before));
        // Each reply takes the shape of the protocol in force when it was
        // produced (a HELLO inside the transaction changes it for the rest).
        let protocol = ctx.node.client(ctx.client).map_or(Protocol::Resp2, |c| c.protocol);
        match outcome {
            Outcome::Reply(reply) | Outcome::Close(reply) => replies.push(reply.for_protocol(protocol)),
            Outcome::Replies(many) => replies.extend(many.into_iter().map(|r| r.for_protocol(protocol))),
            // Commands run with may_block = false never block; this is their
            // "nothing to serve" reply.
            Outcome::Block(block) => replies.push(block.on_timeout.for_protocol(protocol)),
        }
    }
    // Redis announces one element per queued command, then writes every frame
    // the commands produced: a SUBSCRIBE to two channels gives two frames, so
    // a reader sees the array end early and the surplus frames follow it.
    let surplus = if replies.len() > count { replies.split_off(count) } else { Vec::new() };
    // Every element already has its shape: queue them as they are, so a later
    // HELLO 2 in the transaction does not flatten earlier RESP3 replies.
    ctx.node.send_shaped(ctx.client, Reply::Array(replies));
    for frame in surplus {
        ctx.node.send_shaped(ctx.client, frame);
    }
    Ok(Outcome::Replies(Vec::new()))
}

/// Redis also fails EXEC when a watched key was live at WATCH time and has
/// expired since, even if nothing deleted it yet.
fn watched_key_expired(ctx: &mut Ctx) -> bool {
    let now = ctx.now_ms;
    let Some(client) = ctx.node.client(ctx.client) else { return false };
    let candidates: Vec<(usize, Vec<u8>)> =
        client.watched.iter().filter(|w| !w.expired_when_watched).map(|w| (w.db, w.key.clone())).collect();
    candidates.into_iter().any(|(db, key)| ctx.node.db(db).is_logically_expired(&key, now))
}

/// `WATCH key [key ...]`
fn watch(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    if ctx.client_state()?.multi.is_some() {
        return Err(Error::text("ERR WATCH inside MULTI is not allowed"));
    }
    let now = ctx.now_ms;
    for key in &argv[1..] {
        let client = ctx.client_state()?;
        let db = client.db;
        if client.watched.iter().any(|w| w.db == db && w.key == *key) {
            continue;
        }
        let expired_when_watched = ctx.node.db(db).is_logically_expired(key, now);
        ctx.node.db(db).watch(key, ctx.client);
        ctx.client_state()?.watched.push(WatchedKey { db, key: key.clone(), expired_when_watched });
        ctx.node.watch_count += 1;
    }
    ok()
}

/// `UNWATCH`
fn unwatch(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    ctx.node.unwatch_all(ctx.client);
    ok()
}
