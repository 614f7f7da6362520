//! redis-cli's behaviour, shared by every front end: how a typed line is split
//! into arguments, and how a reply (as received on the wire) is printed, both
//! in terminal (TTY) form and in raw form.

use alloc::string::String;
use alloc::vec::Vec;

use crate::reply::{format_double, Reply};

/// C's `isspace` in the "C" locale.
pub(crate) fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex_value(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Splits a typed line into arguments as redis-cli does (and as Redis splits
/// inline requests). `None` means an unbalanced quote (redis-cli prints
/// `Invalid argument(s)`).
///
/// Outside quotes, whitespace separates arguments and a quote starts a quoted
/// part of the current argument. Any C whitespace may precede an argument, but
/// only space, tab, CR and LF end an unquoted one, so `a\x0bb` is one argument.
/// In double quotes, `\xHH`, `\n`, `\r`, `\t`, `\b`, `\a` are escapes and a
/// backslash before any other character yields that character. In single
/// quotes only `\'` is an escape. A closing quote must be followed by
/// whitespace or the end of the line. The line is a C string: a NUL ends it.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let line = line.split(|&b| b == 0).next().unwrap_or(&[]);
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && is_space(line[i]) {
            i += 1;
        }
        if i >= line.len() {
            return Some(args);
        }
        let mut current = Vec::new();
        let mut in_double = false;
        let mut in_single = false;
        loop {
            let c = line.get(i).copied();
            if in_double {
                match c {
                    None => return None,
                    Some(b'\\') if line.get(i + 1) == Some(&b'x') => {
                        let hi = line.get(i + 2).and_then(|&h| hex_value(h));
                        let lo = line.get(i + 3).and_then(|&l| hex_value(l));
                        if let (Some(hi), Some(lo)) = (hi, lo) {
                            current.push(hi * 16 + lo);
                            i += 3;
                        } else {
                            current.push(b'x');
                            i += 1;
                        }
                    }
                    Some(b'\\') if i + 1 < line.len() => {
                        i += 1;
                        current.push(match line[i] {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 0x08,
                            b'a' => 0x07,
                            other => other,
                        });
                    }
                    Some(b'"') => {
                        if line.get(i + 1).is_some_and(|&n| !is_space(n)) {
                            return None;
                        }
                        i += 1;
                        break;
                    }
                    Some(other) => current.push(other),
                }
            } else if in_single {
                match c {
                    None => return None,
                    Some(b'\\') if line.get(i + 1) == Some(&b'\'') => {
                        i += 1;
                        current.push(b'\'');
                    }
                    Some(b'\'') => {
                        if line.get(i + 1).is_some_and(|&n| !is_space(n)) {
                            return None;
                        }
                        i += 1;
                        break;
                    }
                    Some(other) => current.push(other),
                }
            } else {
                match c {
                    None | Some(b' ' | b'\t' | b'\r' | b'\n') => break,
                    Some(b'"') => in_double = true,
                    Some(b'\'') => in_single = true,
                    Some(other) => current.push(other),
                }
            }
            i += 1;
        }
        args.push(current);
    }
}

/// A byte string quoted as redis-cli shows it (`sdscatrepr`): in double quotes,
/// with `\\ \" \n \r \t \a \b` escaped, other non-printable bytes as `\xHH`.
pub fn quote(bytes: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in bytes {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[b'\\', b'x', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]]);
            }
        }
    }
    out.push(b'"');
}

/// What redis-cli 7.0 prints (on stderr, before exiting with status 1) for a
/// reply containing a RESP3 big number, a type its formatter does not know.
pub const UNKNOWN_BIG_NUMBER: &[u8] = b"Unknown reply type: 13\n";

