//! Connection commands: PING, ECHO, HELLO, SELECT, QUIT, RESET and the CLIENT container.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::{flags::*, ok, CommandSpec, Ctx, Group, KeySpec, Outcome};
use crate::args::{parse_i64, Args};
use crate::error::Error;
use crate::node::{ClientId, DATABASES};
use crate::reply::{Protocol, Reply};

/// The Redis version redplay answers as.
pub const REDIS_VERSION: &str = "7.0.15";

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "ping",
        arity: -1,
        flags: FAST,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "1.0.0",
        summary: "Ping the server",
        handler: ping,
        subcommands: &[],
    },
    CommandSpec {
        name: "echo",
        arity: 2,
        flags: LOADING | STALE | FAST,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "1.0.0",
        summary: "Echo the given string",
        handler: echo,
        subcommands: &[],
    },
    CommandSpec {
        name: "hello",
        arity: -1,
        flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "6.0.0",
        summary: "Handshake with Redis",
        handler: hello,
        subcommands: &[],
    },
    CommandSpec {
        name: "auth",
        arity: -2,
        flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "1.0.0",
        summary: "Authenticate to the server",
        handler: auth,
        subcommands: &[],
    },
    CommandSpec {
        name: "select",
        arity: 2,
        flags: LOADING | STALE | FAST,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "1.0.0",
        summary: "Change the selected database for the current connection",
        handler: select,
        subcommands: &[],
    },
    CommandSpec {
        name: "quit",
        arity: -1,
        flags: ALLOW_BUSY | NOSCRIPT | LOADING | STALE | FAST | NO_AUTH,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "1.0.0",
        summary: "Close the connection",
        handler: quit,
        subcommands: &[],
    },
    CommandSpec {
        name: "reset",
        arity: 1,
        flags: NOSCRIPT | LOADING | STALE | FAST | NO_AUTH | ALLOW_BUSY,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "6.2.0",
        summary: "Reset the connection",
        handler: reset,
        subcommands: &[],
    },
    CommandSpec {
        name: "client",
        arity: -2,
        flags: 0,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "2.4.0",
        summary: "A container for client connection commands",
        handler: container_without_subcommand,
        subcommands: CLIENT_SUBCOMMANDS,
    },
];

const CLIENT_FLAGS: u32 = NOSCRIPT | LOADING | STALE;

const CLIENT_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "id",
        arity: 2,
        flags: CLIENT_FLAGS,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "5.0.0",
        summary: "Returns the client ID for the current connection",
        handler: client_id,
        subcommands: &[],
    },
    CommandSpec {
        name: "setname",
        arity: 3,
        flags: CLIENT_FLAGS,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "2.6.9",
        summary: "Set the current connection name",
        handler: client_setname,
        subcommands: &[],
    },
    CommandSpec {
        name: "getname",
        arity: 2,
        flags: CLIENT_FLAGS,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "2.6.9",
        summary: "Get the current connection name",
        handler: client_getname,
        subcommands: &[],
    },
    CommandSpec {
        name: "list",
        arity: -2,
        flags: ADMIN | CLIENT_FLAGS,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "2.4.0",
        summary: "Get the list of client connections",
        handler: client_list,
        subcommands: &[],
    },
    CommandSpec {
        name: "info",
        arity: 2,
        flags: CLIENT_FLAGS,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "6.2.0",
        summary: "Returns information about the current client connection.",
        handler: client_info,
        subcommands: &[],
    },
    CommandSpec {
        name: "kill",
        arity: -3,
        flags: ADMIN | CLIENT_FLAGS,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "2.4.0",
        summary: "Kill the connection of a client",
        handler: client_kill,
        subcommands: &[],
    },
    CommandSpec {
        name: "unblock",
        arity: -3,
        flags: ADMIN | CLIENT_FLAGS,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "5.0.0",
        summary: "Unblock a client blocked in a blocking command from a different connection",
        handler: client_unblock,
        subcommands: &[],
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        keys: KeySpec::NONE,
        group: Group::Connection,
        since: "5.0.0",
        summary: "Show helpful text about the different subcommands",
        handler: client_help,
        subcommands: &[],
    },
];

