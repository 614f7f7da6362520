//! Cluster commands: the CLUSTER container (INFO, MYID, NODES, SLOTS, SHARDS,
//! REPLICAS, SLAVES, COUNT-FAILURE-REPORTS, KEYSLOT, COUNTKEYSINSLOT,
//! GETKEYSINSLOT, SETSLOT, FAILOVER, HELP), ASKING, READONLY, READWRITE and
//! MIGRATE.
//!
//! They read the node's own cluster view (`crate::cluster::NodeCluster`); a
//! standalone node answers all of them with Redis's cluster-disabled error.
//! Changes other nodes must learn (SETSLOT NODE, FAILOVER) are queued on the
//! node's outgoing bus for the cluster driver; so is MIGRATE, whose reply
//! the driver sends once the target node has answered.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::connection::help_reply;
use super::{flags::*, ok, CommandSpec, Ctx, Group, KeySpec, Outcome};
use crate::args::parse_i64;
use crate::cluster::slot::{key_slot, SLOTS};
use crate::cluster::state::{MigrateRequest, NodeCluster, Outgoing};
use crate::cluster::topology::{Topology, HOST};
use crate::error::Error;
use crate::reply::Reply;

const INFO_FLAGS: u32 = STALE;
const ADMIN_FLAGS: u32 = ADMIN | STALE;

macro_rules! sub {
    ($name:expr, $arity:expr, $flags:expr, $summary:expr, $handler:expr) => {
        sub!($name, $arity, $flags, $summary, $handler, since "3.0.0")
    };
    ($name:expr, $arity:expr, $flags:expr, $summary:expr, $handler:expr, since $since:expr) => {
        CommandSpec {
            name: $name,
            arity: $arity,
            flags: $flags,
            keys: KeySpec::NONE,
            group: Group::Cluster,
            since: $since,
            summary: $summary,
            handler: $handler,
            subcommands: &[],
        }
    };
}

pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "cluster",
        arity: -2,
        flags: 0,
        keys: KeySpec::NONE,
        group: Group::Cluster,
        since: "3.0.0",
        summary: "A container for cluster commands",
        handler: super::connection::container_without_subcommand,
        subcommands: CLUSTER_SUBCOMMANDS,
    },
    sub!("asking", 1, FAST, "Sent by cluster clients after an -ASK redirect", asking),
    sub!("readonly", 1, FAST | LOADING | STALE, "Enables read queries for a connection to a cluster replica node", readonly),
    sub!("readwrite", 1, FAST | LOADING | STALE, "Disables read queries for a connection to a cluster replica node", readwrite),
    CommandSpec {
        name: "migrate",
        arity: -6,
        flags: WRITE | MOVABLE_KEYS,
        keys: KeySpec { first: 3, last: 3, step: 1 },
        group: Group::Generic,
        since: "2.6.0",
        summary: "Atomically transfer a key from a Redis instance to another one.",
        handler: migrate,
        subcommands: &[],
    },
];

const CLUSTER_SUBCOMMANDS: &[CommandSpec] = &[
    sub!("info", 2, INFO_FLAGS, "Provides info about Redis Cluster node state", cluster_info),
    sub!("myid", 2, INFO_FLAGS, "Return the node id", cluster_myid),
    sub!("nodes", 2, INFO_FLAGS, "Get Cluster config for the node", cluster_nodes),
    sub!("slots", 2, STALE, "Get array of Cluster slot to node mappings", cluster_slots),
    sub!("shards", 2, STALE, "Get array of cluster slots to node mappings", cluster_shards, since "7.0.0"),
    sub!("replicas", 3, ADMIN_FLAGS, "List replica nodes of the specified master node", cluster_replicas, since "5.0.0"),
    sub!("slaves", 3, ADMIN_FLAGS, "List replica nodes of the specified master node", cluster_replicas),
    sub!("count-failure-reports", 3, ADMIN_FLAGS, "Return the number of failure reports active for a given node", cluster_count_failure_reports),
    sub!("keyslot", 3, INFO_FLAGS, "Returns the hash slot of the specified key", cluster_keyslot),
    sub!("countkeysinslot", 3, INFO_FLAGS, "Return the number of local keys in the specified hash slot", cluster_countkeysinslot),
    sub!("getkeysinslot", 4, INFO_FLAGS, "Return local key names in the specified hash slot", cluster_getkeysinslot),
    sub!("setslot", -4, ADMIN_FLAGS | NO_ASYNC_LOADING, "Bind a hash slot to a specific node", cluster_setslot),
    sub!("failover", -2, ADMIN_FLAGS | NO_ASYNC_LOADING, "Forces a replica to perform a manual failover of its master.", cluster_failover),
    sub!("help", 2, LOADING | STALE, "Show helpful text about the different subcommands", cluster_help, since "5.0.0"),
];

