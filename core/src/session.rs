//! A RESP session: one client on a node, fed raw bytes from a connection and
//! answering with encoded bytes. The RESP server and the wasm facade's
//! pipelined API both use it, so protocol handling lives in one place. The
//! node may stand alone or be one member of a [`Cluster`] ([`ClusterMember`]),
//! whose driver then carries what each command sends to the other nodes.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use crate::cluster::Cluster;
use crate::node::{ClientId, Node, Status};
use crate::resp::{encode, RequestDecoder};

/// What a session's commands run on.
pub trait Backend {
    /// Runs one command of a batch read at once. A backend that keeps the
    /// arguments (a queued or blocked command) takes them out of `argv`;
    /// whatever it leaves there goes back to the decoder for reuse.
    fn run(&mut self, client: ClientId, argv: &mut Vec<Vec<u8>>, now_ms: u64) -> Status;
    /// The batch is done: clients it unblocked run what they sent meanwhile.
    fn end_batch(&mut self);
    /// Appends the client's queued replies, encoded.
    fn write_output(&mut self, client: ClientId, out: &mut Vec<u8>);
    fn disconnect(&mut self, client: ClientId);
    fn is_connected(&self, client: ClientId) -> bool;
    /// The database to [`Backend::prefetch`] `client`'s keys in, when
    /// reading its requests ahead pays off (a big keyspace, whose slots miss
    /// the cache); `None` runs each request as soon as it is read.
    fn read_ahead_db(&self, _client: ClientId) -> Option<usize> {
        None
    }
    /// A hint that `argv` will run soon in database `db` (it may not: an
    /// earlier command may close the connection or change the database).
    /// Must change nothing; returns how many keys it prefetched.
    fn prefetch(&self, _db: usize, _argv: &[Vec<u8>]) -> usize {
        0
    }
}

impl Backend for Node {
    fn run(&mut self, client: ClientId, argv: &mut Vec<Vec<u8>>, now_ms: u64) -> Status {
        self.execute_in_batch_reusing(client, argv, now_ms)
    }

    fn end_batch(&mut self) {
        self.flush_unblocked();
    }

    fn write_output(&mut self, client: ClientId, out: &mut Vec<u8>) {
        Node::write_output(self, client, out);
    }

    fn disconnect(&mut self, client: ClientId) {
        Node::disconnect(self, client);
    }

    fn is_connected(&self, client: ClientId) -> bool {
        Node::is_connected(self, client)
    }

    fn read_ahead_db(&self, client: ClientId) -> Option<usize> {
        Node::read_ahead_db(self, client)
    }

    fn prefetch(&self, db: usize, argv: &[Vec<u8>]) -> usize {
        self.prefetch_keys(db, argv)
    }
}

/// Node `index` of a cluster, as a session's backend. Each command runs
/// through the cluster driver (which delivers bus messages and replication
/// after it), so there is nothing left to do at the end of a batch.
pub struct ClusterMember<'a> {
    pub cluster: &'a mut Cluster,
    pub index: usize,
}

impl Backend for ClusterMember<'_> {
    fn run(&mut self, client: ClientId, argv: &mut Vec<Vec<u8>>, now_ms: u64) -> Status {
        self.cluster.execute(self.index, client, core::mem::take(argv), now_ms)
    }

    fn end_batch(&mut self) {}

    fn write_output(&mut self, client: ClientId, out: &mut Vec<u8>) {
        if let Some(node) = self.cluster.node_mut(self.index) {
            node.write_output(client, out);
        }
    }

    fn disconnect(&mut self, client: ClientId) {
        self.cluster.disconnect(self.index, client);
    }

    fn is_connected(&self, client: ClientId) -> bool {
        self.cluster.is_running(self.index) && self.cluster.node(self.index).is_some_and(|n| n.is_connected(client))
    }
}

/// Most output bytes `feed` reserves up front.
const OUTPUT_RESERVE_MAX: usize = 16 * 1024;

/// How far a session reads ahead of the request it runs, in requests and
/// in keys prefetched (enough to hide a cache miss behind the commands in
/// between, not so many that the prefetches outrun the CPU's miss buffers).
const READ_AHEAD: usize = 8;
const KEYS_AHEAD: usize = 16;

pub struct Session {
    client: ClientId,
    decoder: RequestDecoder,
    closed: bool,
    /// Requests read ahead and not run yet, with the number of keys
    /// prefetched for each (empty between calls).
    ahead: VecDeque<(Vec<Vec<u8>>, usize)>,
}

impl Session {
    /// Connects a new client to `node`.
    pub fn open(node: &mut Node, now_ms: u64) -> Session {
        let client = node.connect(now_ms);
        Session::attach(client, node)
    }