/// `PING [message]` — a RESP2 client in subscriber mode gets the array
/// `pong`, message (empty when none), so it can tell the reply from a message.
fn ping(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    if argv.len() > 2 {
        return Err(Error::WrongArity("ping".into()));
    }
    let client = ctx.client_state()?;
    if client.protocol == Protocol::Resp2 && client.subs.is_subscribed() {
        let message = argv.get(1).map_or(&[][..], |m| m.as_slice());
        return Ok(Reply::Array(vec![Reply::bulk(b"pong"), Reply::bulk(message)]).into());
    }
    match argv.get(1) {
        None => Ok(Reply::status("PONG").into()),
        Some(message) => Ok(Reply::bulk(message).into()),
    }
}

/// `ECHO message`
fn echo(_ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(Reply::bulk(&argv[1]).into())
}

/// Container commands are resolved to a subcommand by the node before any
/// handler runs, so this only runs if the table is inconsistent.
pub(crate) fn container_without_subcommand(_ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Err(Error::UnknownSubcommand {
        sub: argv.get(1).cloned().unwrap_or_default(),
        container: String::from_utf8_lossy(&argv[0]).into_owned(),
    })
}

/// `HELLO [protover [AUTH username password] [SETNAME clientname]]`
///
/// Options apply left to right as they are read: a bad option after SETNAME
/// leaves the new name in place, as in Redis 7.0.
fn hello(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let mut protocol = None;
    let mut args = Args::new(&argv[1..]);
    if let Some(raw) = args.peek() {
        let version = parse_i64(raw).ok_or_else(|| Error::text("ERR Protocol version is not an integer or out of range"))?;
        args.next_bytes()?;
        protocol = Some(match version {
            2 => Protocol::Resp2,
            3 => Protocol::Resp3,
            _ => return Err(Error::text("NOPROTO unsupported protocol version")),
        });
    }
    while let Some(option) = args.peek() {
        args.next_bytes()?;
        if option.eq_ignore_ascii_case(b"auth") && args.remaining() >= 2 {
            let user = args.next_bytes()?;
            let password = args.next_bytes()?;
            check_credentials(ctx, user, password)?;
            ctx.client_state()?.authenticated = true;
        } else if option.eq_ignore_ascii_case(b"setname") && args.remaining() >= 1 {
            let name = args.next_bytes()?;
            set_client_name(ctx, name)?;
        } else {
            return Err(Error::WithArg { prefix: "ERR Syntax error in HELLO option '", arg: option.to_vec(), suffix: "'" });
        }
    }
    let id = ctx.client;
    if ctx.node.auth_required(id) {
        return Err(Error::text(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
        ));
    }
    let client = ctx.client_state()?;
    if let Some(p) = protocol {
        client.protocol = p;
    }
    let proto = match client.protocol {
        Protocol::Resp2 => 2,
        Protocol::Resp3 => 3,
    };
    Ok(Reply::Map(vec![
        (Reply::bulk(b"server"), Reply::bulk(b"redis")),
        (Reply::bulk(b"version"), Reply::bulk(REDIS_VERSION.as_bytes())),
        (Reply::bulk(b"proto"), Reply::Integer(proto)),
        (Reply::bulk(b"id"), Reply::Integer(id as i64)),
        (Reply::bulk(b"mode"), Reply::bulk(b"standalone")),
        (Reply::bulk(b"role"), Reply::bulk(b"master")),
        (Reply::bulk(b"modules"), Reply::Array(Vec::new())),
    ])
    .into())
}

/// Only the `default` user exists. Its password is `requirepass`; without
/// one any password is accepted for it. Other user names are refused.
fn check_credentials(ctx: &mut Ctx, user: &[u8], password: &[u8]) -> Result<(), Error> {
    let required = &ctx.node.config.requirepass;
    if user == b"default" && (required.is_empty() || required.as_slice() == password) {
        Ok(())
    } else {
        Err(Error::WrongPass)
    }
}