const DISABLED: &str = "ERR This instance has cluster support disabled";

/// The calling node's cluster state, or the cluster-disabled error.
fn state<'a>(ctx: &'a mut Ctx) -> Result<&'a mut NodeCluster, Error> {
    ctx.node.cluster_state_mut().ok_or_else(|| Error::text(DISABLED))
}

/// `ASKING`
fn asking(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let client = ctx.client;
    state(ctx)?.asking.insert(client);
    ok()
}

/// `READONLY`
fn readonly(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let client = ctx.client;
    state(ctx)?.readonly.insert(client);
    ok()
}

/// `READWRITE`
fn readwrite(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let client = ctx.client;
    state(ctx)?.readonly.remove(&client);
    ok()
}

/// `CLUSTER HELP`
fn cluster_help(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    state(ctx)?;
    Ok(help_reply("CLUSTER", CLUSTER_SUBCOMMANDS))
}

/// `CLUSTER INFO`
fn cluster_info(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let _ = argv;
    let s = state(ctx)?;
    let view = &s.view;
    let assigned = view.slots.iter().filter(|&&o| view.nodes.get(o as usize).is_some()).count();
    let failing = view.slots.iter().filter(|&&o| view.nodes.get(o as usize).is_some_and(|n| n.failed)).count();
    let suspected =
        view.slots.iter().filter(|&&o| view.nodes.get(o as usize).is_some_and(|n| n.suspected && !n.failed)).count();
    let mut text = alloc::format!(
        "cluster_state:{}\r\ncluster_slots_assigned:{}\r\ncluster_slots_ok:{}\r\ncluster_slots_pfail:{}\r\ncluster_slots_fail:{}\r\ncluster_known_nodes:{}\r\ncluster_size:{}\r\ncluster_current_epoch:{}\r\ncluster_my_epoch:{}\r\n",
        if view.is_ok() { "ok" } else { "fail" },
        assigned,
        assigned - failing - suspected,
        suspected,
        failing,
        view.nodes.len(),
        view.size(),
        view.current_epoch,
        view.shown_epoch(s.myself),
    );
    text.push_str(&s.traffic.info_lines());
    text.push_str("total_cluster_links_buffer_limit_exceeded:0\r\n");
    Ok(Reply::Verbatim { format: *b"txt", text: text.into_bytes() }.into())
}

/// `CLUSTER MYID`
fn cluster_myid(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let s = state(ctx)?;
    let id = s.view.nodes.get(s.myself).map(|n| n.id.clone()).unwrap_or_default();
    Ok(Reply::Bulk(id.into_bytes()).into())
}

/// One line of CLUSTER NODES (without the newline), as `node` looks from `myself`.
pub fn node_line(view: &Topology, node: usize, myself: usize, state: Option<&NodeCluster>, now_ms: u64) -> String {
    let Some(info) = view.nodes.get(node) else { return String::new() };
    let mut flags = String::new();
    if node == myself {
        flags.push_str("myself,");
    }
    flags.push_str(if info.is_primary() { "master" } else { "slave" });
    if info.failed {
        flags.push_str(",fail");
    } else if info.suspected {
        flags.push_str(",fail?");
    }
    let primary = info.primary.and_then(|p| view.nodes.get(p)).map_or("-", |p| p.id.as_str());
    let pong = if node == myself { now_ms / 1000 * 1000 } else { now_ms };
    let link = if info.failed || info.link_down { "disconnected" } else { "connected" };
    let mut line = alloc::format!(
        "{} {}:{}@{} {} {} 0 {} {} {}",
        info.id,
        HOST,
        info.port,
        info.port as u32 + 10000,
        flags,
        primary,
        pong,
        view.shown_epoch(node),
        link
    );
    for (first, last) in view.ranges_of(node) {
        if first == last {
            line.push_str(&alloc::format!(" {}", first));
        } else {
            line.push_str(&alloc::format!(" {}-{}", first, last));
        }
    }
    if let Some(state) = state.filter(|_| node == myself) {
        for (slot, target) in &state.migrating {
            let id = view.nodes.get(*target).map_or("", |n| n.id.as_str());
            line.push_str(&alloc::format!(" [{}->-{}]", slot, id));
        }
        for (slot, source) in &state.importing {
            let id = view.nodes.get(*source).map_or("", |n| n.id.as_str());
            line.push_str(&alloc::format!(" [{}-<-{}]", slot, id));
        }
    }
    line
}

