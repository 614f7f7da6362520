//! A RESP session: one client on a node, fed raw bytes from a connection and
//! answering with encoded bytes. The RESP server and the wasm facade's
//! pipelined API both use it, so protocol handling lives in one place.

use alloc::vec::Vec;

use crate::node::{ClientId, Node, Status};
use crate::resp::{encode, RequestDecoder};

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
        let limit = node.config.proto_max_bulk_len.max(0) as u64;
        Session { client: node.connect(now_ms), decoder: RequestDecoder::with_max_bulk_len(limit), closed: false }
    }

    pub fn client(&self) -> ClientId {
        self.client
    }

    /// True once the connection must be closed (QUIT, CLIENT KILL, protocol error).
    pub fn is_closed(&self, node: &Node) -> bool {
        self.closed || !node.is_connected(self.client)
    }

    /// Runs every complete command in `bytes` (plus what was buffered) and
    /// returns the encoded replies. After a protocol error the error is the
    /// last thing written and the session is closed, as Redis does.
    pub fn feed(&mut self, node: &mut Node, bytes: &[u8], now_ms: u64) -> Vec<u8> {
        if self.closed {
            return Vec::new();
        }
        // Replies are usually no longer than the requests: one allocation
        // instead of regrowing from empty (bounded for huge inputs).
        let mut out = Vec::with_capacity(bytes.len().min(OUTPUT_RESERVE_MAX));
        self.decoder.feed(bytes);
        loop {
            match self.decoder.next_command() {
                Ok(Some(argv)) => {
                    let status = node.execute_in_batch(self.client, argv, now_ms);
                    self.write_output(node, &mut out);
                    if status == Status::Closed {
                        self.closed = true;
                        break;
                    }
                }
                Ok(None) => {
                    // Clients this input unblocked run their waiting commands now.
                    node.flush_unblocked();
                    self.write_output(node, &mut out);
                    break;
                }
                Err(error) => {
                    self.write_output(node, &mut out);
                    encode(&error.to_reply(), crate::reply::Protocol::Resp2, &mut out);
                    node.disconnect(self.client);
                    self.closed = true;
                    break;
                }
            }
        }
        out
    }

    /// Output that arrived without input: pushed messages, replies of
    /// commands that were blocked, timeouts.
    pub fn drain(&mut self, node: &mut Node) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_output(node, &mut out);
        out
    }

    fn write_output(&self, node: &mut Node, out: &mut Vec<u8>) {
        node.write_output(self.client, out);
    }

    /// Disconnects the client (the peer went away).
    pub fn close(&mut self, node: &mut Node) {
        node.disconnect(self.client);
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
