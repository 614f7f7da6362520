//! Command metadata the table rows do not carry: argument trees, key
//! specifications, tips, complexity, deprecation and history — what
//! `COMMAND INFO` and `COMMAND DOCS` report beyond name, arity, flags and
//! summary. Hints, completion and `help` render their syntax lines from the
//! same argument trees (see [`syntax`]), so there is one source for both.
//!
//! The data is `commands.txt`, one record per command or subcommand, keyed
//! by its full name (`set`, `client|list`), with one field per indented line:
//!
//! ```text
//! set
//!  acl string                                           categories its flags do not imply
//!  args key:k value [condition(NX|XX)@2.6.12] ...      see [`args`] for the grammar
//!  key RW,access,update,variable_flags i1 r0,1,0 note  one line per key specification
//!  tips nondeterministic_output                         space-separated
//!  complexity O(1)
//!  deprecated 6.2.0 replacement text                    doc_flags, deprecated_since, replaced_by
//!  history 2.6.12 what changed                          one line per entry
//! ```
//!
//! A key specification is its flags (comma-separated), where the search for
//! the keys begins (`i<index>` or `k<keyword>,<startfrom>`), how the keys are
//! found from there (`r<lastkey>,<keystep>,<limit>` or
//! `n<keynumidx>,<firstkey>,<keystep>`), then optional notes. Text is parsed
//! on demand: the table is only read by COMMAND and the console helpers.

pub mod args;

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::reply::Reply;

pub use args::{Arg, Kind};

const TABLE: &str = include_str!("commands.txt");

/// One command's record, fields still in their text form.
#[derive(Default)]
pub struct Record {
    /// ACL categories beyond those the command's flags imply (`keyspace`, `dangerous`...).
    pub acl: &'static str,
    pub args: &'static str,
    pub key_specs: Vec<&'static str>,
    pub tips: &'static str,
    pub complexity: Option<&'static str>,
    pub deprecated: Option<&'static str>,
    pub history: Vec<&'static str>,
}

/// The record of `full_name` (`get`, `client|list`), if the table has one.
pub fn record(full_name: &str) -> Option<Record> {
    let mut lines = TABLE.lines().skip_while(|line| *line != full_name);
    lines.next()?;
    let mut record = Record::default();
    for line in lines.take_while(|line| line.starts_with(' ')) {
        let (field, value) = line[1..].split_once(' ').unwrap_or((&line[1..], ""));
        match field {
            "acl" => record.acl = value,
            "args" => record.args = value,
            "key" => record.key_specs.push(value),
            "tips" => record.tips = value,
            "complexity" => record.complexity = Some(value),
            "deprecated" => record.deprecated = Some(value),
            "history" => record.history.push(value),
            _ => {}
        }
    }
    Some(record)
}

/// The full names of every record, in table order.
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE.lines().filter(|line| !line.starts_with(' ') && !line.is_empty())
}

/// A command's arguments (none when it has no record or takes none).
pub fn arguments(full_name: &str) -> Vec<Arg<'static>> {
    record(full_name).and_then(|r| if r.args.is_empty() { Some(Vec::new()) } else { args::parse(r.args) }).unwrap_or_default()
}

/// The syntax line redis-cli derives from `COMMAND DOCS` for hints and
/// `help`: `key value [NX|XX] [GET] ...`; empty for commands without arguments.
pub fn syntax(full_name: &str) -> String {
    args::render(&arguments(full_name))
}

/// COMMAND INFO's tips: a set of strings.
pub fn tips_reply(record: &Record) -> Reply {
    Reply::Set(record.tips.split_ascii_whitespace().map(|tip| Reply::bulk(tip.as_bytes())).collect())
}

/// COMMAND INFO's key specifications: a set of maps.
pub fn key_specs_reply(record: &Record) -> Reply {
    Reply::Set(record.key_specs.iter().filter_map(|line| key_spec_reply(line)).collect())
}

fn text(s: &str) -> Reply {
    Reply::bulk(s.as_bytes())
}

fn key_spec_reply(line: &str) -> Option<Reply> {
    let mut parts = line.splitn(4, ' ');
    let flags = parts.next()?;
    let begin = parts.next()?;
    let find = parts.next()?;
    let mut fields = Vec::new();
    if let Some(notes) = parts.next() {
        fields.push((text("notes"), text(notes)));
    }
    fields.push((text("flags"), Reply::Set(flags.split(',').map(Reply::status).collect())));
    let numbers = |s: &str| -> Option<Vec<i64>> { s.split(',').map(|n| crate::args::parse_i64(n.as_bytes())).collect() };
    let begin_search = match begin.split_at(1) {
        ("i", index) => search("index", vec![(text("index"), Reply::Integer(crate::args::parse_i64(index.as_bytes())?))]),
        ("k", spec) => {
            let (keyword, from) = spec.rsplit_once(',')?;
            let from = crate::args::parse_i64(from.as_bytes())?;
            search("keyword", vec![(text("keyword"), text(keyword)), (text("startfrom"), Reply::Integer(from))])
        }
        _ => return None,
    };
    let (kind, names) = match find.split_at(1) {
        ("r", _) => ("range", ["lastkey", "keystep", "limit"]),
        ("n", _) => ("keynum", ["keynumidx", "firstkey", "keystep"]),
        _ => return None,
    };
    let values = numbers(&find[1..])?;
    if values.len() != 3 {
        return None;
    }
    let spec = names.iter().zip(values).map(|(name, value)| (text(name), Reply::Integer(value))).collect();
    fields.push((text("begin_search"), begin_search));
    fields.push((text("find_keys"), search(kind, spec)));
    Some(Reply::Map(fields))
}

