//! redplay-wasm: the JavaScript facade over redplay-core. One object, `Engine`,
//! holds a node; every method is a thin call into core. Time comes from the
//! caller as milliseconds (`Date.now()` in the page, a virtual clock in tests).

use js_sys::{Array, Map, Object, Reflect, Set, Uint8Array};
use redplay_core::cli::{self, LineEffect};
use redplay_core::inspect::{self, DataView, KeyView, Listeners, StreamView};
use redplay_core::repl;
use redplay_core::snapshot;
use redplay_core::session::{ClusterMember, Session};
use redplay_core::{Node, Reply};
use redplay_core::vec_map::VecMap;
use wasm_bindgen::prelude::*;

/// The maxmemory a new engine starts with (256 MB).
pub const DEFAULT_MAXMEMORY_BYTES: u64 = 256 * 1024 * 1024;

/// One redplay node and its clients.
#[wasm_bindgen]
pub struct Engine {
    node: Node,
    /// RESP connections by client id (see `openSession`).
    sessions: VecMap<u32, Session>,
}

/// What running a typed line produced.
#[wasm_bindgen(getter_with_clone)]
pub struct LineResult {
    /// The text redis-cli would print.
    pub output: String,
    /// `none`, `exit`, `clear`, `closed`, `blocked` or `subscribed`.
    pub effect: String,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

#[wasm_bindgen]
impl Engine {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Engine {
        let mut node = Node::new();
        // A runaway script must not exhaust the tab's memory and lose the
        // session: writes fail with Redis's OOM error past this (CONFIG SET
        // maxmemory changes it).
        node.config.maxmemory = DEFAULT_MAXMEMORY_BYTES;
        Engine { node, sessions: VecMap::new() }
    }

    /// Opens a client connection; returns its id.
    pub fn connect(&mut self, now_ms: f64) -> u32 {
        self.node.connect(now_ms as u64) as u32
    }

    /// Closes a client connection.
    pub fn disconnect(&mut self, client: u32) {
        self.node.disconnect(client as u64);
    }

    /// Opens a RESP connection (a new client); returns its client id.
    #[wasm_bindgen(js_name = openSession)]
    pub fn open_session(&mut self, now_ms: f64) -> u32 {
        let session = Session::open(&mut self.node, now_ms as u64);
        let id = session.client() as u32;
        self.sessions.insert(id, session);
        id
    }

    /// Feeds raw RESP request bytes (pipelining allowed) to a session and
    /// returns the encoded replies, exactly as a Redis server would write them.
    #[wasm_bindgen(js_name = feedSession)]
    pub fn feed_session(&mut self, id: u32, bytes: &[u8], now_ms: f64) -> Vec<u8> {
        match self.sessions.get_mut(&id) {
            Some(session) => session.feed(&mut self.node, bytes, now_ms as u64),
            None => Vec::new(),
        }
    }

    /// Encoded output that arrived without input (pub/sub messages, replies of
    /// unblocked commands).
    #[wasm_bindgen(js_name = drainSession)]
    pub fn drain_session(&mut self, id: u32) -> Vec<u8> {
        match self.sessions.get_mut(&id) {
            Some(session) => session.drain(&mut self.node),
            None => Vec::new(),
        }
    }

    /// True once the session's connection must be closed.
    #[wasm_bindgen(js_name = sessionClosed)]
    pub fn session_closed(&self, id: u32) -> bool {
        self.sessions.get(&id).is_none_or(|s| s.is_closed(&self.node))
    }

    /// Closes a session (the peer went away).
    #[wasm_bindgen(js_name = closeSession)]
    pub fn close_session(&mut self, id: u32) {
        if let Some(mut session) = self.sessions.remove(&id) {
            session.close(&mut self.node);
        }
    }

    /// Moves the virtual clock forward, firing timeouts of blocked clients.
    pub fn advance(&mut self, now_ms: f64) {
        self.node.advance(now_ms as u64);
    }

