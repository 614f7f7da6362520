//! Pub/sub commands: (S|P)SUBSCRIBE, (S|P)UNSUBSCRIBE, PUBLISH, SPUBLISH and
//! the PUBSUB container (CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS, SHARDNUMSUB,
//! HELP). The registry and delivery live in `crate::pubsub`; classic and
//! shard channels share every handler through a [`Flavor`].

use alloc::string::String;
use alloc::vec::Vec;

use super::connection::help_reply;
use super::{flags::*, CommandSpec, Ctx, Group, KeySpec, Outcome};
use crate::cluster::Outgoing;
use crate::error::Error;
use crate::glob;
use crate::pubsub::{ChannelTable, Flavor, CLASSIC, SHARD};
use crate::reply::Reply;

const SUB: u32 = PUBSUB | NOSCRIPT | LOADING | STALE;
const PUB: u32 = PUBSUB | LOADING | STALE | FAST;
const INTROSPECT: u32 = PUBSUB | LOADING | STALE;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "subscribe",
        arity: -2,
        flags: SUB,
        keys: KeySpec::NONE,
        group: Group::Pubsub,
        since: "2.0.0",
        summary: "Listen for messages published to the given channels",
        handler: subscribe,
        subcommands: &[],
    },
    CommandSpec {
        name: "unsubscribe",
        arity: -1,
        flags: SUB,
        keys: KeySpec::NONE,
        group: Group::Pubsub,
        since: "2.0.0",
        summary: "Stop listening for messages posted to the given channels",
        handler: unsubscribe,
        subcommands: &[],
    },
    CommandSpec {
        name: "psubscribe",
        arity: -2,
        flags: SUB,
        keys: KeySpec::NONE,
        group: Group::Pubsub,
        since: "2.0.0",
        summary: "Listen for messages published to channels matching the given patterns",
        handler: psubscribe,
        subcommands: &[],
    },
    CommandSpec {
        name: "punsubscribe",
        arity: -1,
        flags: SUB,
        keys: KeySpec::NONE,
        group: Group::Pubsub,
        since: "2.0.0",
        summary: "Stop listening for messages posted to channels matching the given patterns",
        handler: punsubscribe,
        subcommands: &[],
    },
    CommandSpec {
        name: "publish",
        arity: 3,
        flags: PUB,
        keys: KeySpec::NONE,
        group: Group::Pubsub,
        since: "2.0.0",
        summary: "Post a message to a channel",
        handler: publish,
        subcommands: &[],
    },
    // Shard channels are declared as keys (not_key) so a cluster can route them.
    CommandSpec {
        name: "ssubscribe",
        arity: -2,
        flags: SUB,
        keys: KeySpec::ALL,
        group: Group::Pubsub,
        since: "7.0.0",
        summary: "Listen for messages published to the given shard channels",
        handler: ssubscribe,
        subcommands: &[],
    },
    CommandSpec {
        name: "sunsubscribe",
        arity: -1,
        flags: SUB,
        keys: KeySpec::ALL,
        group: Group::Pubsub,
        since: "7.0.0",
        summary: "Stop listening for messages posted to the given shard channels",
        handler: sunsubscribe,
        subcommands: &[],
    },
    CommandSpec {
        name: "spublish",
        arity: 3,
        flags: PUB,
        keys: KeySpec::ONE,
        group: Group::Pubsub,
        since: "7.0.0",
        summary: "Post a message to a shard channel",
        handler: spublish,
        subcommands: &[],
    },
    CommandSpec {
        name: "pubsub",
        arity: -2,
        flags: 0,
        keys: KeySpec::NONE,
        group: Group::Pubsub,
        since: "2.8.0",
        summary: "A container for Pub/Sub commands",
        handler: super::connection::container_without_subcommand,
        subcommands: PUBSUB_SUBCOMMANDS,
    },
];

const PUBSUB_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "channels",
        arity: -2,
        flags: INTROSPECT,
        keys: KeySpec::NONE,
        group: Group::Pubsub,
        since: "2.8.0",
        summary: "List active channels",
        handler: pubsub_channels,
        subcommands: &[],
    },
    CommandSpec {
        name: "numsub",
        arity: -2,
        flags: INTROSPECT,
        keys: KeySpec::NONE,
        group: Group::Pubsub,
        since: "2.8.0",
        summary: "Get the count of subscribers for channels",
        handler: pubsub_numsub,
        subcommands: &[],
    },
    CommandSpec {
        name: "numpat",
        arity: 2,
        flags: INTROSPECT,
        keys: KeySpec::NONE,
        group: Group::Pubsub,
        since: "2.8.0",
        summary: "Get the count of unique patterns pattern subscriptions",
        handler: pubsub_numpat,
        subcommands: &[],
    },
    CommandSpec {
        name: "shardchannels",
        arity: -2,
        flags: INTROSPECT,
        keys: KeySpec::NONE,
        group: Group::Pubsub,
        since: "7.0.0",
        summary: "List active shard channels",
        handler: pubsub_shardchannels,
        subcommands: &[],
    },
    CommandSpec {
        name: "shardnumsub",
        arity: -2,
        flags: INTROSPECT,
        keys: KeySpec::NONE,
        group: Group::Pubsub,
        since: "7.0.0",
        summary: "Get the count of subscribers for shard channels",
        handler: pubsub_shardnumsub,
        subcommands: &[],
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        keys: KeySpec::NONE,
        group: Group::Pubsub,
        since: "6.2.0",
        summary: "Show helpful text about the different subcommands",
        handler: pubsub_help,
        subcommands: &[],
    },
];