/// `AUTH [username] password` — a failed attempt leaves an authenticated
/// connection authenticated.
fn auth(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let (user, password) = match argv {
        [_, password] => {
            if ctx.node.config.requirepass.is_empty() {
                return Err(Error::text(
                    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
                ));
            }
            (&b"default"[..], password)
        }
        [_, user, password] => (user.as_slice(), password),
        _ => return Err(Error::Syntax),
    };
    check_credentials(ctx, user, password)?;
    ctx.client_state()?.authenticated = true;
    ok()
}

/// Validates and sets the connection name; an empty name clears it.
fn set_client_name(ctx: &mut Ctx, name: &[u8]) -> Result<(), Error> {
    if name.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(Error::text("ERR Client names cannot contain spaces, newlines or special characters."));
    }
    ctx.client_state()?.name = if name.is_empty() { None } else { Some(name.to_vec()) };
    Ok(())
}

/// `SELECT index`
fn select(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let index = parse_i64(&argv[1]).ok_or(Error::NotInteger)?;
    if index != 0 && ctx.node.cluster_state().is_some() {
        return Err(Error::text("ERR SELECT is not allowed in cluster mode"));
    }
    if !(0..DATABASES as i64).contains(&index) {
        return Err(Error::DbIndexOutOfRange);
    }
    ctx.client_state()?.db = index as usize;
    ok()
}

/// `QUIT` — replies OK, then the connection closes.
fn quit(_ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(Outcome::Close(Reply::ok()))
}

/// `RESET` — back to a fresh connection's state: no transaction or watches,
/// no subscriptions (left without confirmations), database 0, RESP2, no name.
fn reset(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let no_password = ctx.node.config.requirepass.is_empty();
    ctx.node.unwatch_all(ctx.client);
    ctx.node.leave_all_pubsub(ctx.client);
    let client = ctx.client_state()?;
    client.multi = None;
    client.db = 0;
    client.protocol = Protocol::Resp2;
    client.name = None;
    // Back to the default user, which needs AUTH again if it has a password.
    client.authenticated = no_password;
    Ok(Reply::status("RESET").into())
}

/// `CLIENT ID`
fn client_id(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(Reply::Integer(ctx.client as i64).into())
}

/// `CLIENT SETNAME connection-name`
fn client_setname(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    set_client_name(ctx, &argv[2])?;
    ok()
}

/// `CLIENT GETNAME`
fn client_getname(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(ctx.client_state()?.name.clone().map_or(Reply::Nil, Reply::Bulk).into())
}

/// The client types CLIENT LIST / KILL filter on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ClientType {
    Normal,
    Master,
    Replica,
    Pubsub,
}

fn parse_client_type(raw: &[u8]) -> Result<ClientType, Error> {
    let lower = raw.to_ascii_lowercase();
    match lower.as_slice() {
        b"normal" => Ok(ClientType::Normal),
        b"master" => Ok(ClientType::Master),
        b"replica" | b"slave" => Ok(ClientType::Replica),
        b"pubsub" => Ok(ClientType::Pubsub),
        _ => Err(Error::text(alloc::format!("ERR Unknown client type '{}'", String::from_utf8_lossy(raw)))),
    }
}

/// Any subscription makes a client a pubsub client, until it leaves them all.
fn client_type_of(ctx: &Ctx, id: ClientId) -> ClientType {
    match ctx.node.client(id) {
        Some(c) if c.subs.is_subscribed() => ClientType::Pubsub,
        _ => ClientType::Normal,
    }
}

/// One CLIENT LIST line (without the newline).
fn describe_client(ctx: &Ctx, id: ClientId) -> String {
    let Some(c) = ctx.node.client(id) else { return String::new() };
    let now = ctx.now_ms;
    let multi = c.multi.as_ref().map_or(-1, |m| m.queued.len() as i64);
    let mut flags = String::new();
    if c.subs.is_subscribed() {
        flags.push('P');
    }
    if c.is_blocked() {
        flags.push('b');
    }
    if c.multi.is_some() {
        flags.push('x');
    }
    if c.watched_count() > 0 && c.watch_invalidated {
        flags.push('d');
    }
    if flags.is_empty() {
        flags.push('N');
    }
    alloc::format!(
        "id={} addr={} laddr=127.0.0.1:6379 fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd={} user=default redir=-1 resp={}",
        c.id,
        c.addr,
        7 + c.id,
        String::from_utf8_lossy(c.name.as_deref().unwrap_or_default()),
        now.saturating_sub(c.connected_ms) / 1000,
        now.saturating_sub(c.last_command_ms) / 1000,
        flags,
        c.db,
        c.subs.channels.len(),
        c.subs.patterns.len(),
        c.subs.shard_channels.len(),
        multi,
        c.last_command.map_or_else(|| String::from("NULL"), |r| r.full_name()),
        if c.protocol == Protocol::Resp3 { 3 } else { 2 },
    )
}