    /// A session for `client`, already connected to `node` (a cluster
    /// member's client), with the node's `proto-max-bulk-len`.
    pub fn attach(client: ClientId, node: &Node) -> Session {
        let limit = node.config.proto_max_bulk_len.max(0) as u64;
        Session { client, decoder: RequestDecoder::with_max_bulk_len(limit), closed: false, ahead: VecDeque::new() }
    }

    pub fn client(&self) -> ClientId {
        self.client
    }

    /// True once the connection must be closed (QUIT, CLIENT KILL, protocol error).
    pub fn is_closed(&self, backend: &impl Backend) -> bool {
        self.closed || !backend.is_connected(self.client)
    }

    /// Runs every complete command in `bytes` (plus what was buffered) and
    /// returns the encoded replies. After a protocol error the error is the
    /// last thing written and the session is closed, as Redis does.
    pub fn feed(&mut self, backend: &mut impl Backend, bytes: &[u8], now_ms: u64) -> Vec<u8> {
        if self.closed {
            return Vec::new();
        }
        // Replies are usually no longer than the requests: one allocation
        // instead of regrowing from empty (bounded for huge inputs).
        let mut out = Vec::with_capacity(bytes.len().min(OUTPUT_RESERVE_MAX));
        // Whole requests are read straight from the input while nothing is
        // buffered; the rest (a partial request, inline commands, errors)
        // goes through the decoder's buffer.
        let mut rest = bytes;
        if self.run_whole_requests(backend, &mut rest, now_ms, &mut out) == Status::Closed {
            return out;
        }
        self.decoder.feed(rest);
        loop {
            match self.decoder.next_command() {
                // Replies wait in the client's outbox until the batch is
                // read (one visit to it per batch, not per command); it is a
                // queue, so the bytes come out in the same order either way.
                Ok(Some(argv)) => {
                    if self.run_command(backend, argv, now_ms, &mut out) == Status::Closed {
                        break;
                    }
                }
                Ok(None) => {
                    // Clients this input unblocked run their waiting commands now.
                    backend.end_batch();
                    backend.write_output(self.client, &mut out);
                    break;
                }
                Err(error) => {
                    backend.write_output(self.client, &mut out);
                    encode(&error.to_reply(), crate::reply::Protocol::Resp2, &mut out);
                    backend.disconnect(self.client);
                    self.closed = true;
                    break;
                }
            }
        }
        out
    }

    /// Runs the whole requests at the start of `rest` (read straight from
    /// it), leaving `rest` at the first one that is partial or unusual. With
    /// a big keyspace, requests are read a few ahead of the one running and
    /// their keys prefetched as they are read.
    fn run_whole_requests(&mut self, backend: &mut impl Backend, rest: &mut &[u8], now_ms: u64, out: &mut Vec<u8>) -> Status {
        let Some(db) = backend.read_ahead_db(self.client) else {
            while let Some((argv, used)) = self.decoder.command_from(rest) {
                *rest = rest.get(used..).unwrap_or(&[]);
                if self.run_command(backend, argv, now_ms, out) == Status::Closed {
                    return Status::Closed;
                }
            }
            return Status::Done;
        };
        let mut keys_ahead = 0;
        loop {
            while self.ahead.len() < READ_AHEAD && keys_ahead < KEYS_AHEAD {
                let Some((argv, used)) = self.decoder.command_from(rest) else { break };
                *rest = rest.get(used..).unwrap_or(&[]);
                let keys = backend.prefetch(db, &argv);
                keys_ahead += keys;
                self.ahead.push_back((argv, keys));
            }
            let Some((argv, keys)) = self.ahead.pop_front() else { return Status::Done };
            keys_ahead -= keys;
            if self.run_command(backend, argv, now_ms, out) == Status::Closed {
                // What was read after a closing command is never run.
                self.ahead.clear();
                return Status::Closed;
            }
        }
    }

    /// Runs one decoded command and gives its argument buffers back to the
    /// decoder; when it closes the connection, writes what is queued.
    fn run_command(&mut self, backend: &mut impl Backend, mut argv: Vec<Vec<u8>>, now_ms: u64, out: &mut Vec<u8>) -> Status {
        let status = backend.run(self.client, &mut argv, now_ms);
        self.decoder.recycle(argv);
        if status == Status::Closed {
            backend.write_output(self.client, out);
            self.closed = true;
        }
        status
    }

    /// Output that arrived without input: pushed messages, replies of
    /// commands that were blocked, timeouts.
    pub fn drain(&mut self, backend: &mut impl Backend) -> Vec<u8> {
        let mut out = Vec::new();
        backend.write_output(self.client, &mut out);
        out
    }