/// `{type: kind, spec: {...}}`, the shape of both halves of a key spec.
fn search(kind: &str, spec: Vec<(Reply, Reply)>) -> Reply {
    Reply::Map(vec![(text("type"), text(kind)), (text("spec"), Reply::Map(spec))])
}

/// COMMAND DOCS fields after summary, since and group, in Redis's order:
/// complexity, doc_flags, deprecated_since, replaced_by, history, arguments.
pub fn docs_fields(full_name: &str) -> Vec<(Reply, Reply)> {
    let Some(record) = record(full_name) else { return Vec::new() };
    let mut fields = Vec::new();
    if let Some(complexity) = record.complexity {
        fields.push((text("complexity"), text(complexity)));
    }
    if let Some((since, replaced_by)) = record.deprecated.and_then(|d| d.split_once(' ')) {
        fields.push((text("doc_flags"), Reply::Set(vec![Reply::status("deprecated")])));
        fields.push((text("deprecated_since"), text(since)));
        fields.push((text("replaced_by"), text(replaced_by)));
    }
    if !record.history.is_empty() {
        let entries = record
            .history
            .iter()
            .map(|entry| {
                let (version, change) = entry.split_once(' ').unwrap_or((entry, ""));
                Reply::Array(vec![text(version), text(change)])
            })
            .collect();
        fields.push((text("history"), Reply::Set(entries)));
    }
    let arguments = arguments(full_name);
    if !arguments.is_empty() {
        fields.push((text("arguments"), Reply::Array(arguments.iter().map(Arg::docs_reply).collect())));
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands;

    /// Every command and subcommand of the table, by full name.
    fn table_names() -> Vec<String> {
        let mut names = Vec::new();
        for spec in commands::all() {
            names.push(String::from(spec.name));
            names.extend(spec.subcommands.iter().map(|sub| alloc::format!("{}|{}", spec.name, sub.name)));
        }
        names
    }

    #[test]
    fn every_command_has_exactly_one_well_formed_record() {
        let table = table_names();
        for name in &table {
            let record = record(name).unwrap_or_else(|| panic!("{name} has no record in commands.txt"));
            assert!(record.args.is_empty() || args::parse(record.args).is_some(), "{name}: bad args line {:?}", record.args);
            let Reply::Set(specs) = key_specs_reply(&record) else { panic!("{name}: key specs are a set") };
            assert_eq!(specs.len(), record.key_specs.len(), "{name}: a key spec line does not parse");
            assert!(record.complexity.is_some(), "{name} has no complexity");
            assert_eq!(names().filter(|n| n == name).count(), 1, "{name} appears twice");
        }
        for name in names() {
            assert!(table.iter().any(|n| n == name), "{name} is in commands.txt but not in the table");
        }
    }

    #[test]
    fn key_specs_like_command_info() {
        let set = record("set").unwrap();
        let Reply::Set(specs) = key_specs_reply(&set) else { panic!() };
        let Reply::Map(fields) = &specs[0] else { panic!() };
        assert_eq!(fields[0], (text("notes"), text("RW and ACCESS due to the optional `GET` argument")));
        assert_eq!(fields[2].1, search("index", vec![(text("index"), Reply::Integer(1))]));
        let xread = record("xread").unwrap();
        let Reply::Set(specs) = key_specs_reply(&xread) else { panic!() };
        let Reply::Map(fields) = &specs[0] else { panic!() };
        assert_eq!(fields[0].1, Reply::Set(vec![Reply::status("RO"), Reply::status("access")]));
        assert_eq!(
            fields[1].1,
            search("keyword", vec![(text("keyword"), text("STREAMS")), (text("startfrom"), Reply::Integer(1))])
        );
        let limits = [(text("lastkey"), Reply::Integer(-1)), (text("keystep"), Reply::Integer(1)), (text("limit"), Reply::Integer(2))];
        assert_eq!(fields[2].1, search("range", limits.to_vec()));
        let lmpop = record("lmpop").unwrap();
        let Reply::Set(specs) = key_specs_reply(&lmpop) else { panic!() };
        let Reply::Map(fields) = &specs[0] else { panic!() };
        let numkeys = [(text("keynumidx"), Reply::Integer(0)), (text("firstkey"), Reply::Integer(1)), (text("keystep"), Reply::Integer(1))];
        assert_eq!(fields[2].1, search("keynum", numkeys.to_vec()));
    }

    #[test]
    fn syntax_lines_for_hints() {
        let cases = [
            ("get", "key"),
            ("ping", "[message]"),
            ("multi", ""),
            ("client", ""),
            ("client|list", "[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]"),
            ("xadd", "key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]"),
            ("nosuch", ""),
        ];
        for (name, expected) in cases {
            assert_eq!(syntax(name), expected, "{name}");
        }
    }

    #[test]
    fn docs_fields_in_redis_order() {
        let fields = docs_fields("getset");
        let keys: Vec<&Reply> = fields.iter().map(|(k, _)| k).collect();
        let expected: Vec<Reply> =
            ["complexity", "doc_flags", "deprecated_since", "replaced_by", "arguments"].iter().map(|k| text(k)).collect();
        assert_eq!(keys, expected.iter().collect::<Vec<_>>());
        assert_eq!(fields[1].1, Reply::Set(vec![Reply::status("deprecated")]));
        assert_eq!(fields[2].1, text("6.2.0"));
        let set = docs_fields("set");
        assert_eq!(set[1].0, text("history"));
        let Reply::Set(history) = &set[1].1 else { panic!("history is a set") };
        assert_eq!(history[0], Reply::Array(vec![text("2.6.12"), text("Added the `EX`, `PX`, `NX` and `XX` options.")]));
        assert!(docs_fields("nosuch").is_empty());
        assert_eq!(docs_fields("quit").len(), 1);
    }
}
