//! Server commands: DBSIZE, FLUSHDB, FLUSHALL, TIME, INFO, CONFIG (GET, SET,
//! RESETSTAT, REWRITE, HELP) and the COMMAND container (COUNT, LIST, INFO,
//! DOCS, GETKEYS, HELP), which reads the table.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Write;

use super::connection::{help_reply, REDIS_VERSION};
use super::{flags::*, ok, CommandSpec, Ctx, Group, KeySpec, Outcome};
use crate::args::parse_i64;
use crate::config::ConfigError;
use crate::error::Error;
use crate::node::Resolved;
use crate::reply::Reply;

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "dbsize",
        arity: 1,
        flags: READONLY | FAST,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "1.0.0",
        summary: "Return the number of keys in the selected database",
        handler: dbsize,
        subcommands: &[],
    },
    CommandSpec {
        name: "flushdb",
        arity: -1,
        flags: WRITE,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "1.0.0",
        summary: "Remove all keys from the current database",
        handler: flushdb,
        subcommands: &[],
    },
    CommandSpec {
        name: "flushall",
        arity: -1,
        flags: WRITE,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "1.0.0",
        summary: "Remove all keys from all databases",
        handler: flushall,
        subcommands: &[],
    },
    CommandSpec {
        name: "swapdb",
        arity: 3,
        flags: WRITE | FAST,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "4.0.0",
        summary: "Swaps two Redis databases",
        handler: swapdb,
        subcommands: &[],
    },
    CommandSpec {
        name: "time",
        arity: 1,
        flags: LOADING | STALE | FAST,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "2.6.0",
        summary: "Return the current server time",
        handler: time,
        subcommands: &[],
    },
    CommandSpec {
        name: "info",
        arity: -1,
        flags: LOADING | STALE,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "1.0.0",
        summary: "Get information and statistics about the server",
        handler: info,
        subcommands: &[],
    },
    CommandSpec {
        name: "config",
        arity: -2,
        flags: 0,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "2.0.0",
        summary: "A container for server configuration commands",
        handler: super::connection::container_without_subcommand,
        subcommands: CONFIG_SUBCOMMANDS,
    },
    CommandSpec {
        name: "command",
        arity: -1,
        flags: LOADING | STALE,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "2.8.13",
        summary: "Get array of Redis command details",
        handler: command_all,
        subcommands: COMMAND_SUBCOMMANDS,
    },
];

const CONFIG_FLAGS: u32 = ADMIN | NOSCRIPT | LOADING | STALE;

const CONFIG_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        arity: -3,
        flags: CONFIG_FLAGS,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "2.0.0",
        summary: "Get the values of configuration parameters",
        handler: config_get,
        subcommands: &[],
    },
    CommandSpec {
        name: "set",
        arity: -4,
        flags: CONFIG_FLAGS,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "2.0.0",
        summary: "Set configuration parameters to the given values",
        handler: config_set,
        subcommands: &[],
    },
    CommandSpec {
        name: "resetstat",
        arity: 2,
        flags: CONFIG_FLAGS,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "2.0.0",
        summary: "Reset the stats returned by INFO",
        handler: config_resetstat,
        subcommands: &[],
    },
    CommandSpec {
        name: "rewrite",
        arity: 2,
        flags: CONFIG_FLAGS,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "2.8.0",
        summary: "Rewrite the configuration file with the in memory configuration",
        handler: config_rewrite,
        subcommands: &[],
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "5.0.0",
        summary: "Show helpful text about the different subcommands",
        handler: config_help,
        subcommands: &[],
    },
];

/// `CONFIG GET parameter [parameter ...]` — each parameter is a glob pattern.
fn config_get(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let mut pairs: Vec<(Vec<u8>, String)> = Vec::new();
    for pattern in &argv[2..] {
        for (name, value) in ctx.node.config.get(pattern) {
            if !pairs.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
                pairs.push((name, value));
            }
        }
    }
    Ok(Reply::Map(pairs.into_iter().map(|(n, v)| (Reply::Bulk(n), Reply::Bulk(v.into_bytes()))).collect()).into())
}