/// Whether printing `reply` makes redis-cli give up (see [`UNKNOWN_BIG_NUMBER`]).
pub fn is_unprintable(reply: &Reply) -> bool {
    match reply {
        Reply::BigNumber(_) => true,
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => items.iter().any(is_unprintable),
        Reply::Map(pairs) => pairs.iter().any(|(k, v)| is_unprintable(k) || is_unprintable(v)),
        _ => false,
    }
}

/// The reply as redis-cli prints it on a terminal (`--no-raw`), with the final newline.
///
/// A top-level push is printed as redis-cli prints push messages on a
/// terminal, including its short form for client-side caching invalidations.
pub fn format_tty(reply: &Reply) -> Vec<u8> {
    if is_unprintable(reply) {
        return UNKNOWN_BIG_NUMBER.to_vec();
    }
    let mut out = Vec::new();
    if let Some(keys) = invalidated_keys(reply) {
        out.extend_from_slice(b"-> invalidate: ");
        for (i, key) in keys.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(b", ");
            }
            // Printed as a C string, so a NUL cuts the key short.
            out.push(b'\'');
            out.extend_from_slice(key.split(|&b| b == 0).next().unwrap_or(&[]));
            out.push(b'\'');
        }
        out.push(b'\n');
        return out;
    }
    tty_into(reply, "", &mut out);
    out
}

/// The keys of an invalidation push `["invalidate", [key, ...]]`. redis-cli
/// asserts the keys are strings (it aborts otherwise); other shapes, including
/// `["invalidate", nil]` after a flush, print as ordinary pushes.
fn invalidated_keys(reply: &Reply) -> Option<Vec<&[u8]>> {
    let Reply::Push(items) = reply else {
        return None;
    };
    let [Reply::Bulk(kind), Reply::Array(keys)] = items.as_slice() else {
        return None;
    };
    if kind.as_slice() != b"invalidate" {
        return None;
    }
    keys.iter()
        .map(|key| match key {
            Reply::Bulk(bytes) => Some(bytes.as_slice()),
            _ => None,
        })
        .collect()
}

/// How many elements hiredis sees in an aggregate (a map's keys and values
/// both count), `None` for scalars.
fn element_count(reply: &Reply) -> Option<usize> {
    match reply {
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => Some(items.len()),
        Reply::BulkArray(array) => Some(array.len()),
        Reply::Map(pairs) => Some(pairs.len() * 2),
        _ => None,
    }
}

/// Whether an aggregate prints as entries on more than one line: it has
/// several elements, or its only element does (a lone scalar, or a verbatim
/// text even with line breaks in it, stays on one numbered line).
fn spans_lines(reply: &Reply) -> bool {
    match element_count(reply) {
        Some(1) => match reply {
            Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => spans_lines(&items[0]),
            _ => false,
        },
        Some(n) => n > 1,
        None => false,
    }
}

fn tty_into(reply: &Reply, prefix: &str, out: &mut Vec<u8>) {
    match reply {
        Reply::Error(text) => {
            out.extend_from_slice(b"(error) ");
            out.extend_from_slice(text);
            out.push(b'\n');
        }
        Reply::Status(text) => {
            out.extend_from_slice(text.as_bytes());
            out.push(b'\n');
        }
        Reply::Integer(n) => out.extend_from_slice(alloc::format!("(integer) {}\n", n).as_bytes()),
        Reply::Double(d) => out.extend_from_slice(alloc::format!("(double) {}\n", format_double(*d)).as_bytes()),
        // Unreachable from `format_tty`, which rejects big numbers up front.
        Reply::BigNumber(n) => out.extend_from_slice(alloc::format!("(big number) {}\n", n).as_bytes()),
        Reply::Bulk(bytes) => {
            quote(bytes, out);
            out.push(b'\n');
        }
        Reply::Verbatim { text, .. } => {
            out.extend_from_slice(text);
            out.push(b'\n');
        }
        Reply::Nil | Reply::NilArray => out.extend_from_slice(b"(nil)\n"),
        Reply::Boolean(b) => out.extend_from_slice(if *b { b"(true)\n" } else { b"(false)\n" }),
        Reply::Array(items) => tty_aggregate(items.iter().map(|r| (r, None)), items.len(), ')', "(empty array)", prefix, out),
        Reply::Set(items) => tty_aggregate(items.iter().map(|r| (r, None)), items.len(), '~', "(empty set)", prefix, out),
        Reply::Push(items) => tty_aggregate(items.iter().map(|r| (r, None)), items.len(), ')', "(empty push)", prefix, out),
        Reply::Map(pairs) => tty_aggregate(pairs.iter().map(|(k, v)| (k, Some(v))), pairs.len(), '#', "(empty hash)", prefix, out),
        Reply::BulkArray(array) => tty_into(&Reply::Array(array.to_replies()), prefix, out),
    }
}