    /// Runs one command given as an array of arguments (strings or
    /// `Uint8Array`s) and returns its first reply as a JS value. A Redis error
    /// reply is thrown as an `Error` named `ReplyError` carrying Redis's text.
    pub fn call(&mut self, client: u32, args: Vec<JsValue>, now_ms: f64) -> Result<JsValue, JsValue> {
        let argv = args.iter().map(argument_bytes).collect::<Result<Vec<_>, _>>()?;
        self.node.execute(client as u64, argv, now_ms as u64);
        match self.node.take_output(client as u64).into_iter().next() {
            Some(Reply::Error(text)) => Err(reply_error(&text)),
            Some(reply) => Ok(to_js(&reply)),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Runs one command and returns every reply it produced at once, in order
    /// (none when the client blocked): errors are `ReplyError` values, not
    /// thrown, and each item says whether it is a RESP3 push.
    #[wasm_bindgen(js_name = callAll, unchecked_return_type = "ReplyItem[]")]
    pub fn call_all(&mut self, client: u32, args: Vec<JsValue>, now_ms: f64) -> Result<Array, JsValue> {
        let argv = args.iter().map(argument_bytes).collect::<Result<Vec<_>, _>>()?;
        self.node.execute(client as u64, argv, now_ms as u64);
        Ok(self.take_replies(client))
    }

    /// Replies that arrived for a client since its last command: pub/sub
    /// messages, the reply of a command that was blocked, a timeout's nil.
    #[wasm_bindgen(js_name = takeReplies, unchecked_return_type = "ReplyItem[]")]
    pub fn take_replies(&mut self, client: u32) -> Array {
        self.node
            .take_output(client as u64)
            .iter()
            .map(|reply| {
                let item = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&item, &"value".into(), &to_js(reply));
                let _ = js_sys::Reflect::set(&item, &"push".into(), &matches!(reply, Reply::Push(_)).into());
                JsValue::from(item)
            })
            .collect()
    }

    /// Runs one command and returns its replies as redis-cli prints them on a
    /// terminal (empty when the client blocked).
    #[wasm_bindgen(js_name = callText)]
    pub fn call_text(&mut self, client: u32, args: Vec<JsValue>, now_ms: f64) -> Result<String, JsValue> {
        let argv = args.iter().map(argument_bytes).collect::<Result<Vec<_>, _>>()?;
        self.node.execute(client as u64, argv, now_ms as u64);
        let text: Vec<u8> = self.node.take_output(client as u64).iter().flat_map(cli::format_tty).collect();
        Ok(String::from_utf8_lossy(&text).into_owned())
    }

    /// Runs a line typed at the prompt and returns redis-cli's terminal output.
    #[wasm_bindgen(js_name = runLine)]
    pub fn run_line(&mut self, client: u32, line: &str, now_ms: f64) -> LineResult {
        let result = cli::run_line(&mut self.node, client as u64, line.as_bytes(), now_ms as u64, false);
        LineResult::from(result)
    }

    /// Replies that reached a client without a typed line (an unblocked
    /// command, a pub/sub message), formatted as `runLine` prints them.
    #[wasm_bindgen(js_name = drainOutput)]
    pub fn drain_output(&mut self, client: u32) -> String {
        String::from_utf8_lossy(&cli::drain_output(&mut self.node, client as u64)).into_owned()
    }

    /// redis-cli's prompt for the client (`127.0.0.1:6379[2](TX)> `).
    pub fn prompt(&self, client: u32) -> String {
        repl::prompt(&self.node, client as u64)
    }

    /// The grey hint redis-cli shows after the typed line, if any.
    pub fn hint(&self, line: &str) -> Option<String> {
        repl::hint(line.as_bytes())
    }

    /// The lines Tab cycles through for the typed line.
    pub fn completions(&self, line: &str) -> Vec<String> {
        repl::completions(line)
    }

    /// When the client started waiting in a blocking command, if it waits.
    #[wasm_bindgen(js_name = blockedSince)]
    pub fn blocked_since(&self, client: u32) -> Option<f64> {
        self.node.client(client as u64).and_then(|c| c.blocked_since_ms()).map(|ms| ms as f64)
    }

    /// The earliest virtual time at which a blocked client times out.
    #[wasm_bindgen(js_name = nextDeadline)]
    pub fn next_deadline(&self) -> Option<f64> {
        self.node.next_deadline_ms().map(|ms| ms as f64)
    }

    /// Replaces a client's connection as redis-cli does after Ctrl-C (same
    /// database selected); returns the new client id.
    pub fn reconnect(&mut self, client: u32, now_ms: f64) -> u32 {
        repl::reconnect(&mut self.node, client as u64, now_ms as u64) as u32
    }

    /// False once the connection is closed.
    #[wasm_bindgen(js_name = isConnected)]
    pub fn is_connected(&self, client: u32) -> bool {
        self.node.is_connected(client as u64)
    }

    /// True while the client waits in a blocking command (BLPOP, XREAD BLOCK...).
    #[wasm_bindgen(js_name = isBlocked)]
    pub fn is_blocked(&self, client: u32) -> bool {
        self.node.client(client as u64).is_some_and(|c| c.is_blocked())
    }
}

#[wasm_bindgen(typescript_custom_section)]
const REPLY_ITEM: &'static str = r#"
/** One reply taken from a client's outbox; `push` is true for RESP3 push messages. */
export interface ReplyItem {
    value: unknown;
    push: boolean;
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const INSPECT_TYPES: &'static str = r#"
/** Bytes as a string when they are UTF-8, otherwise as a Uint8Array. */
export type Bytes = string | Uint8Array;
export interface KeySummary { key: Bytes; type: string }
export interface KeyList { keys: KeySummary[]; total: number }
export interface PendingInfo { id: string; idleMs: number; deliveries: number }
export interface ConsumerInfo { name: Bytes; idleMs: number; pending: PendingInfo[] }
export interface GroupInfo {
  name: Bytes; lastDeliveredId: string; entriesRead: number; lag: number | null; consumers: ConsumerInfo[];
}
export interface StreamEntryInfo { id: string; fields: Bytes[] }
export type KeyData =
  | { type: 'string'; value: Bytes }
  | { type: 'list'; length: number; start: number; items: Bytes[] }
  | {
      type: 'stream'; length: number; firstId: string; lastId: string; maxDeletedId: string;
      entriesAdded: number; start: number; entries: StreamEntryInfo[]; groups: GroupInfo[];
    };
export type KeyInfo = KeyData & { encoding: string; ttlMs: number | null; idleSeconds: number };
export interface Subscriber { id: number; name: Bytes | null }
export interface Listeners { name: Bytes; clients: Subscriber[] }
export interface PubSubInfo { channels: Listeners[]; patterns: Listeners[]; shardChannels: Listeners[] }
/** One cluster node: `ranges` are the [first, last] slot ranges it serves. */
export interface ClusterNode {
  id: string; port: number; primary: number | null; running: boolean; failed: boolean; epoch: number;
  ranges: [number, number][]; slots: number; keys: number; downSince: number | null;
}
"#;

/// Read-only views for the data inspector, and snapshots of the keyspace.
#[wasm_bindgen]
impl Engine {
    /// The database a client has selected.
    #[wasm_bindgen(js_name = clientDb)]
    pub fn client_db(&self, client: u32) -> u32 {
        self.node.client(client as u64).map_or(0, |c| c.db as u32)
    }

