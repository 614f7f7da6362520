//! COMMAND's introspection replies against the real server, for every command
//! and subcommand in redplay's table: `COMMAND INFO` (arity, flags, key
//! positions, ACL categories, tips, key specifications, subcommands),
//! `COMMAND DOCS` (summary through arguments), `COMMAND` and `COMMAND DOCS`
//! without names, and `COMMAND LIST FILTERBY`. Replies are compared as RESP3
//! values, so set/array/map and status/bulk differences count too.
//!
//! Known divergences, each normalised away below and nowhere else:
//! - A container (CLIENT, CONFIG...) lists only the subcommands redplay has;
//!   Redis lists all of its own. The real list is cut down to ours, after
//!   checking that ours is a subset of it.
//! - Redis orders subcommands, and the commands of `COMMAND` and `COMMAND
//!   DOCS`, by a hash seeded at start-up, so order is not compared there.
//! - `COMMAND COUNT` and unfiltered `COMMAND LIST` count Redis's ~240
//!   commands; redplay has its own set (compared as "ours ⊆ Redis's").
//! - The wasm package is built without core's `command-docs` feature to stay
//!   within its size budget: there COMMAND INFO has no tips or key specs and
//!   COMMAND DOCS no complexity, deprecation or history. This test runs the
//!   native build, which has them all.

mod support;

use std::collections::BTreeSet;

use redplay_core::commands;
use redplay_core::{Node, Reply};
use support::server::RedisServer;

/// Every command and subcommand of the table, by full name (`client|list`).
fn table_names() -> Vec<String> {
    let mut names = Vec::new();
    for spec in commands::all() {
        names.push(spec.name.to_string());
        names.extend(spec.subcommands.iter().map(|sub| format!("{}|{}", spec.name, sub.name)));
    }
    names
}

struct Both {
    _server: RedisServer,
    real: support::resp::Conn,
    node: Node,
    client: redplay_core::node::ClientId,
}

impl Both {
    fn start() -> Both {
        let server = RedisServer::start();
        let mut real = server.connect();
        let mut node = Node::new();
        let client = node.connect(0);
        real.call_str(&["HELLO", "3"]).expect("HELLO 3 on the real server");
        node.call(client, &[b"HELLO", b"3"], 0);
        Both { _server: server, real, node, client }
    }

    fn call(&mut self, argv: &[&str]) -> (Reply, Reply) {
        let real = self.real.call_str(argv).expect("real server reply");
        let bytes: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
        let mut ours = self.node.call(self.client, &bytes, 0);
        assert_eq!(ours.len(), 1, "{argv:?}: one reply");
        (real, ours.remove(0))
    }
}

fn bulk_text(reply: &Reply) -> String {
    match reply {
        Reply::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        Reply::Status(s) => s.to_string(),
        other => panic!("expected a string, got {other:?}"),
    }
}

/// Cuts a container's subcommand list (element 10 of COMMAND INFO) down to
/// `ours` and sorts both by name; checks that ours is a subset first.
fn align_info_subcommands(name: &str, real: &mut Reply, ours: &mut Reply) {
    let (Reply::Array(real_fields), Reply::Array(our_fields)) = (real, ours) else { return };
    let name_of = |entry: &Reply| match entry {
        Reply::Array(fields) => bulk_text(&fields[0]),
        other => panic!("{name}: subcommand entry {other:?}"),
    };
    let (Some(real_subs), Some(our_subs)) = (real_fields.get_mut(9), our_fields.get_mut(9)) else { return };
    let (Reply::Array(real_subs) | Reply::Set(real_subs), Reply::Array(our_subs) | Reply::Set(our_subs)) = (real_subs, our_subs)
    else {
        return;
    };
    let ours: BTreeSet<String> = our_subs.iter().map(name_of).collect();
    let theirs: BTreeSet<String> = real_subs.iter().map(name_of).collect();
    assert!(ours.is_subset(&theirs), "{name}: subcommands Redis lacks: {:?}", ours.difference(&theirs).collect::<Vec<_>>());
    real_subs.retain(|entry| ours.contains(&name_of(entry)));
    real_subs.sort_by_key(name_of);
    our_subs.sort_by_key(name_of);
    for (real_sub, our_sub) in real_subs.iter_mut().zip(our_subs.iter_mut()) {
        let sub_name = name_of(real_sub);
        align_info_subcommands(&sub_name, real_sub, our_sub);
    }
}