/// Prints numbered entries; the index column is as wide as the largest index,
/// nested entries are indented by that width plus two.
fn tty_aggregate<'a>(
    entries: impl Iterator<Item = (&'a Reply, Option<&'a Reply>)>,
    count: usize,
    separator: char,
    empty: &str,
    prefix: &str,
    out: &mut Vec<u8>,
) {
    if count == 0 {
        out.extend_from_slice(empty.as_bytes());
        out.push(b'\n');
        return;
    }
    let width = count.to_string_len();
    let mut nested = String::from(prefix);
    for _ in 0..width + 2 {
        nested.push(' ');
    }
    for (index, (item, value)) in entries.enumerate() {
        let lead = if index == 0 { "" } else { prefix };
        out.extend_from_slice(alloc::format!("{}{:>w$}{} ", lead, index + 1, separator, w = width).as_bytes());
        tty_into(item, &nested, out);
        if let Some(value) = value {
            out.pop();
            out.extend_from_slice(b" => ");
            // A map value printed as numbered entries over several lines
            // starts on its own line, indented like the entries after it.
            if spans_lines(value) {
                out.push(b'\n');
                out.extend_from_slice(nested.as_bytes());
            }
            tty_into(value, &nested, out);
        }
    }
}

trait DecimalWidth {
    fn to_string_len(self) -> usize;
}

impl DecimalWidth for usize {
    fn to_string_len(self) -> usize {
        let mut n = self;
        let mut digits = 1;
        while n >= 10 {
            n /= 10;
            digits += 1;
        }
        digits
    }
}

/// The reply as redis-cli prints it in raw mode (its default when stdout is not
/// a terminal), with the final newline.
pub fn format_raw(reply: &Reply) -> Vec<u8> {
    if is_unprintable(reply) {
        return UNKNOWN_BIG_NUMBER.to_vec();
    }
    let mut out = Vec::new();
    raw_into(reply, &mut out);
    out.push(b'\n');
    out
}

/// redis-cli prints the replies of a few commands raw even on a terminal (and
/// without raw mode's trailing newline): INFO, CLIENT LIST/INFO, CLUSTER
/// NODES/INFO, MEMORY DOCTOR/MALLOC-STATS, LATENCY DOCTOR/GRAPH, LOLWUT.
pub fn prints_raw_on_terminal(argv: &[Vec<u8>]) -> bool {
    let is = |i: usize, word: &str| argv.get(i).is_some_and(|a| a.eq_ignore_ascii_case(word.as_bytes()));
    let argc = argv.len();
    is(0, "info")
        || is(0, "lolwut")
        || (argc >= 2 && is(0, "client") && (is(1, "list") || is(1, "info")))
        || (argc == 2 && is(0, "cluster") && (is(1, "nodes") || is(1, "info")))
        || (argc >= 2 && is(0, "memory") && (is(1, "malloc-stats") || is(1, "doctor")))
        || (argc == 3 && is(0, "latency") && is(1, "graph"))
        || (argc == 2 && is(0, "latency") && is(1, "doctor"))
        || (argc >= 2 && is(0, "debug") && (is(1, "htstats") || is(1, "htstats-key")))
}

