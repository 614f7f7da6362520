//! A RESP session: one client on a node, fed raw bytes from a connection and
//! answering with encoded bytes. The RESP server and the wasm facade's
//! pipelined API both use it, so protocol handling lives in one place. The
//! node may stand alone or be one member of a [`Cluster`] ([`ClusterMember`]),
//! whose driver then carries what each command sends to the other nodes.

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

pub struct Session {
    client: ClientId,
    decoder: RequestDecoder,
    closed: bool,
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
        Session { client, decoder: RequestDecoder::with_max_bulk_len(limit), closed: false }
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
        while let Some((argv, used)) = self.decoder.command_from(rest) {
            rest = rest.get(used..).unwrap_or(&[]);
            if self.run_command(backend, argv, now_ms, &mut out) == Status::Closed {
                return out;
            }
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
