//! redis-cli's interactive side, computed from the command table so that every
//! front end (the web console, redplay-cli) shows the same thing: the prompt,
//! the grey hint of the arguments still to type, Tab completion and `help`.
//!
//! redis-cli builds its help topics from `COMMAND DOCS`: one per command, one
//! per subcommand (`CLIENT LIST`) and one per group (`@string`), sorted by
//! their full name. Hints and completion walk that sorted list.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use crate::cli::split_args;
use crate::commands::{self, CommandSpec};
use crate::node::{ClientId, Node};

/// The address redis-cli shows in its prompt (redplay has no sockets).
pub const ADDRESS: &str = "127.0.0.1:6379";

/// redis-cli's prompt for `client`, trailing space included: the address,
/// `[db]` unless database 0 is selected, `(TX)` inside MULTI.
pub fn prompt(node: &Node, client: ClientId) -> String {
    prompt_at(ADDRESS, node, client)
}

/// [`prompt`] for a node at another address (a cluster node, `127.0.0.1:7001`).
pub fn prompt_at(address: &str, node: &Node, client: ClientId) -> String {
    let mut text = String::from(address);
    if let Some(c) = node.client(client) {
        if c.db != 0 {
            text.push_str(&alloc::format!("[{}]", c.db));
        }
        if c.in_multi() {
            text.push_str("(TX)");
        }
        // Subscribed clients will add redis-cli 7.2's `(subscribed mode)` here
        // once pub/sub lands; redis-cli 7.0 shows no prompt while subscribed.
    }
    text.push_str("> ");
    text
}

/// What redis-cli does when Ctrl-C ends its message-reading mode: it drops
/// the connection and connects again, selecting the database it had. Returns
/// the new client id.
pub fn reconnect(node: &mut Node, client: ClientId, now_ms: u64) -> ClientId {
    let db = node.client(client).map_or(0, |c| c.db);
    node.disconnect(client);
    let fresh = node.connect(now_ms);
    if db != 0 {
        let index = alloc::format!("{}", db);
        node.call(fresh, &[b"SELECT", index.as_bytes()], now_ms);
    }
    fresh
}

/// One help topic.
struct Topic {
    /// `GET`, `CLIENT LIST` or `@string`.
    full: String,
    /// The command (or subcommand) it documents; `None` for a group.
    spec: Option<&'static CommandSpec>,
    /// The arguments as help and hints show them (empty for containers).
    params: String,
}

impl Topic {
    fn words(&self) -> usize {
        self.full.split(' ').count()
    }
}

fn topics() -> Vec<Topic> {
    let mut list = Vec::new();
    let mut groups: Vec<&'static str> = Vec::new();
    for spec in commands::all() {
        let name = spec.name.to_ascii_uppercase();
        for sub in spec.subcommands {
            let full = alloc::format!("{} {}", name, sub.name.to_ascii_uppercase());
            let params = commands::meta::syntax(&alloc::format!("{}|{}", spec.name, sub.name));
            list.push(Topic { full, spec: Some(sub), params });
        }
        list.push(Topic { full: name, spec: Some(spec), params: commands::meta::syntax(spec.name) });
        if !groups.contains(&spec.group.name()) {
            groups.push(spec.group.name());
        }
    }
    list.extend(groups.into_iter().map(|g| Topic { full: alloc::format!("@{}", g), spec: None, params: String::new() }));
    // Every topic's name is distinct, so an unstable sort gives the same order.
    crate::heap_sort::sort_by(&mut list, |a, b| a.full.cmp(&b.full));
    list
}

/// The grey hint redis-cli shows after what has been typed: the arguments of
/// the command whose name matches the most typed words, minus one leading
/// argument per extra typed word (stopping at the first optional one), with
/// a separating space unless the line already ends in whitespace.
pub fn hint(line: &[u8]) -> Option<String> {
    let argv = split_args(line)?;
    if argv.is_empty() {
        return None;
    }
    let mut best: Option<(usize, String)> = None;
    for topic in topics() {
        let Some(_) = topic.spec else { continue };
        let words = topic.words();
        let matches = words <= argv.len()
            && topic.full.split(' ').zip(&argv).all(|(word, typed)| word.as_bytes().eq_ignore_ascii_case(typed));
        if matches && best.as_ref().is_none_or(|(n, _)| words > *n) {
            best = Some((words, topic.params));
        }
    }
    let (words, params) = best?;
    let mut rest = params.as_str();
    for _ in words..argv.len() {
        if rest.starts_with('[') {
            break;
        }
        rest = match rest.find(' ') {
            Some(space) => &rest[space + 1..],
            None => "",
        };
    }
    if rest.is_empty() {
        return None;
    }
    let ends_in_space = line.last().is_some_and(|&c| crate::cli::is_space(c));
    Some(if ends_in_space { rest.to_owned() } else { alloc::format!(" {}", rest) })
}