/// The reply printed raw without raw mode's final newline, as redis-cli does
/// for [`prints_raw_on_terminal`] commands.
pub fn format_raw_verbatim(reply: &Reply) -> Vec<u8> {
    let mut out = Vec::new();
    raw_into(reply, &mut out);
    out
}

fn raw_into(reply: &Reply, out: &mut Vec<u8>) {
    match reply {
        // An error carries its own newline, so raw output shows a blank line after it.
        Reply::Error(text) => {
            out.extend_from_slice(text);
            out.push(b'\n');
        }
        Reply::Status(text) => out.extend_from_slice(text.as_bytes()),
        Reply::Integer(n) => out.extend_from_slice(alloc::format!("{}", n).as_bytes()),
        Reply::Double(d) => out.extend_from_slice(format_double(*d).as_bytes()),
        Reply::BigNumber(n) => out.extend_from_slice(n.as_bytes()),
        Reply::Bulk(bytes) | Reply::Verbatim { text: bytes, .. } => out.extend_from_slice(bytes),
        Reply::Nil | Reply::NilArray => {}
        Reply::BulkArray(array) => raw_into(&Reply::Array(array.to_replies()), out),
        Reply::Boolean(b) => out.extend_from_slice(if *b { b"(true)" } else { b"(false)" }),
        Reply::Array(items) | Reply::Set(items) | Reply::Push(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b'\n');
                }
                raw_into(item, out);
            }
        }
        Reply::Map(pairs) => {
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(b'\n');
                }
                raw_into(k, out);
                out.push(b' ');
                raw_into(v, out);
            }
        }
    }
}

/// What a typed line asked the front end to do besides printing output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEffect {
    None,
    /// `quit` / `exit`: leave the prompt.
    Exit,
    /// `clear`: clear the screen.
    Clear,
    /// The connection was closed by the server (QUIT).
    Closed,
    /// The client is blocked; more output arrives later.
    Blocked,
    /// SUBSCRIBE, PSUBSCRIBE or SSUBSCRIBE put redis-cli in its reading mode:
    /// from now on it prints each reply that arrives for the client (with
    /// [`format_tty`] or [`format_raw`]) and sends no more typed lines, until
    /// Ctrl-C ends the program. redis-cli 7.0 does this in RESP2 and RESP3 alike.
    Subscribed,
}

/// What redis-cli prints, in terminal form only, before the first reply of
/// a SUBSCRIBE, PSUBSCRIBE or SSUBSCRIBE (even one that fails).
pub const READING_MESSAGES: &[u8] = b"Reading messages... (press Ctrl-C to quit)\n";

/// Whether redis-cli enters its message-reading mode for this command: it
/// goes by the name alone, and leaves again only if the reply is an error (so
/// a SUBSCRIBE queued in MULTI leaves it waiting after `QUEUED`).
pub fn enters_reading_mode(argv: &[Vec<u8>]) -> bool {
    argv.first().is_some_and(|name| {
        ["subscribe", "psubscribe", "ssubscribe"].iter().any(|word| name.eq_ignore_ascii_case(word.as_bytes()))
    })
}

/// Output printed for one typed line, and what else the front end should do.
pub struct LineOutput {
    pub text: Vec<u8>,
    pub effect: LineEffect,
}

/// What a typed line's commands run against: one node, or a cluster
/// through a cluster-aware client (which may print redirections).
pub trait LineTarget {
    /// Runs `argv`; returns its status, its replies, and text redis-cli
    /// prints before them (such as `-> Redirected to slot ...`).
    fn run(&mut self, argv: Vec<Vec<u8>>, now_ms: u64) -> (crate::node::Status, Vec<Reply>, Vec<u8>);
}

struct NodeTarget<'a> {
    node: &'a mut crate::Node,
    client: crate::ClientId,
}