/// `CLUSTER NODES`: this node first, then the others in node order.
fn cluster_nodes(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let s = state(ctx)?;
    let mut text = String::new();
    let order = core::iter::once(s.myself).chain((0..s.view.nodes.len()).filter(|&i| i != s.myself));
    for node in order {
        text.push_str(&node_line(&s.view, node, s.myself, Some(s), now));
        text.push('\n');
    }
    Ok(Reply::Verbatim { format: *b"txt", text: text.into_bytes() }.into())
}

fn node_entry(view: &Topology, node: usize) -> Reply {
    let Some(info) = view.nodes.get(node) else { return Reply::Nil };
    Reply::Array(vec![
        Reply::bulk(HOST.as_bytes()),
        Reply::Integer(info.port as i64),
        Reply::bulk(info.id.as_bytes()),
        Reply::Array(Vec::new()),
    ])
}

/// `CLUSTER SLOTS`: each range of slots with its primary, then its live replicas.
fn cluster_slots(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let s = state(ctx)?;
    let view = &s.view;
    let ranges = view
        .all_ranges()
        .into_iter()
        .map(|(first, last, owner)| {
            let mut entry = vec![Reply::Integer(first as i64), Reply::Integer(last as i64), node_entry(view, owner)];
            for replica in view.replicas_of(owner) {
                if view.nodes.get(replica).is_some_and(|n| !n.failed) {
                    entry.push(node_entry(view, replica));
                }
            }
            Reply::Array(entry)
        })
        .collect();
    Ok(Reply::Array(ranges).into())
}

/// `CLUSTER SHARDS`: each primary's slot ranges and the nodes of its shard.
fn cluster_shards(ctx: &mut Ctx, _argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let s = state(ctx)?;
    let view = &s.view;
    let offset = s.repl_offset as i64;
    let describe = |node: usize| {
        let Some(info) = view.nodes.get(node) else { return Reply::Nil };
        let text = |t: &str| Reply::bulk(t.as_bytes());
        Reply::Map(vec![
            (text("id"), text(&info.id)),
            (text("port"), Reply::Integer(info.port as i64)),
            (text("ip"), text(HOST)),
            (text("endpoint"), text(HOST)),
            (text("role"), text(if info.is_primary() { "master" } else { "replica" })),
            (text("replication-offset"), Reply::Integer(offset)),
            (text("health"), text(if info.failed { "fail" } else { "online" })),
        ])
    };
    let shards = (0..view.nodes.len())
        .filter(|&n| view.nodes.get(n).is_some_and(|i| i.is_primary()))
        .map(|primary| {
            let slots = view
                .ranges_of(primary)
                .into_iter()
                .flat_map(|(a, b)| [Reply::Integer(a as i64), Reply::Integer(b as i64)])
                .collect();
            let nodes = core::iter::once(primary).chain(view.replicas_of(primary)).map(describe).collect();
            Reply::Map(vec![(Reply::bulk(b"slots"), Reply::Array(slots)), (Reply::bulk(b"nodes"), Reply::Array(nodes))])
        })
        .collect();
    Ok(Reply::Array(shards).into())
}

/// `CLUSTER REPLICAS node-id` (and its old name SLAVES).
fn cluster_replicas(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let s = state(ctx)?;
    let Some(node) = s.view.find(&argv[2]) else {
        return Err(Error::WithArg { prefix: "ERR Unknown node ", arg: argv[2].clone(), suffix: "" });
    };
    if !s.view.nodes.get(node).is_some_and(|n| n.is_primary()) {
        return Err(Error::text("ERR The specified node is not a master"));
    }
    let lines = s
        .view
        .replicas_of(node)
        .map(|r| Reply::Bulk(node_line(&s.view, r, s.myself, None, now).into_bytes()))
        .collect();
    Ok(Reply::Array(lines).into())
}

/// `CLUSTER COUNT-FAILURE-REPORTS node-id`: failures are decided at once by
/// the driver, so no reports linger.
fn cluster_count_failure_reports(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let s = state(ctx)?;
    if s.view.find(&argv[2]).is_none() {
        return Err(Error::WithArg { prefix: "ERR Unknown node ", arg: argv[2].clone(), suffix: "" });
    }
    Ok(Reply::Integer(0).into())
}

