//! Command metadata the table rows do not carry: argument trees, ACL
//! categories, key specifications, tips, complexity, deprecation and
//! history — what `COMMAND INFO` and `COMMAND DOCS` report beyond name,
//! arity, flags and summary. Hints, completion and `help` render their syntax
//! lines from the same argument trees (see [`syntax`]), so there is one source
//! for both.
//!
//! The data is two text tables with one record per command or subcommand,
//! keyed by its full name (`set`, `client|list`), one field per indented line:
//!
//! ```text
//! commands.txt (always built in: hints and ACL categories need it)
//! set
//!  acl string                                  categories its flags do not imply
//!  args key:k value [condition(NX|XX)@2.6.12] ...   see [`args`] for the grammar
//!
//! docs.txt (feature `command-docs`)
//! set
//!  key RW,access,update,variable_flags i1 r0,1,0 note   one line per key specification
//!  tips nondeterministic_output                 space-separated
//!  complexity O(1)
//!  deprecated 6.2.0 replacement text            doc_flags, deprecated_since, replaced_by
//!  history 2.6.12 what changed                  one line per entry
//! ```
//!
//! A key specification is its flags (comma-separated), where the search for
//! the keys begins (`i<index>` or `k<keyword>,<startfrom>`), how the keys are
//! found from there (`r<lastkey>,<keystep>,<limit>` or
//! `n<keynumidx>,<firstkey>,<keystep>`), then optional notes. Text is parsed
//! on demand: only COMMAND and the console helpers read it.
//!
//! `docs.txt` is most of the bytes, so the feature lets a size-bound build
//! (the wasm package) leave it out: COMMAND INFO then reports no tips or key
//! specifications and COMMAND DOCS only summary, since, group and arguments.

pub mod args;

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::reply::Reply;

pub use args::{Arg, Kind};

const TABLE: &str = include_str!("commands.txt");
#[cfg(feature = "command-docs")]
const DOCS: &str = include_str!("docs.txt");
#[cfg(not(feature = "command-docs"))]
const DOCS: &str = "";

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
    let mut record = Record::default();
    let mut found = false;
    for table in [TABLE, DOCS] {
        let mut inside = false;
        for line in table.lines() {
            let Some(field_line) = line.strip_prefix(' ') else {
                if inside {
                    break;
                }
                inside = line == full_name;
                found |= inside;
                continue;
            };
            if !inside {
                continue;
            }
            let (field, value) = field_line.split_once(' ').unwrap_or((field_line, ""));
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
    }
    found.then_some(record)
}

/// The full names of every record, in table order.
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE.lines().filter(|line| !line.starts_with(' ') && !line.is_empty())
}