/// `CONFIG SET parameter value [parameter value ...]` — all or nothing.
fn config_set(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let rest = &argv[2..];
    if rest.len() % 2 != 0 {
        return Err(Error::Syntax);
    }
    let pairs: Vec<(&[u8], &[u8])> = rest.chunks(2).map(|pair| (pair[0].as_slice(), pair[1].as_slice())).collect();
    ctx.node.config.set_all(&pairs).map_err(|e| match e {
        ConfigError::Unknown(name) => Error::WithArg {
            prefix: "ERR Unknown option or number of arguments for CONFIG SET - '",
            arg: name,
            suffix: "'",
        },
        ConfigError::Invalid { name, reason } => {
            let mut text = b"ERR CONFIG SET failed (possibly related to argument '".to_vec();
            text.extend_from_slice(&name);
            text.extend_from_slice(b"') - ");
            text.extend_from_slice(reason.as_bytes());
            Error::WithArg { prefix: "", arg: text, suffix: "" }
        }
    })?;
    ok()
}

/// `CONFIG RESETSTAT`
fn config_resetstat(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let start = ctx.node.stats.start_ms;
    ctx.node.stats = crate::node::Stats { start_ms: start, ..Default::default() };
    ok()
}

/// `CONFIG REWRITE` — there is no configuration file to rewrite.
fn config_rewrite(_ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Err(Error::text("ERR The server is running without a config file"))
}

/// `CONFIG HELP`
fn config_help(_ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(help_reply("CONFIG", CONFIG_SUBCOMMANDS))
}

const COMMAND_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "count",
        arity: 2,
        flags: LOADING | STALE,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "2.8.13",
        summary: "Get total number of Redis commands",
        handler: command_count,
        subcommands: &[],
    },
    CommandSpec {
        name: "list",
        arity: -2,
        flags: LOADING | STALE,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "7.0.0",
        summary: "Get an array of Redis command names",
        handler: command_list,
        subcommands: &[],
    },
    CommandSpec {
        name: "info",
        arity: -2,
        flags: LOADING | STALE,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "2.8.13",
        summary: "Get array of specific Redis command details, or all when no argument is given.",
        handler: command_info,
        subcommands: &[],
    },
    CommandSpec {
        name: "docs",
        arity: -2,
        flags: LOADING | STALE,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "7.0.0",
        summary: "Get array of specific Redis command documentation",
        handler: command_docs,
        subcommands: &[],
    },
    CommandSpec {
        name: "getkeys",
        arity: -4,
        flags: LOADING | STALE,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "2.8.13",
        summary: "Extract keys given a full Redis command",
        handler: command_getkeys,
        subcommands: &[],
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        keys: KeySpec::NONE,
        group: Group::Server,
        since: "5.0.0",
        summary: "Show helpful text about the different subcommands",
        handler: command_help,
        subcommands: &[],
    },
];

/// `DBSIZE`
fn dbsize(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(Reply::Integer(ctx.db().len() as i64).into())
}

/// FLUSHDB and FLUSHALL take one optional ASYNC or SYNC (the same here).
fn check_flush_mode(argv: &[Vec<u8>]) -> Result<(), Error> {
    match argv.get(1) {
        None => Ok(()),
        Some(mode) if argv.len() == 2 && (mode.eq_ignore_ascii_case(b"async") || mode.eq_ignore_ascii_case(b"sync")) => {
            Ok(())
        }
        Some(_) => Err(Error::Syntax),
    }
}

/// `FLUSHDB [ASYNC|SYNC]`
fn flushdb(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    check_flush_mode(argv)?;
    ctx.db().clear();
    ok()
}

/// `FLUSHALL [ASYNC|SYNC]`
fn flushall(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    check_flush_mode(argv)?;
    for db in ctx.node.dbs.iter_mut() {
        db.clear();
    }
    ok()
}

/// `SWAPDB index1 index2`
fn swapdb(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    if ctx.node.cluster_state().is_some() {
        return Err(Error::text("ERR SWAPDB is not allowed in cluster mode"));
    }
    let first = parse_i64(&argv[1]).ok_or_else(|| Error::text("ERR invalid first DB index"))?;
    let second = parse_i64(&argv[2]).ok_or_else(|| Error::text("ERR invalid second DB index"))?;
    let count = ctx.node.dbs.len() as i64;
    if !(0..count).contains(&first) || !(0..count).contains(&second) {
        return Err(Error::DbIndexOutOfRange);
    }
    let (low, high) = (first.min(second) as usize, first.max(second) as usize);
    if low != high {
        let (head, tail) = ctx.node.dbs.split_at_mut(high);
        crate::db::Db::swap_contents(&mut head[low], &mut tail[0]);
    }
    ok()
}