    /// A client's `CLIENT SETNAME` name, if any.
    #[wasm_bindgen(js_name = clientName)]
    pub fn client_name(&self, client: u32) -> Option<String> {
        self.node.client(client as u64).and_then(|c| c.name.as_deref()).map(|n| String::from_utf8_lossy(n).into_owned())
    }

    /// Up to `limit` live keys of database `db` in byte order, and their total.
    #[wasm_bindgen(unchecked_return_type = "KeyList")]
    pub fn keys(&self, db: u32, limit: u32, now_ms: f64) -> JsValue {
        let (keys, total) = inspect::keys(&self.node, db as usize, limit as usize, now_ms as u64);
        let list: Array = keys.iter().map(|k| object(&[("key", bytes_to_js(&k.key)), ("type", k.kind.into())])).collect();
        object(&[("keys", list.into()), ("total", (total as f64).into())])
    }

    /// What is stored at `key` in database `db` (elements `start..start+count`
    /// of a list or stream); `null` if there is no such key. Not an access.
    #[wasm_bindgen(unchecked_return_type = "KeyInfo | null")]
    pub fn inspect(&self, db: u32, key: JsValue, start: u32, count: u32, now_ms: f64) -> Result<JsValue, JsValue> {
        let key = argument_bytes(&key)?;
        Ok(inspect::key(&self.node, db as usize, &key, start as usize, count as usize, now_ms as u64).map_or(JsValue::NULL, |v| key_info(&v)))
    }

    /// Every channel, pattern and shard channel with its subscribers.
    #[wasm_bindgen(js_name = pubsub, unchecked_return_type = "PubSubInfo")]
    pub fn pubsub_info(&self) -> JsValue {
        let view = inspect::pubsub(&self.node);
        let table = |rows: &[Listeners]| -> JsValue { rows.iter().map(listeners).collect::<Array>().into() };
        object(&[
            ("channels", table(&view.channels)),
            ("patterns", table(&view.patterns)),
            ("shardChannels", table(&view.shard_channels)),
        ])
    }

    /// The keyspace (every database) as bytes, for `restore`.
    pub fn snapshot(&self, now_ms: f64) -> Vec<u8> {
        snapshot::dump(&self.node, now_ms as u64)
    }