    /// Disconnects the client (the peer went away).
    pub fn close(&mut self, backend: &mut impl Backend) {
        backend.disconnect(self.client);
        self.closed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipelined_bytes_in_encoded_replies_out() {
        let mut node = Node::new();
        let mut session = Session::open(&mut node, 0);
        let out = session.feed(&mut node, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n", 1);
        assert_eq!(out, b"+OK\r\n$1\r\nv\r\n+PONG\r\n");
        // A command split across reads runs once it is complete.
        assert_eq!(session.feed(&mut node, b"*2\r\n$3\r\nGET\r\n$1", 2), b"");
        assert_eq!(session.feed(&mut node, b"\r\nx\r\n", 3), b"$-1\r\n");
    }

    #[test]
    fn nil_follows_the_protocol_in_force_when_produced() {
        let mut node = Node::new();
        let mut session = Session::open(&mut node, 0);
        let out = session.feed(&mut node, b"GET nope\r\nHELLO 3\r\nGET nope\r\n", 1);
        assert!(out.starts_with(b"$-1\r\n%7\r\n"), "{:?}", alloc::string::String::from_utf8_lossy(&out));
        assert!(out.ends_with(b"_\r\n"));
    }

    #[test]
    fn a_pipeline_read_at_once_writes_what_one_read_per_command_writes() {
        // Replies (and a message a RESP3 client publishes to itself) are
        // collected once per read: the bytes must not depend on how the
        // commands were split across reads.
        let lines: [&[u8]; 6] =
            [b"HELLO 3\r\n", b"SUBSCRIBE c\r\n", b"PUBLISH c m\r\n", b"RPUSH l a\r\n", b"GET nope\r\n", b"LPOP l\r\n"];
        let mut node = Node::new();
        let mut whole = Session::open(&mut node, 0);
        let at_once = whole.feed(&mut node, &lines.concat(), 1);
        let mut node = Node::new();
        let mut split = Session::open(&mut node, 0);
        let one_by_one: Vec<u8> = lines.iter().flat_map(|line| split.feed(&mut node, line, 1)).collect();
        assert_eq!(at_once, one_by_one);
        let tail = b">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n:1\r\n:1\r\n_\r\n$1\r\na\r\n";
        assert!(at_once.ends_with(tail), "{:?}", alloc::string::String::from_utf8_lossy(&at_once));
    }

    #[test]
    fn output_does_not_depend_on_how_the_input_is_chunked() {
        // Whole multibulk requests are read straight from the input and the
        // rest through the decoder's buffer: every split must answer alike.
        let streams: [&[u8]; 4] = [
            b"*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\nLLEN l\r\n*2\r\n$4\r\nLPOP\r\n$1\r\nl\r\n*0\r\n*1\r\n$4\r\nPING\r\n",
            b"*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n",
            b"*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n*1\r\n$x\r\n*1\r\n$4\r\nPING\r\n",
            b"*2\r\n$4\r\nECHO\r\n$02\r\nhi\r\n*1\r\n$4\r\nPING\r\n",
        ];
        for stream in streams {
            let mut node = Node::new();
            let mut session = Session::open(&mut node, 0);
            let whole = session.feed(&mut node, stream, 1);
            assert!(!whole.is_empty());
            for chunk in 1..stream.len() {
                let mut node = Node::new();
                let mut session = Session::open(&mut node, 0);
                let split: Vec<u8> = stream.chunks(chunk).flat_map(|piece| session.feed(&mut node, piece, 1)).collect();
                assert_eq!(split, whole, "chunks of {chunk} in {:?}", alloc::string::String::from_utf8_lossy(stream));
            }
        }
    }

    /// A node whose database 0 holds enough keys for sessions to read ahead.
    fn node_with_big_keyspace() -> Node {
        let mut node = Node::new();
        let mut loader = Session::open(&mut node, 0);
        for batch in 0..100 {
            let mut mset = Vec::new();
            let keys: Vec<Vec<u8>> = (0..100).map(|i| alloc::format!("key:{}", batch * 100 + i).into_bytes()).collect();
            let mut argv: Vec<&[u8]> = vec![b"MSET"];
            for key in &keys {
                argv.extend([key.as_slice(), b"v"]);
            }
            crate::resp::encode_command(&argv, &mut mset);
            assert_eq!(loader.feed(&mut node, &mset, 0), b"+OK\r\n");
        }
        assert!(node.read_ahead_db(loader.client()).is_some() || !crate::key_table::CAN_PREFETCH);
        loader.close(&mut node);
        node
    }

    #[test]
    fn reading_ahead_runs_what_one_request_at_a_time_runs() {
        // With a big keyspace whole requests are read several at a time (to
        // prefetch their keys): the replies, and where QUIT stops, must not
        // change with how the input is split.
        let stream: &[u8] = b"*3\r\n$3\r\nSET\r\n$5\r\nkey:1\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$5\r\nkey:1\r\n\
            *5\r\n$4\r\nMSET\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n*2\r\n$4\r\nINCR\r\n$1\r\nx\r\n\
            *2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n*2\r\n$3\r\nGET\r\n$5\r\nkey:1\r\n*2\r\n$4\r\nINCR\r\n$1\r\nx\r\n\
            *1\r\n$4\r\nQUIT\r\n*3\r\n$3\r\nSET\r\n$5\r\nafter\r\n$1\r\n1\r\nPING\r\n";
        let expected: &[u8] = b"+OK\r\n$1\r\na\r\n+OK\r\n:2\r\n+OK\r\n$-1\r\n:1\r\n+OK\r\n";
        for chunk in [stream.len(), 1, 7, 40, 100] {
            let mut node = node_with_big_keyspace();
            let mut session = Session::open(&mut node, 0);
            let out: Vec<u8> = stream.chunks(chunk).flat_map(|piece| session.feed(&mut node, piece, 1)).collect();
            assert_eq!(out, expected, "chunks of {chunk}: {:?}", alloc::string::String::from_utf8_lossy(&out));
            assert!(session.is_closed(&node));
            let mut check = Session::open(&mut node, 1);
            assert_eq!(check.feed(&mut node, b"EXISTS after\r\nDBSIZE\r\n", 1), b":0\r\n:10002\r\n");
        }
    }

    #[test]
    fn protocol_error_replies_then_closes() {
        let mut node = Node::new();
        let mut session = Session::open(&mut node, 0);
        let out = session.feed(&mut node, b"PING\r\n*1\r\n$x\r\n", 1);
        assert_eq!(out, b"+PONG\r\n-ERR Protocol error: invalid bulk length\r\n");
        assert!(session.is_closed(&node));
        assert_eq!(session.feed(&mut node, b"PING\r\n", 2), b"");
    }

    #[test]
    fn quit_replies_ok_then_closes() {
        let mut node = Node::new();
        let mut session = Session::open(&mut node, 0);
        assert_eq!(session.feed(&mut node, b"QUIT\r\nPING\r\n", 1), b"+OK\r\n");
        assert!(session.is_closed(&node));
    }

    #[test]
    fn cluster_member_sessions_redirect_and_hear_the_bus() {
        let mut cluster = Cluster::new(3, 1, 0, 0).expect("a 3x1 cluster");
        let open = |cluster: &mut Cluster, index: usize| {
            let client = cluster.connect(index, 1).expect("node is running");
            let node = cluster.node(index).expect("node exists");
            Session::attach(client, node)
        };
        let mut first = open(&mut cluster, 0);
        let mut second = open(&mut cluster, 1);
        let on = |cluster: &mut Cluster, session: &mut Session, index: usize, bytes: &[u8]| {
            session.feed(&mut ClusterMember { cluster, index }, bytes, 2)
        };
        // "foo" hashes to slot 12182, served by the third primary.
        assert_eq!(on(&mut cluster, &mut first, 0, b"SET foo bar\r\n"), b"-MOVED 12182 127.0.0.1:7002\r\n");
        assert_eq!(on(&mut cluster, &mut second, 1, b"SUBSCRIBE news\r\n"), b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
        assert_eq!(on(&mut cluster, &mut first, 0, b"PUBLISH news hi\r\n"), b":0\r\n");
        let pushed = second.drain(&mut ClusterMember { cluster: &mut cluster, index: 1 });
        assert_eq!(pushed, b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
        assert_eq!(on(&mut cluster, &mut first, 0, b"QUIT\r\n"), b"+OK\r\n");
        assert!(first.is_closed(&ClusterMember { cluster: &mut cluster, index: 0 }));
    }

    #[test]
    fn requirepass_gates_new_sessions_until_auth() {
        let mut node = Node::new();
        node.config.requirepass = b"pw".to_vec();
        let mut session = Session::open(&mut node, 0);
        assert_eq!(session.feed(&mut node, b"PING\r\n", 1), b"-NOAUTH Authentication required.\r\n");
        let out = session.feed(&mut node, b"HELLO 3 AUTH default pw\r\nPING\r\n", 2);
        assert!(out.starts_with(b"%7\r\n"), "{:?}", alloc::string::String::from_utf8_lossy(&out));
        assert!(out.ends_with(b"+PONG\r\n"));
        let mut other = Session::open(&mut node, 3);
        assert_eq!(other.feed(&mut node, b"AUTH pw\r\nRESET\r\nGET k\r\n", 4), b"+OK\r\n+RESET\r\n-NOAUTH Authentication required.\r\n");
    }
}
