//! The narrow normalisation that lets transcripts compare replies carrying
//! facts of one particular process: client ids, socket details, memory and
//! clock readings. It is applied to core's and the real server's replies alike,
//! and only to the commands listed here; everything else compares exactly.
//!
//! # Client ids
//! A transcript's clients are numbered by first use: the first is id 1, the
//! next id 2... That is what core assigns (a fresh node, every client connected
//! before the first step). The real server is long-lived, so its ids are
//! larger; the replay learns each connection's real id (`CLIENT LIST` on a
//! side connection, matched by local port) and translates:
//! - replies: `CLIENT ID`'s integer, the `id` entry of a HELLO reply (also
//!   inside EXEC's array), and
//!   `id=` in `CLIENT LIST` / `CLIENT INFO` lines: real id → number;
//! - typed arguments, real side only: the id after `ID` in `CLIENT KILL` and
//!   `CLIENT LIST`, and `CLIENT UNBLOCK`'s id: number → real id, when the
//!   number is one of the transcript's clients. Use ids ≥ 100000 for clients
//!   that must not exist.
//!
//! # CLIENT LIST / CLIENT INFO fields
//! Physical fields are replaced by `*`: `addr`, `laddr` (ports), `fd`, `age`,
//! `idle` (seconds of wall time), `qbuf`, `qbuf-free`, `argv-mem`,
//! `multi-mem`, `rbs`, `rbp`, `obl`, `oll`, `omem`, `tot-mem` (buffer sizes)
//! and `events`. Compared exactly: `id` (as above), `name`, `flags`, `db`,
//! `sub`, `psub`, `ssub`, `multi`, `cmd`, `user`, `redir`, `resp`.
//!
//! # INFO
//! Only the fields core reports truthfully and the harness does not disturb
//! are kept, in the server's order, one per line ending in `\n`; section headers and every other line are
//! dropped (see [`INFO_FIELDS`]). Keyspace lines (`db0:keys=1,expires=0,avg_ttl=0`)
//! are kept with `avg_ttl` replaced by `*` (it is a clock reading).
//! `total_connections_received` and `total_commands_processed` are not
//! compared: the harness's own reset and id-discovery commands count there.

use std::collections::HashMap;

use redplay_core::Reply;

/// Translation between a transcript's client numbers and real ids.
#[derive(Default, Clone)]
pub struct Ids {
    /// Real id → transcript number (identity for core).
    to_number: HashMap<i64, i64>,
    /// Transcript number → real id.
    to_real: HashMap<i64, i64>,
}

impl Ids {
    /// `real[i]` is the real id of the transcript's client number i + 1.
    pub fn new(real: &[i64]) -> Ids {
        let mut ids = Ids::default();
        for (i, &id) in real.iter().enumerate() {
            let number = i as i64 + 1;
            ids.to_number.insert(id, number);
            ids.to_real.insert(number, id);
        }
        ids
    }

    fn number(&self, id: i64) -> i64 {
        self.to_number.get(&id).copied().unwrap_or(id)
    }

    fn real(&self, number: i64) -> i64 {
        self.to_real.get(&number).copied().unwrap_or(number)
    }
}

fn is(argv: &[Vec<u8>], index: usize, word: &str) -> bool {
    argv.get(index).is_some_and(|a| a.eq_ignore_ascii_case(word.as_bytes()))
}

/// Typed arguments as the real server must receive them (ids translated).
pub fn real_args(mut argv: Vec<Vec<u8>>, ids: &Ids) -> Vec<Vec<u8>> {
    let translate = |arg: &mut Vec<u8>| {
        if let Some(n) = std::str::from_utf8(arg).ok().and_then(|s| s.parse::<i64>().ok()) {
            if n.to_string().as_bytes() == arg.as_slice() {
                *arg = ids.real(n).to_string().into_bytes();
            }
        }
    };
    if is(&argv, 0, "client") && is(&argv, 1, "unblock") && argv.len() > 2 {
        translate(&mut argv[2]);
    }
    if is(&argv, 0, "client") && (is(&argv, 1, "kill") || is(&argv, 1, "list")) {
        let mut after_id = false;
        for arg in argv.iter_mut().skip(2) {
            if after_id {
                translate(arg);
                // CLIENT LIST ID takes several ids; CLIENT KILL ID takes one.
            }
            if arg.eq_ignore_ascii_case(b"id") {
                after_id = true;
            } else if !arg.iter().all(u8::is_ascii_digit) {
                after_id = false;
            }
        }
    }
    argv
}

const PHYSICAL: &[&str] = &[
    "addr", "laddr", "fd", "age", "idle", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll",
    "omem", "tot-mem", "events",
];

/// INFO fields compared (see the module docs).
pub const INFO_FIELDS: &[&str] = &[
    "redis_version", "redis_mode", "arch_bits", "connected_clients", "cluster_connections", "maxclients",
    "blocked_clients", "tracking_clients", "clients_in_timeout_table", "maxmemory", "maxmemory_policy",
    "pubsub_channels", "pubsub_patterns", "pubsubshard_channels", "role", "connected_slaves",
];