    /// Replaces the keyspace with a snapshot's; returns the number of keys.
    /// Bad bytes throw a `RangeError` and leave the keyspace as it was.
    pub fn restore(&mut self, bytes: &[u8]) -> Result<u32, JsValue> {
        snapshot::restore(&mut self.node, bytes).map(|n| n as u32).map_err(|e| js_sys::RangeError::new(&e.to_string()).into())
    }
}

fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (name, value) in fields {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&object, &JsValue::from_str(name), value);
    }
    object.into()
}

fn bytes_list<'a>(items: impl Iterator<Item = &'a [u8]>) -> JsValue {
    items.map(bytes_to_js).collect::<Array>().into()
}

fn key_info(view: &KeyView) -> JsValue {
    let mut fields: Vec<(&str, JsValue)> = vec![
        ("type", view.kind.into()),
        ("encoding", view.encoding.into()),
        ("ttlMs", view.ttl_ms.map_or(JsValue::NULL, |ms| (ms as f64).into())),
        ("idleSeconds", (view.idle_s as f64).into()),
    ];
    match &view.data {
        DataView::String(bytes) => fields.push(("value", bytes_to_js(bytes))),
        DataView::List { len, start, items } => fields.extend([
            ("length", (*len as f64).into()),
            ("start", (*start as f64).into()),
            ("items", bytes_list(items.iter().map(Vec::as_slice))),
        ]),
        DataView::Stream(stream) => stream_fields(stream, &mut fields),
    }
    object(&fields)
}

fn stream_fields(s: &StreamView, fields: &mut Vec<(&str, JsValue)>) {
    let id = |id: &redplay_core::stream::StreamId| JsValue::from_str(&id.to_string());
    let entries: Array = s
        .entries
        .iter()
        .map(|(entry_id, pairs)| {
            let flat = bytes_list(pairs.iter().flat_map(|(f, v)| [f.as_slice(), v.as_slice()]));
            object(&[("id", id(entry_id)), ("fields", flat)])
        })
        .collect();
    let groups: Array = s
        .groups
        .iter()
        .map(|g| {
            let consumers: Array = g
                .consumers
                .iter()
                .map(|c| {
                    let pending: Array = c
                        .pending
                        .iter()
                        .map(|p| object(&[("id", id(&p.id)), ("idleMs", (p.idle_ms as f64).into()), ("deliveries", (p.delivery_count as f64).into())]))
                        .collect();
                    object(&[("name", bytes_to_js(&c.name)), ("idleMs", (c.idle_ms as f64).into()), ("pending", pending.into())])
                })
                .collect();
            object(&[
                ("name", bytes_to_js(&g.name)),
                ("lastDeliveredId", id(&g.last_delivered_id)),
                ("entriesRead", (g.entries_read as f64).into()),
                ("lag", g.lag.map_or(JsValue::NULL, |n| (n as f64).into())),
                ("consumers", consumers.into()),
            ])
        })
        .collect();
    fields.extend([
        ("length", (s.len as f64).into()),
        ("firstId", id(&s.first_id)),
        ("lastId", id(&s.last_id)),
        ("maxDeletedId", id(&s.max_deleted_id)),
        ("entriesAdded", (s.entries_added as f64).into()),
        ("start", (s.start as f64).into()),
        ("entries", entries.into()),
        ("groups", groups.into()),
    ]);
}

fn listeners(row: &Listeners) -> JsValue {
    let clients: Array = row
        .clients
        .iter()
        .map(|c| object(&[("id", (c.id as f64).into()), ("name", c.name.as_deref().map_or(JsValue::NULL, bytes_to_js))]))
        .collect();
    object(&[("name", bytes_to_js(&row.name)), ("clients", clients.into())])
}

impl From<cli::LineOutput> for LineResult {
    fn from(result: cli::LineOutput) -> LineResult {
        let effect = match result.effect {
            LineEffect::None => "none",
            LineEffect::Exit => "exit",
            LineEffect::Clear => "clear",
            LineEffect::Closed => "closed",
            LineEffect::Blocked => "blocked",
            LineEffect::Subscribed => "subscribed",
        };
        LineResult { output: String::from_utf8_lossy(&result.text).into_owned(), effect: effect.into() }
    }
}

/// A command argument from JS: a string (sent as UTF-8) or a `Uint8Array`.
fn argument_bytes(value: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = value.as_string() {
        Ok(text.into_bytes())
    } else if value.is_instance_of::<Uint8Array>() {
        Ok(Uint8Array::new(value).to_vec())
    } else {
        Err(js_sys::TypeError::new("command arguments must be strings or Uint8Arrays").into())
    }
}

