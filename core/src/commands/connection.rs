//! Connection commands: PING, ECHO.

use alloc::vec::Vec;

use super::{flags::*, CommandSpec, Ctx, Group, KeySpec, Outcome};
use crate::error::Error;
use crate::reply::Reply;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "ping",
        arity: -1,
        flags: FAST,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "1.0.0",
        summary: "Ping the server",
        syntax: "[message]",
        handler: ping,
        subcommands: &[],
    },
    CommandSpec {
        name: "echo",
        arity: 2,
        flags: FAST,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "1.0.0",
        summary: "Echo the given string",
        syntax: "message",
        handler: echo,
        subcommands: &[],
    },
];

/// `PING [message]`
fn ping(_ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    match argv.len() {
        1 => Ok(Reply::status("PONG").into()),
        2 => Ok(Reply::bulk(&argv[1]).into()),
        _ => Err(Error::WrongArity("ping".into())),
    }
}

/// `ECHO message`
fn echo(_ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(Reply::bulk(&argv[1]).into())
}