/// The same for COMMAND DOCS: a map from name to docs whose `subcommands`
/// field is itself such a map.
fn align_docs(name: &str, real: &mut Reply, ours: &mut Reply) {
    let (Reply::Map(real_pairs), Reply::Map(our_pairs)) = (real, ours) else { return };
    let ours: BTreeSet<String> = our_pairs.iter().map(|(k, _)| bulk_text(k)).collect();
    let theirs: BTreeSet<String> = real_pairs.iter().map(|(k, _)| bulk_text(k)).collect();
    assert!(ours.is_subset(&theirs), "{name}: names Redis lacks: {:?}", ours.difference(&theirs).collect::<Vec<_>>());
    real_pairs.retain(|(k, _)| ours.contains(&bulk_text(k)));
    real_pairs.sort_by_key(|(k, _)| bulk_text(k));
    our_pairs.sort_by_key(|(k, _)| bulk_text(k));
    for ((key, real_doc), (_, our_doc)) in real_pairs.iter_mut().zip(our_pairs.iter_mut()) {
        let (Reply::Map(real_fields), Reply::Map(our_fields)) = (real_doc, our_doc) else { continue };
        let real_subs = real_fields.iter_mut().find(|(k, _)| bulk_text(k) == "subcommands");
        let our_subs = our_fields.iter_mut().find(|(k, _)| bulk_text(k) == "subcommands");
        if let (Some((_, real_subs)), Some((_, our_subs))) = (real_subs, our_subs) {
            align_docs(&bulk_text(key), real_subs, our_subs);
        }
    }
}

/// A reply in one line: `"bulk"`, `+status`, `:1`, `[..]` arrays, `~[..]`
/// sets, `{k: v}` maps.
fn show(reply: &Reply) -> String {
    let list = |items: &[Reply]| items.iter().map(show).collect::<Vec<_>>().join(", ");
    match reply {
        Reply::Bulk(b) => format!("{:?}", String::from_utf8_lossy(b)),
        Reply::Status(s) => format!("+{s}"),
        Reply::Integer(n) => format!(":{n}"),
        Reply::Array(items) => format!("[{}]", list(items)),
        Reply::Set(items) => format!("~[{}]", list(items)),
        Reply::Map(pairs) => {
            format!("{{{}}}", pairs.iter().map(|(k, v)| format!("{}: {}", show(k), show(v))).collect::<Vec<_>>().join(", "))
        }
        other => format!("{other:?}"),
    }
}

/// Where two replies first differ, as a path of indexes and map keys.
fn first_difference(real: &Reply, ours: &Reply, path: String) -> String {
    match (real, ours) {
        (Reply::Array(r), Reply::Array(o)) | (Reply::Set(r), Reply::Set(o)) if r.len() == o.len() => {
            match r.iter().zip(o).enumerate().find(|(_, (a, b))| a != b) {
                Some((i, (a, b))) => first_difference(a, b, format!("{path}[{i}]")),
                None => path,
            }
        }
        (Reply::Map(r), Reply::Map(o)) if r.len() == o.len() => match r.iter().zip(o).find(|(a, b)| a != b) {
            Some(((ka, va), (kb, vb))) if ka == kb => first_difference(va, vb, format!("{path}.{}", show(ka))),
            _ => format!("{path} (keys differ)"),
        },
        _ => format!("{path}\n    real: {}\n    ours: {}", show(real), show(ours)),
    }
}