/// `TIME` — the virtual clock as [unix seconds, microseconds].
fn time(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let seconds = ctx.now_ms / 1000;
    let micros = (ctx.now_ms % 1000) * 1000;
    Ok(Reply::Array(vec![
        Reply::Bulk(seconds.to_string_bytes()),
        Reply::Bulk(micros.to_string_bytes()),
    ])
    .into())
}

trait DecimalBytes {
    fn to_string_bytes(self) -> Vec<u8>;
}

impl DecimalBytes for u64 {
    fn to_string_bytes(self) -> Vec<u8> {
        alloc::format!("{}", self).into_bytes()
    }
}

/// INFO's sections, in the order `INFO` / `INFO default` prints them.
const INFO_SECTIONS: &[&str] = &["server", "clients", "memory", "stats", "replication", "keyspace"];

/// `INFO [section [section ...]]` — sections redplay can report truthfully.
fn info(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let requested: Vec<String> =
        argv[1..].iter().map(|s| String::from_utf8_lossy(s).to_ascii_lowercase()).collect();
    let everything = requested.is_empty()
        || requested.iter().any(|s| s == "all" || s == "everything" || s == "default");
    let mut text = String::new();
    for section in INFO_SECTIONS {
        if !(everything || requested.iter().any(|r| r == section)) {
            continue;
        }
        if !text.is_empty() {
            text.push_str("\r\n");
        }
        write_info_section(ctx, section, &mut text);
    }
    Ok(Reply::Verbatim { format: *b"txt", text: text.into_bytes() }.into())
}

fn write_info_section(ctx: &mut Ctx, section: &str, out: &mut String) {
    let node = &*ctx.node;
    let now = ctx.now_ms;
    // Writing into a String cannot fail.
    let _ = match section {
        "server" => write!(
            out,
            "# Server\r\nredis_version:{}\r\nredis_mode:standalone\r\nos:redplay (WebAssembly-ready engine)\r\narch_bits:64\r\nhz:10\r\ntcp_port:6379\r\nserver_time_usec:{}\r\nuptime_in_seconds:{}\r\nuptime_in_days:{}\r\n",
            REDIS_VERSION,
            now * 1000,
            now.saturating_sub(node.stats.start_ms) / 1000,
            now.saturating_sub(node.stats.start_ms) / 86_400_000,
        ),
        "clients" => write!(
            out,
            "# Clients\r\nconnected_clients:{}\r\ncluster_connections:0\r\nmaxclients:10000\r\nblocked_clients:{}\r\ntracking_clients:0\r\nclients_in_timeout_table:{}\r\n",
            node.clients().count(),
            node.blocked_clients(),
            node.timed_blocked_clients(),
        ),
        "memory" => {
            let used = node.used_memory();
            let dataset = used - crate::node::BASELINE_MEMORY_BYTES;
            write!(
                out,
                "# Memory\r\nused_memory:{}\r\nused_memory_human:{}\r\nused_memory_startup:{}\r\nused_memory_dataset:{}\r\nmaxmemory:{}\r\nmaxmemory_human:{}\r\nmaxmemory_policy:{}\r\n",
                used,
                human_bytes(used as u64),
                crate::node::BASELINE_MEMORY_BYTES,
                dataset,
                node.config.maxmemory,
                human_bytes(node.config.maxmemory),
                node.config.maxmemory_policy
            )
        }
        "stats" => write!(
            out,
            "# Stats\r\ntotal_connections_received:{}\r\ntotal_commands_processed:{}\r\npubsub_channels:{}\r\npubsub_patterns:{}\r\npubsubshard_channels:{}\r\n",
            node.stats.connections_received,
            node.stats.commands_processed,
            node.pubsub().channels.len(),
            node.pubsub().patterns.len(),
            node.pubsub().shard_channels.len(),
        ),
        "replication" => write!(out, "# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"),
        "keyspace" => {
            let _ = write!(out, "# Keyspace\r\n");
            for (index, db) in node.dbs.iter().enumerate() {
                if !db.is_empty() {
                    let _ = write!(out, "db{}:keys={},expires={},avg_ttl=0\r\n", index, db.len(), db.expires_count());
                }
            }
            Ok(())
        }
        _ => Ok(()),
    };
}