/// `SUBSCRIBE channel [channel ...]`
fn subscribe(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(Outcome::Replies(ctx.node.subscribe(ctx.client, &CLASSIC, &argv[1..])))
}

/// `SSUBSCRIBE shardchannel [shardchannel ...]`
fn ssubscribe(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(Outcome::Replies(ctx.node.subscribe(ctx.client, &SHARD, &argv[1..])))
}

/// `UNSUBSCRIBE [channel [channel ...]]`
fn unsubscribe(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(Outcome::Replies(ctx.node.unsubscribe(ctx.client, &CLASSIC, &argv[1..])))
}

/// `SUNSUBSCRIBE [shardchannel [shardchannel ...]]`
fn sunsubscribe(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(Outcome::Replies(ctx.node.unsubscribe(ctx.client, &SHARD, &argv[1..])))
}

/// `PSUBSCRIBE pattern [pattern ...]`
fn psubscribe(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(Outcome::Replies(ctx.node.psubscribe(ctx.client, &argv[1..])))
}

/// `PUNSUBSCRIBE [pattern [pattern ...]]`
fn punsubscribe(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(Outcome::Replies(ctx.node.punsubscribe(ctx.client, &argv[1..])))
}

/// `PUBLISH channel message`
///
/// In a cluster the message also goes over the bus to every other node; the
/// reply counts local receivers only.
fn publish(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let receivers = ctx.node.publish(&CLASSIC, &argv[1], &argv[2]);
    if let Some(state) = ctx.node.cluster_state_mut() {
        state.outgoing.push(Outgoing::Publish { channel: argv[1].clone(), message: argv[2].clone() });
    }
    Ok(Reply::Integer(receivers).into())
}

/// `SPUBLISH shardchannel message` — on a single node every shard channel is
/// served here; in a cluster the message goes to the other nodes of this
/// node's shard only (routing already sent the client to the right shard).
fn spublish(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let receivers = ctx.node.publish(&SHARD, &argv[1], &argv[2]);
    if let Some(state) = ctx.node.cluster_state_mut() {
        state.outgoing.push(Outgoing::PublishShard { channel: argv[1].clone(), message: argv[2].clone() });
    }
    Ok(Reply::Integer(receivers).into())
}

/// CHANNELS and SHARDCHANNELS take at most one pattern; more is Redis's
/// combined "unknown subcommand or wrong number of arguments" error.
fn list_channels(table: &ChannelTable, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let pattern = match argv {
        [_, _] => None,
        [_, _, pattern] => Some(pattern.as_slice()),
        _ => {
            return Err(Error::text(alloc::format!(
                "ERR unknown subcommand or wrong number of arguments for '{}'. Try PUBSUB HELP.",
                String::from_utf8_lossy(argv.get(1).map_or(&[][..], |s| s.as_slice()))
            )))
        }
    };
    let names = table
        .names()
        .filter(|name| pattern.is_none_or(|p| glob::matches(p, name, false)))
        .map(Reply::bulk)
        .collect();
    Ok(Reply::Array(names).into())
}

/// `PUBSUB CHANNELS [pattern]`
fn pubsub_channels(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    list_channels(&ctx.node.pubsub().channels, argv)
}

/// `PUBSUB SHARDCHANNELS [pattern]`
fn pubsub_shardchannels(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    list_channels(&ctx.node.pubsub().shard_channels, argv)
}

/// Channel, subscriber count, channel, count... for each argument.
fn count_subscribers(flavor: &Flavor, ctx: &Ctx, channels: &[Vec<u8>]) -> Outcome {
    let table = (flavor.table)(ctx.node.pubsub());
    let mut flat = Vec::with_capacity(channels.len() * 2);
    for channel in channels {
        flat.push(Reply::bulk(channel));
        flat.push(Reply::Integer(table.subscribers(channel).len() as i64));
    }
    Reply::Array(flat).into()
}

/// `PUBSUB NUMSUB [channel [channel ...]]` — pattern subscribers not counted.
fn pubsub_numsub(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(count_subscribers(&CLASSIC, ctx, &argv[2..]))
}

/// `PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]]`
fn pubsub_shardnumsub(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(count_subscribers(&SHARD, ctx, &argv[2..]))
}

/// `PUBSUB NUMPAT` — distinct patterns, however many clients share one.
fn pubsub_numpat(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(Reply::Integer(ctx.node.pubsub().patterns.len() as i64).into())
}

/// `PUBSUB HELP` — our own summary, built from the table rows.
fn pubsub_help(_ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(help_reply("PUBSUB", PUBSUB_SUBCOMMANDS))
}

#[cfg(test)]
mod tests;