/// A command's arguments (none when it has no record or takes none).
pub fn arguments(full_name: &str) -> Vec<Arg<'static>> {
    match record(full_name) {
        Some(record) if !record.args.is_empty() => args::parse(record.args).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The syntax line redis-cli derives from `COMMAND DOCS` for hints and
/// `help`: `key value [NX|XX] [GET] ...`; empty for commands without arguments.
pub fn syntax(full_name: &str) -> String {
    args::render(&arguments(full_name))
}

fn text(s: &str) -> Reply {
    Reply::bulk(s.as_bytes())
}

/// COMMAND INFO's tips: a set of strings.
pub fn tips_reply(record: &Record) -> Reply {
    let mut tips = Vec::new();
    if !cfg!(feature = "command-docs") {
        return Reply::Set(tips);
    }
    for tip in record.tips.split(' ') {
        if !tip.is_empty() {
            tips.push(text(tip));
        }
    }
    Reply::Set(tips)
}

/// COMMAND INFO's key specifications: a set of maps.
pub fn key_specs_reply(record: &Record) -> Reply {
    let mut specs = Vec::new();
    if !cfg!(feature = "command-docs") {
        return Reply::Set(specs);
    }
    for line in &record.key_specs {
        if let Some(spec) = key_spec_reply(line) {
            specs.push(spec);
        }
    }
    Reply::Set(specs)
}

/// One key spec line as COMMAND INFO's map: notes (if any), flags,
/// begin_search, find_keys.
fn key_spec_reply(line: &str) -> Option<Reply> {
    let mut parts = line.split(' ');
    let flags = parts.next()?;
    let begin = parts.next()?;
    let find = parts.next()?;
    let notes = &line[(flags.len() + begin.len() + find.len() + 3).min(line.len())..];
    let mut fields = Vec::new();
    if !notes.is_empty() {
        fields.push((text("notes"), text(notes)));
    }
    let mut flag_set = Vec::new();
    for flag in flags.split(',') {
        flag_set.push(Reply::status(String::from(flag)));
    }
    fields.push((text("flags"), Reply::Set(flag_set)));
    // `i1`, `kSTREAMS,1`, `r0,1,0`, `n0,1,1`: a letter, then comma-separated values.
    let values = |spec: &str| -> Vec<Reply> {
        let mut values = Vec::new();
        for value in spec[1..].split(',') {
            values.push(crate::args::parse_i64(value.as_bytes()).map_or_else(|| text(value), Reply::Integer));
        }
        values
    };
    let (begin_kind, begin_names): (&str, &[&str]) = match begin.as_bytes().first()? {
        b'i' => ("index", &["index"]),
        b'k' => ("keyword", &["keyword", "startfrom"]),
        _ => return None,
    };
    let (find_kind, find_names): (&str, &[&str]) = match find.as_bytes().first()? {
        b'r' => ("range", &["lastkey", "keystep", "limit"]),
        b'n' => ("keynum", &["keynumidx", "firstkey", "keystep"]),
        _ => return None,
    };
    fields.push((text("begin_search"), search(begin_kind, begin_names, values(begin))?));
    fields.push((text("find_keys"), search(find_kind, find_names, values(find))?));
    Some(Reply::Map(fields))
}

/// `{type: kind, spec: {name: value...}}`, the shape of both halves of a key spec.
fn search(kind: &str, names: &[&str], values: Vec<Reply>) -> Option<Reply> {
    if names.len() != values.len() {
        return None;
    }
    let mut spec = Vec::new();
    for (name, value) in names.iter().zip(values) {
        spec.push((text(name), value));
    }
    Some(Reply::Map(vec![(text("type"), text(kind)), (text("spec"), Reply::Map(spec))]))
}

/// COMMAND DOCS fields after summary, since and group, in Redis's order:
/// complexity, doc_flags, deprecated_since, replaced_by, history, arguments.
pub fn docs_fields(full_name: &str) -> Vec<(Reply, Reply)> {
    let Some(record) = record(full_name) else { return Vec::new() };
    let mut fields = Vec::new();
    if cfg!(feature = "command-docs") {
        docs_prose(&record, &mut fields);
    }
    let arguments = arguments(full_name);
    if !arguments.is_empty() {
        let mut replies = Vec::new();
        for arg in &arguments {
            replies.push(arg.docs_reply());
        }
        fields.push((text("arguments"), Reply::Array(replies)));
    }
    fields
}

/// Complexity, deprecation and history (from `docs.txt`).
fn docs_prose(record: &Record, fields: &mut Vec<(Reply, Reply)>) {
    if let Some(complexity) = record.complexity {
        fields.push((text("complexity"), text(complexity)));
    }
    if let Some((since, replaced_by)) = record.deprecated.and_then(|d| d.split_once(' ')) {
        fields.push((text("doc_flags"), Reply::Set(vec![Reply::status("deprecated")])));
        fields.push((text("deprecated_since"), text(since)));
        fields.push((text("replaced_by"), text(replaced_by)));
    }
    if !record.history.is_empty() {
        let mut entries = Vec::new();
        for entry in &record.history {
            let (version, change) = entry.split_once(' ').unwrap_or((entry, ""));
            entries.push(Reply::Array(vec![text(version), text(change)]));
        }
        fields.push((text("history"), Reply::Set(entries)));
    }
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
            assert_eq!(cfg!(feature = "command-docs"), record.complexity.is_some(), "{name}: complexity");
            assert_eq!(names().filter(|n| n == name).count(), 1, "{name} appears twice");
        }
        for name in names() {
            assert!(table.iter().any(|n| n == name), "{name} is in commands.txt but not in the table");
        }
        let docs_names: Vec<&str> = DOCS.lines().filter(|line| !line.starts_with(' ')).collect();
        assert!(docs_names.is_empty() || docs_names == names().collect::<Vec<_>>(), "docs.txt names differ from commands.txt");
    }

    #[cfg(feature = "command-docs")]
    #[test]
    fn key_specs_like_command_info() {
        let set = record("set").unwrap();
        let Reply::Set(specs) = key_specs_reply(&set) else { panic!() };
        let Reply::Map(fields) = &specs[0] else { panic!() };
        assert_eq!(fields[0], (text("notes"), text("RW and ACCESS due to the optional `GET` argument")));
        assert_eq!(fields[2].1, search("index", &["index"], vec![Reply::Integer(1)]).unwrap());
        let xread = record("xread").unwrap();
        let Reply::Set(specs) = key_specs_reply(&xread) else { panic!() };
        let Reply::Map(fields) = &specs[0] else { panic!() };
        assert_eq!(fields[0].1, Reply::Set(vec![Reply::status("RO"), Reply::status("access")]));
        assert_eq!(fields[1].1, search("keyword", &["keyword", "startfrom"], vec![text("STREAMS"), Reply::Integer(1)]).unwrap());
        let limits = vec![Reply::Integer(-1), Reply::Integer(1), Reply::Integer(2)];
        assert_eq!(fields[2].1, search("range", &["lastkey", "keystep", "limit"], limits).unwrap());
        let lmpop = record("lmpop").unwrap();
        let Reply::Set(specs) = key_specs_reply(&lmpop) else { panic!() };
        let Reply::Map(fields) = &specs[0] else { panic!() };
        let numkeys = vec![Reply::Integer(0), Reply::Integer(1), Reply::Integer(1)];
        assert_eq!(fields[2].1, search("keynum", &["keynumidx", "firstkey", "keystep"], numkeys).unwrap());
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

    #[cfg(feature = "command-docs")]
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