/// What Tab offers for `line`, in the order redis-cli cycles through them:
/// every topic whose full name starts with the line (ignoring case), as the
/// whole new line. After `help `, groups are offered too.
pub fn completions(line: &str) -> Vec<String> {
    let is_help = line.len() >= 5 && line[..5].eq_ignore_ascii_case("help ");
    let start = if is_help { 5 + line[5..].len() - line[5..].trim_start().len() } else { 0 };
    let typed = &line[start..];
    topics()
        .into_iter()
        .filter(|t| is_help || t.spec.is_some())
        .filter(|t| t.full.len() >= typed.len() && t.full.as_bytes()[..typed.len()].eq_ignore_ascii_case(typed.as_bytes()))
        .map(|t| alloc::format!("{}{}", &line[..start], t.full))
        .collect()
}

/// What `help` followed by `args` prints, as redis-cli formats it (CRLF line
/// ends; the name bold, the arguments grey, the labels yellow).
pub fn help(args: &[Vec<u8>]) -> Vec<u8> {
    if args.is_empty() {
        return OVERVIEW.as_bytes().to_vec();
    }
    let group = args[0].strip_prefix(b"@");
    let mut out = Vec::new();
    for topic in topics() {
        let Some(spec) = topic.spec else { continue };
        let shown = match group {
            Some(g) => spec.group.name().as_bytes().eq_ignore_ascii_case(g),
            None => {
                let words: Vec<&str> = topic.full.split(' ').collect();
                args.len() <= words.len() && words.iter().zip(args).all(|(w, a)| w.as_bytes().eq_ignore_ascii_case(a))
            }
        };
        if !shown {
            continue;
        }
        out.extend_from_slice(b"\r\n  \x1b[1m");
        out.extend_from_slice(topic.full.as_bytes());
        out.extend_from_slice(b"\x1b[0m \x1b[90m");
        out.extend_from_slice(topic.params.as_bytes());
        out.extend_from_slice(b"\x1b[0m\r\n");
        let mut field = |label: &str, value: &str| {
            out.extend_from_slice(alloc::format!("  \x1b[33m{}:\x1b[0m {}\r\n", label, value).as_bytes());
        };
        field("summary", spec.summary);
        field("since", spec.since);
        if group.is_none() {
            field("group", spec.group.name());
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// `help` on its own. redis-cli prints this banner itself (it never reaches
/// the server); redplay-cli's output must be redis-cli's byte for byte, so
/// this is the 7.0.15 banner as it appears on the terminal.
const OVERVIEW: &str = "redis-cli 7.0.15\n\
To get help about Redis commands type:\n      \
\"help @<group>\" to get a list of commands in <group>\n      \
\"help <command>\" for help on <command>\n      \
\"help <tab>\" to get a list of possible help topics\n      \
\"quit\" to exit\n\
\n\
To set redis-cli preferences:\n      \
\":set hints\" enable online hints\n      \
\":set nohints\" disable online hints\n\
Set your preferences in ~/.redisclirc\n";

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn hint_of(line: &str) -> Option<String> {
        hint(line.as_bytes())
    }

    #[test]
    fn topics_are_sorted_and_distinct() {
        // topics() sorts unstably, which is only deterministic if no two share a name.
        let list = topics();
        assert!(list.len() > 100);
        assert!(list.windows(2).all(|w| w[0].full < w[1].full), "topics must be strictly increasing");
    }

    #[test]
    fn prompt_shows_database_and_transaction() {
        let mut node = Node::new();
        let c = node.connect(0);
        assert_eq!(prompt(&node, c), "127.0.0.1:6379> ");
        node.call(c, &[b"SELECT", b"2"], 0);
        assert_eq!(prompt(&node, c), "127.0.0.1:6379[2]> ");
        node.call(c, &[b"MULTI"], 0);
        assert_eq!(prompt(&node, c), "127.0.0.1:6379[2](TX)> ");
        node.call(c, &[b"EXEC"], 0);
        node.call(c, &[b"SELECT", b"0"], 0);
        node.call(c, &[b"MULTI"], 0);
        assert_eq!(prompt(&node, c), "127.0.0.1:6379(TX)> ");
    }

    #[test]
    fn reconnecting_keeps_the_database() {
        let mut node = Node::new();
        let c = node.connect(0);
        node.call(c, &[b"SELECT", b"2"], 0);
        let fresh = reconnect(&mut node, c, 5);
        assert_ne!(fresh, c);
        assert!(!node.is_connected(c));
        assert_eq!(prompt(&node, fresh), "127.0.0.1:6379[2]> ");
        assert!(node.take_output(fresh).is_empty());
        let again = reconnect(&mut node, fresh, 6);
        node.call(again, &[b"SELECT", b"0"], 6);
        let last = reconnect(&mut node, again, 7);
        assert_eq!(prompt(&node, last), "127.0.0.1:6379> ");
    }

    /// Recorded from redis-cli 7.0.15 typing into a terminal (tmux).
    #[test]
    fn hints_like_redis_cli() {
        let set = "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]";
        let after_value = "[NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]";
        let cases: Vec<(&str, Option<String>)> = vec![
            ("set", Some(alloc::format!(" {}", set))),
            ("SET ", Some(set.into())),
            ("set foo ", Some(set[4..].into())),
            ("set foo", Some(alloc::format!(" {}", &set[4..]))),
            ("set foo bar ", Some(after_value.into())),
            ("set foo bar EX ", Some(after_value.into())),
            ("get  ", Some("key".into())),
            ("get a b c", None),
            ("ping", Some(" [message]".into())),
            ("client", None),
            ("client li", None),
            ("client list", Some(" [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]".into())),
            ("CLIENT SETNAME ", Some("connection-name".into())),
            ("multi", None),
            ("", None),
            ("set \"unbalanced", None),
        ];
        for (line, expected) in cases {
            assert_eq!(hint_of(line), expected, "hint for {:?}", line);
        }
    }

    #[test]
    fn completion_cycles_through_sorted_topics() {
        let client = completions("cli");
        assert_eq!(&client[..3], &["CLIENT", "CLIENT GETNAME", "CLIENT HELP"]);
        assert!(client.iter().all(|c| c.starts_with("CLIENT")));
        assert_eq!(completions("client l"), vec!["CLIENT LIST"]);
        assert_eq!(completions("get k"), Vec::<String>::new());
        assert!(completions("ge").starts_with(&["GET".into(), "GETDEL".into()]));
        // After `help`, groups come first ('@' sorts before letters).
        let topics = completions("help ");
        assert!(topics[0].starts_with("help @"), "{:?}", topics[0]);
        assert_eq!(completions("HELP  @stri"), vec!["HELP  @string"]);
        assert!(completions("@").is_empty());
    }

    #[test]
    fn help_layout_like_redis_cli() {
        let get = String::from_utf8(help(&[b"get".to_vec()])).unwrap();
        assert_eq!(
            get,
            "\r\n  \x1b[1mGET\x1b[0m \x1b[90mkey\x1b[0m\r\n  \x1b[33msummary:\x1b[0m Get the value of a key\r\n  \
             \x1b[33msince:\x1b[0m 1.0.0\r\n  \x1b[33mgroup:\x1b[0m string\r\n\r\n"
        );
        assert_eq!(help(&[b"nosuch".to_vec()]), b"\r\n");
        assert_eq!(help(&[b"get".to_vec(), b"extra".to_vec()]), b"\r\n");
        let client = String::from_utf8(help(&[b"CLIENT".to_vec()])).unwrap();
        assert!(client.starts_with("\r\n  \x1b[1mCLIENT\x1b[0m \x1b[90m\x1b[0m\r\n"), "{}", client);
        assert!(client.contains("CLIENT LIST"));
        let list = String::from_utf8(help(&[b"client".to_vec(), b"list".to_vec()])).unwrap();
        assert_eq!(list.matches("\x1b[1m").count(), 1);
        let tx = String::from_utf8(help(&[b"@TRANSACTIONS".to_vec()])).unwrap();
        assert_eq!(tx.matches("\x1b[1m").count(), 5);
        assert!(!tx.contains("group:"));
        assert!(tx.find("DISCARD").unwrap() < tx.find("WATCH").unwrap());
        assert!(String::from_utf8(help(&[])).unwrap().starts_with("redis-cli 7.0.15\nTo get help"));
    }

    #[test]
    fn typed_help_is_answered_once_and_output_drains_formatted() {
        let mut node = Node::new();
        let c = node.connect(0);
        let once = crate::cli::run_line(&mut node, c, b"help get", 0, false).text;
        assert_eq!(crate::cli::run_line(&mut node, c, b"2 HELP get", 0, false).text, once);
        assert_eq!(crate::cli::run_line(&mut node, c, b"? get", 0, false).text, once);
        assert!(crate::cli::drain_output(&mut node, c).is_empty());
        node.send(c, crate::Reply::Array(vec![crate::Reply::bulk(b"a\x00"), crate::Reply::Integer(1)]));
        assert_eq!(crate::cli::drain_output(&mut node, c), b"1) \"a\\x00\"\n2) (integer) 1\n");
    }
}