fn assert_same(what: &str, real: &Reply, ours: &Reply, failures: &mut Vec<String>) {
    if real != ours {
        failures.push(format!("{what}: {}", first_difference(real, ours, String::new())));
    }
}

fn report(failures: Vec<String>) {
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn command_info_matches_redis_for_every_command() {
    let mut both = Both::start();
    let mut failures = Vec::new();
    for name in table_names() {
        let (mut real, mut ours) = both.call(&["COMMAND", "INFO", &name]);
        if let (Reply::Array(r), Reply::Array(o)) = (&mut real, &mut ours) {
            if let (Some(r), Some(o)) = (r.first_mut(), o.first_mut()) {
                align_info_subcommands(&name, r, o);
            }
        }
        assert_same(&format!("COMMAND INFO {name}"), &real, &ours, &mut failures);
    }
    report(failures);
}

#[test]
fn command_docs_matches_redis_for_every_command() {
    let mut both = Both::start();
    let mut failures = Vec::new();
    for name in table_names() {
        let (mut real, mut ours) = both.call(&["COMMAND", "DOCS", &name]);
        align_docs(&name, &mut real, &mut ours);
        assert_same(&format!("COMMAND DOCS {name}"), &real, &ours, &mut failures);
    }
    report(failures);
}

#[test]
fn whole_table_replies_match_redis_entry_by_entry() {
    let mut both = Both::start();
    let mut failures = Vec::new();
    let (real, ours) = both.call(&["COMMAND"]);
    let (Reply::Array(real), Reply::Array(ours)) = (real, ours) else { panic!("COMMAND replies arrays") };
    let top_level: Vec<String> = commands::all().map(|spec| spec.name.to_string()).collect();
    assert_eq!(ours.len(), top_level.len());
    for mut entry in ours {
        let Reply::Array(fields) = &entry else { panic!("COMMAND entry {entry:?}") };
        let name = bulk_text(&fields[0]);
        let mut theirs = real
            .iter()
            .find(|r| matches!(r, Reply::Array(f) if bulk_text(&f[0]) == name))
            .unwrap_or_else(|| panic!("COMMAND: Redis has no {name}"))
            .clone();
        align_info_subcommands(&name, &mut theirs, &mut entry);
        assert_same(&format!("COMMAND entry {name}"), &theirs, &entry, &mut failures);
    }
    let (mut real, mut ours) = both.call(&["COMMAND", "DOCS"]);
    align_docs("COMMAND DOCS", &mut real, &mut ours);
    assert_same("COMMAND DOCS", &real, &ours, &mut failures);
    report(failures);
}

#[test]
fn command_list_filters_match_redis_on_our_commands() {
    let mut both = Both::start();
    let ours: BTreeSet<String> = table_names().into_iter().collect();
    let names = |reply: Reply| -> BTreeSet<String> {
        match reply {
            Reply::Array(items) => items.iter().map(bulk_text).collect(),
            other => panic!("COMMAND LIST reply {other:?}"),
        }
    };
    let (real, listed) = both.call(&["COMMAND", "LIST"]);
    assert_eq!(names(listed), ours);
    let real = names(real);
    assert!(ours.is_subset(&real), "not in Redis: {:?}", ours.difference(&real).collect::<Vec<_>>());
    let categories = [
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo",
        "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
    ];
    let filters = categories
        .iter()
        .map(|c| ["ACLCAT", c])
        .chain([["PATTERN", "x*"], ["PATTERN", "client|*"], ["PATTERN", "*[lr]pop*"], ["MODULE", "none"]]);
    for [filter, value] in filters {
        let (real, listed) = both.call(&["COMMAND", "LIST", "FILTERBY", filter, value]);
        let expected: BTreeSet<String> = names(real).intersection(&ours).cloned().collect();
        assert_eq!(names(listed), expected, "COMMAND LIST FILTERBY {filter} {value}");
    }
}