fn reply_error(text: &[u8]) -> JsValue {
    let error = js_sys::Error::new(&String::from_utf8_lossy(text));
    error.set_name("ReplyError");
    error.into()
}

/// Bytes as a JS string when they are UTF-8, otherwise as a `Uint8Array`.
fn bytes_to_js(bytes: &[u8]) -> JsValue {
    match core::str::from_utf8(bytes) {
        Ok(text) => JsValue::from_str(text),
        Err(_) => Uint8Array::from(bytes).into(),
    }
}

/// A reply as a JS value: strings, numbers (BigInt beyond 2^53), null, arrays,
/// `Map`, `Set`, booleans; errors nested in arrays become `Error` objects.
fn to_js(reply: &Reply) -> JsValue {
    const SAFE: i64 = (1 << 53) - 1;
    match reply {
        Reply::Status(text) => JsValue::from_str(text),
        Reply::Error(text) => reply_error(text),
        Reply::Integer(n) if (-SAFE..=SAFE).contains(n) => JsValue::from_f64(*n as f64),
        Reply::Integer(n) => js_sys::BigInt::from(*n).into(),
        Reply::Bulk(bytes) => bytes_to_js(bytes),
        Reply::Verbatim { text, .. } => bytes_to_js(text),
        Reply::Nil | Reply::NilArray => JsValue::NULL,
        Reply::Array(items) | Reply::Push(items) => items.iter().map(to_js).collect::<Array>().into(),
        Reply::BulkArray(array) => array.to_replies().iter().map(to_js).collect::<Array>().into(),
        Reply::Set(items) => {
            let set = Set::new(&JsValue::UNDEFINED);
            for item in items {
                set.add(&to_js(item));
            }
            set.into()
        }
        Reply::Map(pairs) => {
            let map = Map::new();
            for (k, v) in pairs {
                map.set(&to_js(k), &to_js(v));
            }
            map.into()
        }
        Reply::Double(d) => JsValue::from_f64(*d),
        Reply::Boolean(b) => JsValue::from_bool(*b),
        Reply::BigNumber(n) => js_sys::BigInt::new(&JsValue::from_str(n)).map(JsValue::from).unwrap_or_else(|_| JsValue::from_str(n)),
    }
}

/// A simulated Redis Cluster for the page's cluster view: thin calls into
/// `redplay_core::cluster`. Clients are cluster-aware (`redis-cli -c` when
/// `follow` is set) and identified by handles this object hands out.
#[wasm_bindgen]
pub struct ClusterEngine {
    cluster: redplay_core::cluster::Cluster,
    clients: VecMap<u32, redplay_core::cluster::client::ClusterClient>,
    next_handle: u32,
    serving: ClusterServing,
}

/// Messages and bytes on the cluster bus.
#[wasm_bindgen]
#[derive(Clone, Copy)]
pub struct BusCounter {
    pub messages: f64,
    pub bytes: f64,
}

impl From<redplay_core::cluster::bus::Counter> for BusCounter {
    fn from(c: redplay_core::cluster::bus::Counter) -> Self {
        BusCounter { messages: c.messages as f64, bytes: c.bytes as f64 }
    }
}

/// The bus message kind named by `kind` (`publish`, `publishshard`, `fail`, `update`).
fn bus_kind(kind: &str) -> Option<redplay_core::cluster::bus::Kind> {
    redplay_core::cluster::bus::Kind::ALL.into_iter().find(|k| k.name() == kind)
}

#[wasm_bindgen]
impl ClusterEngine {
    /// `primaries` primaries with `replicas` replicas each, on ports 7000 upwards.
    #[wasm_bindgen(constructor)]
    pub fn new(primaries: u32, replicas: u32, now_ms: f64) -> Result<ClusterEngine, JsValue> {
        let cluster = redplay_core::cluster::Cluster::new(primaries as usize, replicas as usize, 0, now_ms as u64)
            .map_err(|e| JsValue::from(js_sys::RangeError::new(&format!("cannot create the cluster: {:?}", e))))?;
        Ok(ClusterEngine { cluster, clients: VecMap::new(), next_handle: 1, serving: ClusterServing::default() })
    }

    #[wasm_bindgen(js_name = nodeCount)]
    pub fn node_count(&self) -> u32 {
        self.cluster.len() as u32
    }

    /// The port of node `index` (7000 + index).
    pub fn port(&self, index: u32) -> Option<u16> {
        self.cluster.topology().nodes.get(index as usize).map(|n| n.port)
    }

    /// The node a replica replicates, if `index` is a replica.
    #[wasm_bindgen(js_name = primaryOf)]
    pub fn primary_of(&self, index: u32) -> Option<u32> {
        self.cluster.topology().nodes.get(index as usize).and_then(|n| n.primary).map(|p| p as u32)
    }