/// Bytes as INFO's `*_human` fields print them (`1.63M`, `0B`).
fn human_bytes(bytes: u64) -> String {
    const UNITS: &[(u64, &str)] = &[(1 << 50, "P"), (1 << 40, "T"), (1 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")];
    for &(size, unit) in UNITS {
        if bytes >= size {
            let mut text = crate::float_text::format_fixed(bytes as f64 / size as f64, 2);
            text.push_str(unit);
            return text;
        }
    }
    alloc::format!("{}B", bytes)
}

/// `COMMAND` — every command's details.
fn command_all(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let _ = ctx;
    Ok(Reply::Array(super::all().map(|spec| command_info_reply(Resolved { spec, parent: None })).collect()).into())
}

/// `COMMAND COUNT`
fn command_count(_ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(Reply::Integer(super::all().count() as i64).into())
}

/// Every command and subcommand, as (full name, resolved).
fn every_command() -> Vec<Resolved> {
    let mut list = Vec::new();
    for spec in super::all() {
        list.push(Resolved { spec, parent: None });
        for sub in spec.subcommands {
            list.push(Resolved { spec: sub, parent: Some(spec) });
        }
    }
    list
}

/// `COMMAND LIST [FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]`
fn command_list(_ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let names = every_command();
    let selected: Vec<Reply> = match argv.len() {
        2 => names.iter().map(|r| Reply::Bulk(r.full_name().into_bytes())).collect(),
        5 if argv[2].eq_ignore_ascii_case(b"filterby") => {
            let value = &argv[4];
            let filter = argv[3].to_ascii_lowercase();
            match filter.as_slice() {
                b"module" => Vec::new(),
                b"aclcat" => names
                    .iter()
                    .filter(|r| {
                        let record = super::meta::record(&r.full_name()).unwrap_or_default();
                        acl_categories(r.spec, &record).iter().any(|c| c.as_bytes()[1..].eq_ignore_ascii_case(value))
                    })
                    .map(|r| Reply::Bulk(r.full_name().into_bytes()))
                    .collect(),
                b"pattern" => names
                    .iter()
                    .filter(|r| crate::glob::matches(value, r.full_name().as_bytes(), true))
                    .map(|r| Reply::Bulk(r.full_name().into_bytes()))
                    .collect(),
                _ => return Err(Error::Syntax),
            }
        }
        _ => return Err(Error::Syntax),
    };
    Ok(Reply::Array(selected).into())
}

/// Finds `name` (`get`, `client|list`) in the table.
fn find_command(name: &[u8]) -> Option<Resolved> {
    let lower = name.to_ascii_lowercase();
    every_command().into_iter().find(|r| r.full_name().as_bytes() == lower.as_slice())
}

/// `COMMAND INFO [command-name [command-name ...]]`
fn command_info(_ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    if argv.len() == 2 {
        return Ok(Reply::Array(super::all().map(|spec| command_info_reply(Resolved { spec, parent: None })).collect()).into());
    }
    Ok(Reply::Array(argv[2..].iter().map(|name| find_command(name).map_or(Reply::Nil, command_info_reply)).collect()).into())
}

/// ACL categories in the order Redis lists them.
const ACL_CATEGORIES: &[&str] = &[
    "@keyspace", "@read", "@write", "@set", "@sortedset", "@list", "@hash", "@string", "@bitmap", "@hyperloglog", "@geo",
    "@stream", "@pubsub", "@admin", "@fast", "@slow", "@blocking", "@dangerous", "@connection", "@transaction",
    "@scripting",
];

/// A command's ACL categories: those its metadata record names plus those
/// Redis implies from its flags (write, read, admin and dangerous, pubsub,
/// fast, blocking; slow when not fast), as `@name` in Redis's order.
fn acl_categories(spec: &CommandSpec, record: &super::meta::Record) -> Vec<&'static str> {
    let implied: &[(u32, &[&str])] = &[
        (WRITE, &["write"]),
        (READONLY, &["read"]),
        (ADMIN, &["admin", "dangerous"]),
        (PUBSUB, &["pubsub"]),
        (FAST, &["fast"]),
        (BLOCKING, &["blocking"]),
    ];
    let mut names: Vec<&str> = record.acl.split(' ').collect();
    for (flag, categories) in implied {
        if spec.has_flag(*flag) {
            names.extend_from_slice(categories);
        }
    }
    if !names.contains(&"fast") {
        names.push("slow");
    }
    ACL_CATEGORIES.iter().filter(|at| names.contains(&&at[1..])).copied().collect()
}

/// One command's COMMAND INFO entry: name, arity, flags, first key, last key,
/// step, ACL categories, tips, key specs, subcommands.
fn command_info_reply(resolved: Resolved) -> Reply {
    let spec = resolved.spec;
    let flags = NAMES
        .iter()
        .filter(|(bit, _)| spec.has_flag(*bit))
        .map(|(_, name)| Reply::status(*name))
        .collect();
    let record = super::meta::record(&resolved.full_name()).unwrap_or_default();
    let categories = acl_categories(spec, &record).into_iter().map(|c| Reply::status(c)).collect();
    let subcommands: Vec<Reply> =
        spec.subcommands.iter().map(|sub| command_info_reply(Resolved { spec: sub, parent: Some(spec) })).collect();
    Reply::Array(vec![
        Reply::Bulk(resolved.full_name().into_bytes()),
        Reply::Integer(spec.arity as i64),
        Reply::Set(flags),
        Reply::Integer(spec.keys.first as i64),
        Reply::Integer(spec.keys.last as i64),
        Reply::Integer(spec.keys.step as i64),
        Reply::Set(categories),
        super::meta::tips_reply(&record),
        super::meta::key_specs_reply(&record),
        // Redis answers an empty set when there are no subcommands.
        if subcommands.is_empty() { Reply::Set(subcommands) } else { Reply::Array(subcommands) },
    ])
}

/// `COMMAND DOCS [command-name [command-name ...]]`
fn command_docs(_ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let wanted: Vec<Resolved> = if argv.len() == 2 {
        super::all().map(|spec| Resolved { spec, parent: None }).collect()
    } else {
        argv[2..].iter().filter_map(|name| find_command(name)).collect()
    };
    let mut pairs = Vec::new();
    for resolved in wanted {
        let full_name = resolved.full_name();
        pairs.push((Reply::bulk(full_name.as_bytes()), docs_reply(&full_name, resolved.spec)));
    }
    Ok(Reply::Map(pairs).into())
}

/// One command's COMMAND DOCS map: summary, since and group from its row,
/// the rest from its metadata record, then its subcommands.
fn docs_reply(full_name: &str, spec: &CommandSpec) -> Reply {
    let mut fields = vec![
        (Reply::bulk(b"summary"), Reply::bulk(spec.summary.as_bytes())),
        (Reply::bulk(b"since"), Reply::bulk(spec.since.as_bytes())),
        (Reply::bulk(b"group"), Reply::bulk(spec.group.name().as_bytes())),
    ];
    fields.extend(super::meta::docs_fields(full_name));
    if !spec.subcommands.is_empty() {
        let subs = spec
            .subcommands
            .iter()
            .map(|sub| {
                let sub_name = alloc::format!("{}|{}", spec.name, sub.name);
                (Reply::bulk(sub_name.as_bytes()), docs_reply(&sub_name, sub))
            })
            .collect();
        fields.push((Reply::bulk(b"subcommands"), Reply::Map(subs)));
    }
    Reply::Map(fields)
}

/// `COMMAND GETKEYS command [arg [arg ...]]`
fn command_getkeys(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let target = &argv[2..];
    let resolved = ctx.node.resolve(target).map_err(|e| match e {
        Error::WrongArity(_) => Error::text("ERR Invalid number of arguments specified for command"),
        _ => Error::text("ERR Invalid command specified"),
    })?;
    let keys = super::keys_of(resolved.spec, target);
    if keys.is_empty() {
        return Err(Error::text("ERR The command has no key arguments"));
    }
    Ok(Reply::Array(keys.into_iter().map(|i| Reply::Bulk(target[i].clone())).collect()).into())
}

/// `COMMAND HELP`
fn command_help(_ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    Ok(help_reply("COMMAND", COMMAND_SUBCOMMANDS))
}