fn client_lines(text: &[u8], ids: &Ids) -> Vec<u8> {
    let mut out = Vec::new();
    for line in text.split_inclusive(|&b| b == b'\n') {
        let (body, end) = match line.strip_suffix(b"\n") {
            Some(body) => (body, &b"\n"[..]),
            None => (line, &b""[..]),
        };
        let fields: Vec<Vec<u8>> = body
            .split(|&b| b == b' ')
            .map(|field| {
                let Some(eq) = field.iter().position(|&b| b == b'=') else {
                    return field.to_vec();
                };
                let (name, value) = (&field[..eq], &field[eq + 1..]);
                let name_text = String::from_utf8_lossy(name);
                if PHYSICAL.contains(&name_text.as_ref()) {
                    return [name, b"=*"].concat();
                }
                if name == b"id" {
                    if let Some(id) = std::str::from_utf8(value).ok().and_then(|s| s.parse::<i64>().ok()) {
                        return format!("id={}", ids.number(id)).into_bytes();
                    }
                }
                field.to_vec()
            })
            .collect();
        out.extend_from_slice(&fields.join(&b' '));
        out.extend_from_slice(end);
    }
    out
}

fn info_lines(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = String::from_utf8_lossy(&line[..colon]);
        let keyspace = name.starts_with("db") && name[2..].bytes().all(|b| b.is_ascii_digit()) && name.len() > 2;
        if keyspace {
            let value = String::from_utf8_lossy(&line[colon + 1..]);
            let kept: Vec<String> = value
                .split(',')
                .map(|kv| {
                    if kv.starts_with("avg_ttl=") {
                        "avg_ttl=*".to_string()
                    } else {
                        kv.to_string()
                    }
                })
                .collect();
            out.extend_from_slice(format!("{}:{}\n", name, kept.join(",")).as_bytes());
        } else if INFO_FIELDS.contains(&name.as_ref()) {
            out.extend_from_slice(line);
            out.extend_from_slice(b"\n");
        }
    }
    out
}

fn map_text(reply: Reply, f: impl Fn(&[u8]) -> Vec<u8>) -> Reply {
    match reply {
        Reply::Bulk(text) => Reply::Bulk(f(&text)),
        Reply::Verbatim { format, text } => Reply::Verbatim { format, text: f(&text) },
        other => other,
    }
}

/// Whether replies to `argv` may need normalising: CLIENT ID/LIST/INFO,
/// INFO, HELLO, and EXEC (whose array may hold a HELLO reply).
pub fn applies(argv: &[Vec<u8>]) -> bool {
    (is(argv, 0, "client") && (is(argv, 1, "id") || is(argv, 1, "list") || is(argv, 1, "info")))
        || is(argv, 0, "info")
        || is(argv, 0, "hello")
        || is(argv, 0, "exec")
}

/// `reply` to the typed `argv`, normalised (see the module docs).
pub fn reply(argv: &[Vec<u8>], reply: Reply, ids: &Ids) -> Reply {
    if is(argv, 0, "client") && is(argv, 1, "id") {
        if let Reply::Integer(id) = reply {
            return Reply::Integer(ids.number(id));
        }
    }
    if is(argv, 0, "client") && (is(argv, 1, "list") || is(argv, 1, "info")) {
        return map_text(reply, |t| client_lines(t, ids));
    }
    if is(argv, 0, "info") {
        return map_text(reply, info_lines);
    }
    if is(argv, 0, "hello") || is(argv, 0, "exec") {
        return hello_ids(reply, ids);
    }
    reply
}

/// HELLO's reply (a map whose first key is `server`, or the same flat array in
/// RESP2) with its `id` translated, wherever it is (EXEC's array too).
fn hello_ids(reply: Reply, ids: &Ids) -> Reply {
    let hello_shaped = match &reply {
        Reply::Map(pairs) => pairs.first().is_some_and(|(k, _)| *k == Reply::bulk(b"server")),
        Reply::Array(items) => items.first() == Some(&Reply::bulk(b"server")),
        _ => false,
    };
    if !hello_shaped {
        return match reply {
            Reply::Array(items) => Reply::Array(items.into_iter().map(|r| hello_ids(r, ids)).collect()),
            other => other,
        };
    }
    match reply {
        Reply::Map(pairs) => Reply::Map(
            pairs
                .into_iter()
                .map(|(k, v)| match (&k, v) {
                    (Reply::Bulk(name), Reply::Integer(id)) if name == b"id" => (k, Reply::Integer(ids.number(id))),
                    (_, v) => (k, v),
                })
                .collect(),
        ),
        Reply::Array(mut items) => {
            for i in 1..items.len() {
                if items[i - 1] == Reply::bulk(b"id") {
                    if let Reply::Integer(id) = items[i] {
                        items[i] = Reply::Integer(ids.number(id));
                    }
                }
            }
            Reply::Array(items)
        }
        other => other,
    }
}