/// `CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]`
fn client_list(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let mut wanted_type = None;
    let mut wanted_ids: Option<Vec<ClientId>> = None;
    let mut args = Args::new(&argv[2..]);
    while let Some(option) = args.peek() {
        args.next_bytes()?;
        if option.eq_ignore_ascii_case(b"type") && args.remaining() >= 1 {
            wanted_type = Some(parse_client_type(args.next_bytes()?)?);
        } else if option.eq_ignore_ascii_case(b"id") && args.remaining() >= 1 {
            let mut ids = Vec::new();
            while let Some(raw) = args.peek() {
                // Redis reads the ids as unsigned numbers and rejects only
                // what does not parse, so 0 or -5 simply match nobody.
                match parse_i64(raw) {
                    Some(id) if id > 0 => ids.push(id as ClientId),
                    Some(_) => {}
                    None => return Err(Error::text("ERR Invalid client ID")),
                }
                args.next_bytes()?;
            }
            wanted_ids = Some(ids);
        } else {
            return Err(Error::Syntax);
        }
    }
    let ids: Vec<ClientId> = ctx.node.clients().map(|c| c.id).collect();
    let mut text = String::new();
    for id in ids {
        if wanted_type.is_some_and(|t| t != client_type_of(ctx, id)) {
            continue;
        }
        if wanted_ids.as_ref().is_some_and(|list| !list.contains(&id)) {
            continue;
        }
        text.push_str(&describe_client(ctx, id));
        text.push('\n');
    }
    Ok(Reply::Verbatim { format: *b"txt", text: text.into_bytes() }.into())
}

/// `CLIENT INFO`
fn client_info(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let mut text = describe_client(ctx, ctx.client);
    text.push('\n');
    Ok(Reply::Verbatim { format: *b"txt", text: text.into_bytes() }.into())
}

/// `CLIENT KILL ip:port` or `CLIENT KILL <filter> <value> ...`
fn client_kill(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    if argv.len() == 3 {
        // Old form: one address, an error when nobody matches, OK otherwise.
        let target = ctx.node.clients().find(|c| c.addr.as_bytes() == argv[2].as_slice()).map(|c| c.id);
        return match target {
            Some(id) => {
                ctx.node.disconnect(id);
                ok()
            }
            None => Err(Error::text("ERR No such client")),
        };
    }
    let mut id_filter = None;
    let mut type_filter = None;
    let mut addr_filter: Option<Vec<u8>> = None;
    let mut laddr_filter: Option<Vec<u8>> = None;
    let mut user_filter: Option<Vec<u8>> = None;
    let mut skip_me = true;
    let mut args = Args::new(&argv[2..]);
    while !args.is_empty() {
        if args.remaining() < 2 {
            return Err(Error::Syntax);
        }
        let option = args.next_bytes()?.to_ascii_lowercase();
        let value = args.next_bytes()?;
        match option.as_slice() {
            b"id" => match parse_i64(value) {
                Some(id) if id > 0 => id_filter = Some(id as ClientId),
                _ => return Err(Error::text("ERR client-id should be greater than 0")),
            },
            b"type" => type_filter = Some(parse_client_type(value)?),
            b"addr" => addr_filter = Some(value.to_vec()),
            b"laddr" => laddr_filter = Some(value.to_vec()),
            b"user" => user_filter = Some(value.to_vec()),
            b"skipme" => {
                skip_me = if value.eq_ignore_ascii_case(b"yes") {
                    true
                } else if value.eq_ignore_ascii_case(b"no") {
                    false
                } else {
                    return Err(Error::Syntax);
                }
            }
            _ => return Err(Error::Syntax),
        }
    }
    if user_filter.as_deref().is_some_and(|u| u != b"default") {
        return Err(Error::text(alloc::format!(
            "ERR No such user '{}'",
            String::from_utf8_lossy(user_filter.as_deref().unwrap_or_default())
        )));
    }
    let victims: Vec<ClientId> = ctx
        .node
        .clients()
        .filter(|c| id_filter.is_none_or(|id| c.id == id))
        .filter(|c| addr_filter.as_deref().is_none_or(|a| c.addr.as_bytes() == a))
        .filter(|_| laddr_filter.as_deref().is_none_or(|a| a == b"127.0.0.1:6379"))
        .filter(|c| !(skip_me && c.id == ctx.client))
        .map(|c| c.id)
        .filter(|&id| type_filter.is_none_or(|t| t == client_type_of(ctx, id)))
        .collect();
    for &id in &victims {
        if id == ctx.client {
            // The caller still gets its reply; the node closes it afterwards.
            ctx.client_state()?.close_requested = true;
        } else {
            ctx.node.disconnect(id);
        }
    }
    Ok(Reply::Integer(victims.len() as i64).into())
}