/// `CLUSTER KEYSLOT key`
fn cluster_keyslot(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    state(ctx)?;
    Ok(Reply::Integer(key_slot(&argv[2]) as i64).into())
}

/// The keys of database 0 in `slot`, newest first: Redis keeps each slot's
/// keys in a list that new keys join at the head.
pub fn keys_in_slot(db: &crate::db::Db, slot: u16, limit: usize, now_ms: u64) -> Vec<Vec<u8>> {
    let mut keys: Vec<(u64, &[u8])> =
        db.live_entries(now_ms).filter(|(key, _)| key_slot(key) == slot).map(|(key, e)| (e.added_seq(), key)).collect();
    crate::heap_sort::sort_by_key(&mut keys, |&(added, _)| core::cmp::Reverse(added));
    keys.into_iter().take(limit).map(|(_, key)| key.to_vec()).collect()
}

fn parse_slot_number(raw: &[u8]) -> Result<i64, Error> {
    parse_i64(raw).ok_or(Error::NotInteger)
}

/// `CLUSTER COUNTKEYSINSLOT slot`
fn cluster_countkeysinslot(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    state(ctx)?;
    let slot = parse_slot_number(&argv[2])?;
    if !(0..SLOTS as i64).contains(&slot) {
        return Err(Error::text("ERR Invalid slot"));
    }
    let now = ctx.now_ms;
    let count = ctx.node.db(0).live_entries(now).filter(|(key, _)| key_slot(key) == slot as u16).count();
    Ok(Reply::Integer(count as i64).into())
}

/// `CLUSTER GETKEYSINSLOT slot count`
fn cluster_getkeysinslot(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    state(ctx)?;
    let slot = parse_slot_number(&argv[2])?;
    let count = parse_slot_number(&argv[3])?;
    if !(0..SLOTS as i64).contains(&slot) || count < 0 {
        return Err(Error::text("ERR Invalid slot or number of keys"));
    }
    let now = ctx.now_ms;
    let keys = keys_in_slot(ctx.node.db(0), slot as u16, count as usize, now);
    Ok(Reply::Array(keys.into_iter().map(Reply::Bulk).collect()).into())
}

/// `CLUSTER SETSLOT slot IMPORTING node-id|MIGRATING node-id|NODE node-id|STABLE`
fn cluster_setslot(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let now = ctx.now_ms;
    let holds_keys = |ctx: &mut Ctx, slot: u16| ctx.node.db(0).live_entries(now).any(|(key, _)| key_slot(key) == slot);
    let s = state(ctx)?;
    if !s.is_primary() {
        return Err(Error::text("ERR Please use SETSLOT only with masters."));
    }
    let slot = match parse_i64(&argv[2]) {
        Some(n) if (0..SLOTS as i64).contains(&n) => n as u16,
        _ => return Err(Error::text("ERR Invalid or out of range slot")),
    };
    let action = argv[3].to_ascii_lowercase();
    let bad_action = || Error::text("ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP");
    if action == b"stable" {
        if argv.len() != 4 {
            return Err(bad_action());
        }
        s.migrating.remove(&slot);
        s.importing.remove(&slot);
        return ok();
    }
    if !matches!(action.as_slice(), b"migrating" | b"importing" | b"node") || argv.len() != 5 {
        return Err(bad_action());
    }
    let id = &argv[4];
    let target = s.view.find(id);
    let myself = s.myself;
    let owner = s.view.owner(slot);
    match action.as_slice() {
        b"migrating" => {
            if owner != Some(myself) {
                return Err(Error::text(alloc::format!("ERR I'm not the owner of hash slot {}", slot)));
            }
            let Some(target) = target else {
                return Err(Error::WithArg { prefix: "ERR I don't know about node ", arg: id.clone(), suffix: "" });
            };
            if !s.view.nodes.get(target).is_some_and(|n| n.is_primary()) {
                return Err(Error::text("ERR Target node is not a master"));
            }
            s.migrating.insert(slot, target);
        }
        b"importing" => {
            if owner == Some(myself) {
                return Err(Error::text(alloc::format!("ERR I'm already the owner of hash slot {}", slot)));
            }
            let Some(source) = target else {
                return Err(Error::WithArg { prefix: "ERR I don't know about node ", arg: id.clone(), suffix: "" });
            };
            if !s.view.nodes.get(source).is_some_and(|n| n.is_primary()) {
                return Err(Error::text("ERR Target node is not a master"));
            }
            s.importing.insert(slot, source);
        }
        _ => {
            let Some(target) = target else {
                return Err(Error::WithArg { prefix: "ERR Unknown node ", arg: id.clone(), suffix: "" });
            };
            if !s.view.nodes.get(target).is_some_and(|n| n.is_primary()) {
                return Err(Error::text("ERR Target node is not a master"));
            }
            if owner == Some(myself) && target != myself && holds_keys(ctx, slot) {
                return Err(Error::text(alloc::format!(
                    "ERR Can't assign hashslot {} to a different node while I still hold keys for this hash slot.",
                    slot
                )));
            }
            let s = state(ctx)?;
            if target != myself {
                s.migrating.remove(&slot);
            }
            if target == myself {
                s.importing.remove(&slot);
            }
            s.outgoing.push(Outgoing::SlotOwner { slot, node: target });
        }
    }
    ok()
}