    /// The slot of a key or shard channel.
    #[wasm_bindgen(js_name = keySlot)]
    pub fn key_slot(&self, key: &str) -> u16 {
        redplay_core::cluster::slot::key_slot(key.as_bytes())
    }

    /// The node serving `slot`.
    #[wasm_bindgen(js_name = slotOwner)]
    pub fn slot_owner(&self, slot: u16) -> Option<u32> {
        self.cluster.topology().owner(slot).map(|n| n as u32)
    }

    /// Connects a client to node `index`; `follow` makes it follow redirections.
    pub fn connect(&mut self, index: u32, follow: bool, now_ms: f64) -> Option<u32> {
        let client = redplay_core::cluster::client::ClusterClient::connect(
            &mut self.cluster,
            index as usize,
            follow,
            now_ms as u64,
        )?;
        let handle = self.next_handle;
        self.next_handle += 1;
        self.clients.insert(handle, client);
        Some(handle)
    }

    /// The node a client is connected to now (it moves when redirected).
    #[wasm_bindgen(js_name = clientNode)]
    pub fn client_node(&self, handle: u32) -> Option<u32> {
        self.clients.get(&handle).map(|c| c.node as u32)
    }

    /// Runs a typed line as `redis-cli [-c]` on the client's node.
    #[wasm_bindgen(js_name = runLine)]
    pub fn run_line(&mut self, handle: u32, line: &str, now_ms: f64) -> LineResult {
        let Some(client) = self.clients.get_mut(&handle) else {
            return LineResult { output: String::new(), effect: "closed".into() };
        };
        let result = client.run_line(&mut self.cluster, line.as_bytes(), now_ms as u64, false);
        LineResult::from(result)
    }

    /// Messages and replies that reached the client since, as `runLine` prints them.
    #[wasm_bindgen(js_name = drainOutput)]
    pub fn drain_output(&mut self, handle: u32) -> String {
        let Some(client) = self.clients.get(&handle) else { return String::new() };
        let text: Vec<u8> = client.take_output(&mut self.cluster).iter().flat_map(cli::format_tty).collect();
        String::from_utf8_lossy(&text).into_owned()
    }

    /// redis-cli's prompt for the client (`127.0.0.1:7002> `, `not connected> ` while its node is down).
    pub fn prompt(&self, handle: u32) -> String {
        self.clients.get(&handle).map(|c| c.console_prompt(&self.cluster)).unwrap_or_default()
    }

    /// Closes a client's connection and forgets its handle.
    pub fn disconnect(&mut self, handle: u32) {
        if let Some(c) = self.clients.remove(&handle) {
            self.cluster.disconnect(c.node, c.client);
        }
    }

    /// When the client started waiting in a blocking command, if it waits.
    #[wasm_bindgen(js_name = blockedSince)]
    pub fn blocked_since(&self, handle: u32) -> Option<f64> {
        let c = self.clients.get(&handle)?;
        self.cluster.node(c.node)?.client(c.client)?.blocked_since_ms().map(|ms| ms as f64)
    }

    /// Every node, in index order, for the cluster view.
    #[wasm_bindgen(unchecked_return_type = "ClusterNode[]")]
    pub fn nodes(&self, now_ms: f64) -> Array {
        let number = |n: u64| JsValue::from(n as f64);
        let optional = |n: Option<u64>| n.map_or(JsValue::NULL, number);
        self.cluster
            .node_views(now_ms as u64)
            .iter()
            .map(|v| {
                let ranges: Array = v.ranges.iter().map(|&(a, b)| Array::of2(&a.into(), &b.into())).collect();
                object(&[
                    ("id", v.id.as_str().into()),
                    ("port", v.port.into()),
                    ("primary", optional(v.primary.map(|p| p as u64))),
                    ("running", v.running.into()),
                    ("failed", v.failed.into()),
                    ("epoch", number(v.config_epoch)),
                    ("ranges", ranges.into()),
                    ("slots", number(v.slot_count as u64)),
                    ("keys", number(v.keys as u64)),
                    ("downSince", optional(v.down_since)),
                ])
            })
            .collect()
    }

    /// Every bus link that carried messages, flattened: from, to, messages, bytes, from, to...
    pub fn links(&self) -> Vec<f64> {
        self.cluster.link_views().iter().flat_map(|l| [l.from as f64, l.to as f64, l.messages as f64, l.bytes as f64]).collect()
    }