impl LineTarget for NodeTarget<'_> {
    fn run(&mut self, argv: Vec<Vec<u8>>, now_ms: u64) -> (crate::node::Status, Vec<Reply>, Vec<u8>) {
        let status = self.node.execute(self.client, argv, now_ms);
        (status, self.node.take_output(self.client), Vec::new())
    }
}

/// Runs one line typed at a redis-cli prompt against `node` as `client`:
/// splitting, `N COMMAND` repetition, `quit`/`exit`/`clear`, then every reply
/// printed in terminal form (or raw form when `raw`).
pub fn run_line(node: &mut crate::Node, client: crate::ClientId, line: &[u8], now_ms: u64, raw: bool) -> LineOutput {
    run_line_on(&mut NodeTarget { node, client }, line, now_ms, raw)
}

/// [`run_line`] against any [`LineTarget`].
pub fn run_line_on(target: &mut dyn LineTarget, line: &[u8], now_ms: u64, raw: bool) -> LineOutput {
    let mut text = Vec::new();
    let Some(mut argv) = split_args(line) else {
        text.extend_from_slice(b"Invalid argument(s)\n");
        return LineOutput { text, effect: LineEffect::None };
    };
    if argv.is_empty() {
        return LineOutput { text, effect: LineEffect::None };
    }
    let first = argv[0].as_slice();
    if first.eq_ignore_ascii_case(b"quit") || first.eq_ignore_ascii_case(b"exit") {
        return LineOutput { text, effect: LineEffect::Exit };
    }
    if argv.len() == 1 && first.eq_ignore_ascii_case(b"clear") {
        return LineOutput { text, effect: LineEffect::Clear };
    }
    let mut repeat = 1u64;
    if argv.len() > 1 {
        if let Some(count) = repeat_count(first) {
            match count {
                Some(n) => repeat = n,
                None => {
                    text.extend_from_slice(b"Invalid redis-cli repeat command option value.\n");
                    return LineOutput { text, effect: LineEffect::None };
                }
            }
            argv.remove(0);
        }
    }
    // redis-cli answers `help` (or `?`) itself, once whatever the repeat count.
    if argv[0].eq_ignore_ascii_case(b"help") || argv[0] == b"?" {
        text.extend_from_slice(&crate::repl::help(&argv[1..]));
        return LineOutput { text, effect: LineEffect::None };
    }
    let mut effect = LineEffect::None;
    let verbatim = prints_raw_on_terminal(&argv);
    // redis-cli prints the banner once per line; a refusal ends its reading
    // mode, and any further repeats run as ordinary commands.
    let mut reading = enters_reading_mode(&argv);
    if reading && !raw {
        text.extend_from_slice(READING_MESSAGES);
    }
    for _ in 0..repeat {
        let (status, replies, notes) = target.run(argv.clone(), now_ms);
        text.extend_from_slice(&notes);
        let refused = replies.first().is_some_and(Reply::is_error);
        for reply in replies {
            let printed = if verbatim {
                format_raw_verbatim(&reply)
            } else if raw {
                format_raw(&reply)
            } else {
                format_tty(&reply)
            };
            text.extend_from_slice(&printed);
            // redis-cli exits when it meets a reply it cannot print.
            if is_unprintable(&reply) {
                return LineOutput { text, effect: LineEffect::Exit };
            }
        }
        match status {
            crate::node::Status::Done => {}
            crate::node::Status::Blocked => {
                effect = LineEffect::Blocked;
                break;
            }
            crate::node::Status::Closed => {
                effect = LineEffect::Closed;
                break;
            }
        }
        if reading && !refused {
            effect = LineEffect::Subscribed;
            break;
        }
        reading = false;
    }
    LineOutput { text, effect }
}