/// `CLIENT UNBLOCK client-id [TIMEOUT|ERROR]` — 1 when the client was blocked
/// and is now unblocked (with its timeout reply, or the UNBLOCKED error).
fn client_unblock(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    if argv.len() > 4 {
        return Err(Error::WithArg {
            prefix: "ERR unknown subcommand or wrong number of arguments for '",
            arg: argv[1].clone(),
            suffix: "'. Try CLIENT HELP.",
        });
    }
    let target = parse_i64(&argv[2]).ok_or(Error::NotInteger)?;
    let mut as_error = false;
    if let Some(reason) = argv.get(3) {
        if !(reason.eq_ignore_ascii_case(b"timeout") || reason.eq_ignore_ascii_case(b"error")) {
            return Err(Error::text("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
        }
        as_error = reason.eq_ignore_ascii_case(b"error");
    }
    let unblocked = target > 0 && ctx.node.unblock_by_request(target as ClientId, as_error);
    Ok(Reply::Integer(unblocked as i64).into())
}

/// `CLIENT HELP` — our own summary of the subcommands.
fn client_help(_ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(help_reply("CLIENT", CLIENT_SUBCOMMANDS))
}

/// A HELP reply built from a container's table rows (our own wording: usage
/// line, then each subcommand's syntax and summary).
pub(crate) fn help_reply(container: &str, subcommands: &[CommandSpec]) -> Outcome {
    let mut lines = vec![Reply::Status(alloc::format!("{} <subcommand> [arguments] — subcommands redplay has:", container).into())];
    for sub in subcommands {
        let upper = sub.name.to_ascii_uppercase();
        let syntax = super::meta::syntax(&alloc::format!("{}|{}", container.to_ascii_lowercase(), sub.name));
        let usage = if syntax.is_empty() { upper } else { alloc::format!("{} {}", upper, syntax) };
        lines.push(Reply::Status(usage.into()));
        lines.push(Reply::Status(alloc::format!("    {}", sub.summary).into()));
    }
    Outcome::Reply(Reply::Array(lines))
}

#[cfg(test)]
mod tests {
    use crate::reply::Reply;
    use crate::Node;

    #[test]
    fn help_lists_every_subcommand_from_the_table() {
        let mut node = Node::new();
        let client = node.connect(0);
        for container in ["CLIENT", "CONFIG", "COMMAND", "OBJECT", "PUBSUB"] {
            let replies = node.call(client, &[container.as_bytes(), b"HELP"], 1);
            let Some(Reply::Array(lines)) = replies.first() else { panic!("{container} HELP: {replies:?}") };
            let spec = node.command(container.as_bytes()).expect("container in table");
            assert_eq!(lines.len(), 1 + 2 * spec.subcommands.len(), "{container}");
            for sub in spec.subcommands {
                let usage = sub.name.to_ascii_uppercase();
                assert!(
                    lines.iter().any(|l| matches!(l, Reply::Status(t) if t.starts_with(&usage))),
                    "{container} HELP lacks {usage}"
                );
            }
        }
    }
}