    /// The node timeout after which a stopped node is marked failed.
    #[wasm_bindgen(js_name = nodeTimeout)]
    pub fn node_timeout(&self) -> f64 {
        self.cluster.node_timeout_ms as f64
    }

    /// The whole cluster (shape, node states, keyspaces) as bytes, for `load`.
    pub fn save(&self) -> Vec<u8> {
        self.cluster.save()
    }

    /// A cluster from `save`'s bytes; bad bytes throw a `RangeError`.
    pub fn load(bytes: &[u8]) -> Result<ClusterEngine, JsValue> {
        let cluster = redplay_core::cluster::Cluster::load(bytes).map_err(|e| JsValue::from(js_sys::RangeError::new(&e.to_string())))?;
        Ok(ClusterEngine { cluster, clients: VecMap::new(), next_handle: 1, serving: ClusterServing::default() })
    }

    /// Moves the virtual clock (failure detection, timeouts).
    pub fn advance(&mut self, now_ms: f64) {
        self.cluster.advance(now_ms as u64);
    }

    /// Stops node `index`; after the node timeout its replica takes over.
    #[wasm_bindgen(js_name = stopNode)]
    pub fn stop_node(&mut self, index: u32, now_ms: f64) -> bool {
        self.cluster.stop(index as usize, now_ms as u64).is_ok()
    }

    #[wasm_bindgen(js_name = restartNode)]
    pub fn restart_node(&mut self, index: u32, now_ms: f64) -> bool {
        self.cluster.restart(index as usize, now_ms as u64).is_ok()
    }

    #[wasm_bindgen(js_name = isRunning)]
    pub fn is_running(&self, index: u32) -> bool {
        self.cluster.is_running(index as usize)
    }

    /// Moves slots `first..=last` (with their keys) to primary `to`; returns the keys moved.
    pub fn reshard(&mut self, first: u16, last: u16, to: u32) -> Option<u32> {
        self.cluster.reshard(first, last, to as usize).ok().map(|n| n as u32)
    }

    /// Bus messages of one kind (`publish`, `publishshard`, `fail`, `update`) over all nodes.
    #[wasm_bindgen(js_name = busTotal)]
    pub fn bus_total(&self, kind: &str) -> BusCounter {
        bus_kind(kind).map_or(BusCounter { messages: 0.0, bytes: 0.0 }, |k| self.cluster.bus().total(k).into())
    }

    /// What node `index` sent and received on the bus, all kinds together.
    #[wasm_bindgen(js_name = busSent)]
    pub fn bus_sent(&self, index: u32) -> BusCounter {
        self.cluster.bus().node(index as usize).sent_total().into()
    }

    #[wasm_bindgen(js_name = busReceived)]
    pub fn bus_received(&self, index: u32) -> BusCounter {
        self.cluster.bus().node(index as usize).received_total().into()
    }

    /// Traffic on the link from node `from` to node `to`.
    #[wasm_bindgen(js_name = busLink)]
    pub fn bus_link(&self, from: u32, to: u32) -> BusCounter {
        self.cluster.bus().links.get(&(from as usize, to as usize)).copied().unwrap_or_default().into()
    }

    #[wasm_bindgen(js_name = resetBus)]
    pub fn reset_bus(&mut self) {
        self.cluster.reset_bus();
    }
}

/// The RESP server's sessions (`redplay serve`): which have something to write.
#[wasm_bindgen]
impl Engine {
    /// Sessions with output waiting or whose connection must close, so the
    /// server visits only those after a read rather than every connection.
    #[wasm_bindgen(js_name = readySessions)]
    pub fn ready_sessions(&self) -> Vec<u32> {
        let node = &self.node;
        self.sessions.iter().filter(|(_, s)| s.is_closed(node) || node.has_output(s.client())).map(|(&id, _)| id).collect()
    }
}

/// The RESP server's side of a cluster (`redplay serve --cluster-primaries`):
/// one session per TCP connection to a node, and the ports the nodes really
/// listen on.
#[derive(Default)]
struct ClusterServing {
    /// Each open session and its node's index, at its handle; closed ones
    /// leave a hole for the next. (A slab rather than a map: one more map
    /// type would cost the wasm kilobytes.)
    sessions: Vec<Option<(usize, Session)>>,
    /// Node `i` listens on `ports[i]`; empty while the nodes keep 7000 + i.
    ports: Vec<u16>,
}

impl ClusterServing {
    fn get(&self, handle: u32) -> Option<&(usize, Session)> {
        self.sessions.get(handle as usize).and_then(Option::as_ref)
    }

    fn get_mut(&mut self, handle: u32) -> Option<&mut (usize, Session)> {
        self.sessions.get_mut(handle as usize).and_then(Option::as_mut)
    }
}