/// Replies that reached `client` without a line being typed (an unblocked
/// BLPOP, a pub/sub message), printed in terminal form as `run_line` prints.
pub fn drain_output(node: &mut crate::Node, client: crate::ClientId) -> Vec<u8> {
    let mut text = Vec::new();
    for reply in node.take_output(client) {
        text.extend_from_slice(&format_tty(&reply));
    }
    text
}

/// redis-cli treats a first word that `strtol` reads completely as a repeat
/// count. `None`: not a number. `Some(None)`: a number, but not a valid count.
fn repeat_count(word: &[u8]) -> Option<Option<u64>> {
    // redis-cli reads the word as a C string: a NUL byte ends it.
    let word = &word[..word.iter().position(|&c| c == 0).unwrap_or(word.len())];
    let trimmed = {
        let start = word.iter().position(|&c| !is_space(c)).unwrap_or(word.len());
        &word[start..]
    };
    let (negative, digits) = match trimmed.first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        // strtol with nothing parsed leaves the end at the start: "" parses as 0.
        return if word.is_empty() { Some(None) } else { None };
    }
    let mut value: u64 = 0;
    let mut overflow = false;
    for &d in digits {
        match value.checked_mul(10).and_then(|v| v.checked_add((d - b'0') as u64)) {
            Some(v) if v <= i64::MAX as u64 => value = v,
            _ => overflow = true,
        }
    }
    if overflow || negative || value == 0 {
        Some(None)
    } else {
        Some(Some(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn args(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn splitting_like_redis_cli() {
        let cases: &[(&str, Option<Vec<Vec<u8>>>)] = &[
            ("SET k v", Some(args(&["SET", "k", "v"]))),
            ("  GET   k  ", Some(args(&["GET", "k"]))),
            ("SET k \"hello world\"", Some(args(&["SET", "k", "hello world"]))),
            ("SET k 'it''s'", None),
            ("SET k 'it\\'s'", Some(args(&["SET", "k", "it's"]))),
            ("ECHO \"a\\nb\\x41\\\"\"", Some(args(&["ECHO", "a\nbA\""]))),
            ("ECHO \"unterminated", None),
            ("ECHO \"a\"b", None),
            ("ECHO a\"b c\"", Some(args(&["ECHO", "ab c"]))),
            ("ECHO \"\\xZZ\"", Some(args(&["ECHO", "xZZ"]))),
            ("ECHO a\\nb", Some(args(&["ECHO", "a\\nb"]))),
            ("", Some(vec![])),
            ("ECHO \"\"", Some(args(&["ECHO", ""]))),
            // Vertical tab and form feed separate arguments but do not end one.
            ("ECHO a\x0bb \x0c c\x0c", Some(args(&["ECHO", "a\x0bb", "c\x0c"]))),
            ("ECHO \"a\"\x0bb", Some(args(&["ECHO", "a", "b"]))),
            // The line is a C string.
            ("ECHO a\0b c", Some(args(&["ECHO", "a"]))),
            ("ECHO \"a\0b\"", None),
        ];
        for (line, expected) in cases {
            assert_eq!(split_args(line.as_bytes()), *expected, "line {:?}", line);
        }
    }

    fn tty(reply: &Reply) -> String {
        String::from_utf8(format_tty(reply)).unwrap()
    }

    #[test]
    fn tty_formatting_like_redis_cli() {
        let bulk = |s: &str| Reply::bulk(s.as_bytes());
        let cases: Vec<(Reply, &str)> = vec![
            (Reply::status("PONG"), "PONG\n"),
            (Reply::error("ERR syntax error"), "(error) ERR syntax error\n"),
            (Reply::Integer(-3), "(integer) -3\n"),
            (Reply::Nil, "(nil)\n"),
            (bulk("hello world"), "\"hello world\"\n"),
            (Reply::bulk(b"\x00\xff\"\\\n"), "\"\\x00\\xff\\\"\\\\\\n\"\n"),
            (Reply::Array(vec![]), "(empty array)\n"),
            (Reply::Array(vec![bulk("a"), Reply::Integer(1)]), "1) \"a\"\n2) (integer) 1\n"),
            (
                Reply::Array(vec![Reply::Array(vec![bulk("x"), bulk("y")]), bulk("z")]),
                "1) 1) \"x\"\n   2) \"y\"\n2) \"z\"\n",
            ),
            (Reply::Map(vec![(bulk("k"), Reply::Integer(1))]), "1# \"k\" => (integer) 1\n"),
            (Reply::Set(vec![bulk("m")]), "1~ \"m\"\n"),
            (Reply::Double(1.5), "(double) 1.5\n"),
            (Reply::Boolean(true), "(true)\n"),
        ];
        for (reply, expected) in &cases {
            assert_eq!(tty(reply), *expected, "reply {:?}", reply);
        }
        let ten: Vec<Reply> = (0..10).map(Reply::Integer).collect();
        let text = tty(&Reply::Array(vec![Reply::Array(ten)]));
        assert!(text.starts_with("1)  1) (integer) 0\n    2) (integer) 1\n"), "{}", text);
        assert!(text.ends_with("   10) (integer) 9\n"), "{}", text);
    }

    #[test]
    fn map_values_with_several_elements_start_a_new_line() {
        let bulk = |s: &str| Reply::bulk(s.as_bytes());
        let map = Reply::Map(vec![
            (bulk("one"), Reply::Array(vec![bulk("a")])),
            (bulk("two"), Reply::Array(vec![bulk("a"), bulk("b")])),
            (bulk("pair"), Reply::Map(vec![(bulk("k"), bulk("v"))])),
        ]);
        assert_eq!(
            tty(&map),
            "1# \"one\" => 1) \"a\"\n2# \"two\" => \n   1) \"a\"\n   2) \"b\"\n3# \"pair\" => \n   1# \"k\" => \"v\"\n"
        );
    }

    #[test]
    fn invalidation_pushes_use_the_short_form() {
        let push = |keys: Reply| Reply::Push(vec![Reply::bulk(b"invalidate"), keys]);
        let keys = Reply::Array(vec![Reply::bulk(b"k1"), Reply::bulk(b"a\0b")]);
        assert_eq!(tty(&push(keys.clone())), "-> invalidate: 'k1', 'a'\n");
        assert_eq!(tty(&push(Reply::Array(vec![]))), "-> invalidate: \n");
        assert_eq!(tty(&push(Reply::Nil)), "1) \"invalidate\"\n2) (nil)\n");
        // Only pushes, and only in terminal form.
        assert_eq!(tty(&Reply::Array(vec![Reply::bulk(b"invalidate"), keys.clone()])).lines().count(), 3);
        assert_eq!(format_raw(&push(keys)), b"invalidate\nk1\na\0b\n");
    }

    #[test]
    fn big_numbers_are_unprintable() {
        let nested = Reply::Array(vec![Reply::Integer(1), Reply::BigNumber("12".into())]);
        assert!(is_unprintable(&nested));
        assert_eq!(format_tty(&nested), UNKNOWN_BIG_NUMBER);
        assert_eq!(format_raw(&nested), UNKNOWN_BIG_NUMBER);
        assert!(!is_unprintable(&Reply::Array(vec![Reply::Integer(1)])));
    }

    #[test]
    fn raw_formatting_like_redis_cli() {
        let reply = Reply::Array(vec![Reply::bulk(b"a"), Reply::Integer(2), Reply::Nil]);
        assert_eq!(format_raw(&reply), b"a\n2\n\n");
        assert_eq!(format_raw(&Reply::error("ERR x")), b"ERR x\n\n");
        let map = Reply::Map(vec![(Reply::bulk(b"a"), Reply::Integer(1)), (Reply::bulk(b"b"), Reply::Array(vec![]))]);
        assert_eq!(format_raw(&map), b"a 1\nb \n");
    }
}