/// `CLUSTER FAILOVER [FORCE|TAKEOVER]`
fn cluster_failover(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let s = state(ctx)?;
    if argv.len() > 3 {
        return Err(Error::WithArg {
            prefix: "ERR unknown subcommand or wrong number of arguments for '",
            arg: argv[1].clone(),
            suffix: "'. Try CLUSTER HELP.",
        });
    }
    let force = match argv.get(2) {
        None => false,
        Some(word) if word.eq_ignore_ascii_case(b"force") || word.eq_ignore_ascii_case(b"takeover") => true,
        Some(_) => return Err(Error::Syntax),
    };
    if s.is_primary() {
        return Err(Error::text("ERR You should send CLUSTER FAILOVER to a replica"));
    }
    s.outgoing.push(Outgoing::Failover { force });
    ok()
}

/// MIGRATE's arguments, checked in Redis's order: options first, then the
/// timeout, then the database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrateArgs {
    pub host: Vec<u8>,
    pub port: Vec<u8>,
    pub db: i64,
    pub copy: bool,
    pub replace: bool,
    /// `AUTH password` (no user) or `AUTH2 username password`.
    pub auth: Option<(Option<Vec<u8>>, Vec<u8>)>,
    pub keys: Vec<Vec<u8>>,
}

const MIGRATE_KEYS_NEED_EMPTY_KEY: &str = "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string";

pub fn parse_migrate(argv: &[Vec<u8>]) -> Result<MigrateArgs, Error> {
    let mut args = MigrateArgs {
        host: argv[1].clone(),
        port: argv[2].clone(),
        db: 0,
        copy: false,
        replace: false,
        auth: None,
        keys: vec![argv[3].clone()],
    };
    let mut at = 6;
    while at < argv.len() {
        let word = argv[at].to_ascii_lowercase();
        let more = argv.len() - 1 - at;
        match word.as_slice() {
            b"copy" => args.copy = true,
            b"replace" => args.replace = true,
            b"auth" if more >= 1 => {
                args.auth = Some((None, argv[at + 1].clone()));
                at += 1;
            }
            b"auth2" if more >= 2 => {
                args.auth = Some((Some(argv[at + 1].clone()), argv[at + 2].clone()));
                at += 2;
            }
            b"keys" => {
                if !argv[3].is_empty() {
                    return Err(Error::text(MIGRATE_KEYS_NEED_EMPTY_KEY));
                }
                args.keys = argv[at + 1..].to_vec();
                break;
            }
            _ => return Err(Error::Syntax),
        }
        at += 1;
    }
    parse_i64(&argv[5]).ok_or(Error::NotInteger)?;
    args.db = parse_i64(&argv[4]).ok_or(Error::NotInteger)?;
    Ok(args)
}

/// The keys MIGRATE moves (for routing and COMMAND GETKEYS): the key
/// argument, or everything after KEYS.
pub fn migrate_keys(argv: &[Vec<u8>]) -> Vec<usize> {
    let mut at = 6;
    while at < argv.len() {
        let word = argv[at].to_ascii_lowercase();
        match word.as_slice() {
            b"auth" => at += 1,
            b"auth2" => at += 2,
            b"keys" if argv.get(3).is_some_and(|k| k.is_empty()) => return (at + 1..argv.len()).collect(),
            b"keys" => return Vec::new(),
            _ => {}
        }
        at += 1;
    }
    if argv.len() > 3 {
        vec![3]
    } else {
        Vec::new()
    }
}