/// RESP sessions on the nodes of a cluster, for the Node server.
#[wasm_bindgen]
impl ClusterEngine {
    /// Makes node `i` announce `ports[i]` (in MOVED/ASK, CLUSTER SLOTS,
    /// SHARDS and NODES), where the server really listens for it.
    #[wasm_bindgen(js_name = announcePorts)]
    pub fn announce_ports(&mut self, ports: Vec<u16>) {
        self.serving.ports = ports;
        self.keep_ports();
    }

    /// Opens a RESP connection to node `index`; its handle, or none when the
    /// node is stopped or unknown.
    #[wasm_bindgen(js_name = openSession)]
    pub fn open_session(&mut self, index: u32, now_ms: f64) -> Option<u32> {
        let index = index as usize;
        let client = self.cluster.connect(index, now_ms as u64)?;
        let session = Some((index, Session::attach(client, self.cluster.node(index)?)));
        let sessions = &mut self.serving.sessions;
        let handle = sessions.iter().position(Option::is_none).unwrap_or(sessions.len());
        match sessions.get_mut(handle) {
            Some(hole) => *hole = session,
            None => sessions.push(session),
        }
        Some(handle as u32)
    }

    /// Feeds request bytes to a session; returns its encoded replies.
    #[wasm_bindgen(js_name = feedSession)]
    pub fn feed_session(&mut self, handle: u32, bytes: &[u8], now_ms: f64) -> Vec<u8> {
        let Some((index, session)) = self.serving.get_mut(handle) else { return Vec::new() };
        let out = session.feed(&mut ClusterMember { cluster: &mut self.cluster, index: *index }, bytes, now_ms as u64);
        self.keep_ports();
        out
    }

    /// Encoded output that reached a session without input.
    #[wasm_bindgen(js_name = drainSession)]
    pub fn drain_session(&mut self, handle: u32) -> Vec<u8> {
        let Some((index, session)) = self.serving.get_mut(handle) else { return Vec::new() };
        session.drain(&mut ClusterMember { cluster: &mut self.cluster, index: *index })
    }

    /// True once the session's connection must be closed.
    #[wasm_bindgen(js_name = sessionClosed)]
    pub fn session_closed(&mut self, handle: u32) -> bool {
        let Some((index, session)) = self.serving.get(handle) else { return true };
        session.is_closed(&ClusterMember { cluster: &mut self.cluster, index: *index })
    }

    /// Sessions with output waiting or whose connection must close.
    #[wasm_bindgen(js_name = readySessions)]
    pub fn ready_sessions(&mut self) -> Vec<u32> {
        let cluster = &mut self.cluster;
        let mut ready = Vec::new();
        for (handle, (index, session)) in self.serving.sessions.iter().enumerate().filter_map(|(h, s)| Some((h as u32, s.as_ref()?))) {
            let member = ClusterMember { cluster: &mut *cluster, index: *index };
            let waiting = member.cluster.node(*index).is_some_and(|n| n.has_output(session.client()));
            if waiting || session.is_closed(&member) {
                ready.push(handle);
            }
        }
        ready
    }

    /// Closes a session (the peer went away).
    #[wasm_bindgen(js_name = closeSession)]
    pub fn close_session(&mut self, handle: u32) {
        if let Some((index, mut session)) = self.serving.sessions.get_mut(handle as usize).and_then(Option::take) {
            session.close(&mut ClusterMember { cluster: &mut self.cluster, index });
        }
    }

    /// The earliest time a blocked client on any running node times out.
    #[wasm_bindgen(js_name = nextDeadline)]
    pub fn next_deadline(&self) -> Option<f64> {
        (0..self.cluster.len())
            .filter(|&i| self.cluster.is_running(i))
            .filter_map(|i| self.cluster.node(i).and_then(|n| n.next_deadline_ms()))
            .min()
            .map(|ms| ms as f64)
    }
}

impl ClusterEngine {
    /// Puts the announced ports back into every node's view after the
    /// driver replaced the views (a failover sends its topology, 7000 + i).
    fn keep_ports(&mut self) {
        let ports = &self.serving.ports;
        if ports.is_empty() {
            return;
        }
        for index in 0..self.cluster.len() {
            let Some(state) = self.cluster.node_mut(index).and_then(|n| n.cluster_state_mut()) else { continue };
            if state.view.nodes.first().map(|n| n.port) == ports.first().copied() {
                continue;
            }
            for (node, &port) in state.view.nodes.iter_mut().zip(ports) {
                node.port = port;
            }
        }
    }
}