/// `MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
/// [AUTH password|AUTH2 username password] [KEYS key [key ...]]`
///
/// The target is another virtual node of the cluster (127.0.0.1 or
/// localhost and its port). Keys that do not exist are skipped; with none
/// left the reply is NOKEY. The driver restores the keys on the target (as
/// RESTORE ... ASKING would), deletes them here unless COPY, and replies.
fn migrate(ctx: &mut Ctx, argv: &[Vec<u8>]) -> Result<Outcome, Error> {
    let args = parse_migrate(argv)?;
    let now = ctx.now_ms;
    let db_index = ctx.node.client(ctx.client).map_or(0, |c| c.db);
    let db = ctx.node.db(db_index);
    let mut keys = Vec::new();
    for key in &args.keys {
        if let Some(entry) = db.peek(key, now) {
            let entry = entry.clone();
            keys.push((key.clone(), entry, db.expire_at(key)));
        }
    }
    if keys.is_empty() {
        return Ok(Reply::status("NOKEY").into());
    }
    let known_host = args.host.eq_ignore_ascii_case(HOST.as_bytes()) || args.host.eq_ignore_ascii_case(b"localhost");
    if !known_host {
        return Err(Error::text("IOERR error or timeout connecting to the client"));
    }
    let Some(state) = ctx.node.cluster_state_mut().filter(|_| ctx.may_block) else {
        // Standalone, nothing listens; inside EXEC the reply could not wait for the target.
        return Err(Error::text("IOERR error or timeout writing to target instance"));
    };
    // C's atoi: leading digits, anything else ends the number.
    let port = args.port.iter().take_while(|b| b.is_ascii_digit()).fold(0u32, |n, &b| n.saturating_mul(10).saturating_add((b - b'0') as u32));
    state.outgoing.push(Outgoing::Migrate(MigrateRequest {
        client: ctx.client,
        port,
        source_db: db_index,
        target_db: args.db,
        copy: args.copy,
        replace: args.replace,
        auth: args.auth,
        keys,
    }));
    Ok(Outcome::Replies(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn migrate_arguments_parse_as_redis_checks_them() {
        let base = ["migrate", "127.0.0.1", "7001", "k", "0", "1000"];
        let parsed = |extra: &[&str]| {
            let mut words = base.to_vec();
            words.extend_from_slice(extra);
            parse_migrate(&argv(&words))
        };
        let plain = parsed(&[]).unwrap();
        assert_eq!((plain.copy, plain.replace, plain.keys.clone(), plain.auth.clone()), (false, false, argv(&["k"]), None));
        let all = parsed(&["COPY", "replace", "AUTH2", "u", "p"]).unwrap();
        assert!(all.copy && all.replace);
        assert_eq!(all.auth, Some((Some(b"u".to_vec()), b"p".to_vec())));
        assert_eq!(parsed(&["auth"]), Err(Error::Syntax));
        assert_eq!(parsed(&["auth2", "u"]), Err(Error::Syntax));
        assert_eq!(parsed(&["bogus"]), Err(Error::Syntax));
        assert_eq!(parsed(&["keys", "a"]), Err(Error::text(MIGRATE_KEYS_NEED_EMPTY_KEY)));
        let keys = parse_migrate(&argv(&["migrate", "h", "1", "", "0", "0", "copy", "keys", "a", "b"])).unwrap();
        assert_eq!(keys.keys, argv(&["a", "b"]));
        // Options are checked before the numbers, the timeout before the database.
        assert_eq!(parse_migrate(&argv(&["migrate", "h", "1", "k", "x", "y", "bogus"])), Err(Error::Syntax));
        assert_eq!(parse_migrate(&argv(&["migrate", "h", "1", "k", "0", "y"])), Err(Error::NotInteger));
        assert_eq!(parse_migrate(&argv(&["migrate", "h", "1", "k", "x", "5"])), Err(Error::NotInteger));
    }

    #[test]
    fn migrate_key_positions() {
        assert_eq!(migrate_keys(&argv(&["migrate", "h", "1", "k", "0", "0"])), vec![3]);
        assert_eq!(migrate_keys(&argv(&["migrate", "h", "1", "", "0", "0", "keys", "a", "b"])), vec![7, 8]);
        assert_eq!(migrate_keys(&argv(&["migrate", "h", "1", "", "0", "0", "auth", "keys", "keys", "a"])), vec![9]);
        assert_eq!(migrate_keys(&argv(&["migrate", "h", "1", "", "0", "0", "auth2", "keys", "x", "keys"])), Vec::<usize>::new());
    }
}
