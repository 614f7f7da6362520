//! A cluster-aware client, like `redis-cli -c`: connected to one node at a
//! time, it follows `MOVED` and `ASK` replies to the node they name, printing
//! `-> Redirected to slot [N] located at 127.0.0.1:700X` as redis-cli does,
//! and stays connected there (the prompt shows the new node). An ASK
//! redirection sends ASKING before the command. Without `follow` the
//! redirection errors are shown as they are.

use alloc::string::String;
use alloc::vec::Vec;

use super::Cluster;
use crate::cli::{run_line_on, LineOutput, LineTarget};
use crate::node::{ClientId, Status};
use crate::reply::Reply;

/// Most redirections followed for one command before giving up.
const MAX_REDIRECTS: usize = 16;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterClient {
    /// The node this client is connected to.
    pub node: usize,
    pub client: ClientId,
    /// Follow MOVED and ASK (`redis-cli -c`).
    pub follow: bool,
}

/// A MOVED or ASK error: its kind, slot and target port.
fn parse_redirect(reply: &Reply) -> Option<(bool, u16, u16)> {
    let Reply::Error(text) = reply else { return None };
    let text = core::str::from_utf8(text).ok()?;
    let mut words = text.split(' ');
    let ask = match words.next()? {
        "MOVED" => false,
        "ASK" => true,
        _ => return None,
    };
    let slot = words.next()?.parse().ok()?;
    let port = words.next()?.rsplit(':').next()?.parse().ok()?;
    Some((ask, slot, port))
}

impl ClusterClient {
    /// Connects to node `node`; `None` if it is stopped or unknown.
    pub fn connect(cluster: &mut Cluster, node: usize, follow: bool, now_ms: u64) -> Option<ClusterClient> {
        let client = cluster.connect(node, now_ms)?;
        Some(ClusterClient { node, client, follow })
    }

    /// The port of the node this client is connected to.
    pub fn port(&self, cluster: &Cluster) -> u16 {
        cluster.topology().nodes.get(self.node).map_or(0, |n| n.port)
    }

    /// redis-cli's prompt for this connection.
    pub fn prompt(&self, cluster: &Cluster) -> String {
        alloc::format!("127.0.0.1:{}> ", self.port(cluster))
    }

    /// Runs `argv`, following redirections when `follow` is set. Returns the
    /// status, the final replies and the redirection notes printed before them.
    pub fn execute(&mut self, cluster: &mut Cluster, argv: Vec<Vec<u8>>, now_ms: u64) -> (Status, Vec<Reply>, Vec<u8>) {
        let mut notes = Vec::new();
        let mut asking = false;
        for _ in 0..=MAX_REDIRECTS {
            if !cluster.is_running(self.node) {
                notes.extend_from_slice(
                    alloc::format!("Could not connect to Redis at 127.0.0.1:{}: Connection refused\n", self.port(cluster)).as_bytes(),
                );
                return (Status::Closed, Vec::new(), notes);
            }
            if asking {
                cluster.execute(self.node, self.client, alloc::vec![b"ASKING".to_vec()], now_ms);
                cluster.take_output(self.node, self.client);
            }
            let status = cluster.execute(self.node, self.client, argv.clone(), now_ms);
            let replies = cluster.take_output(self.node, self.client);
            let redirect = match replies.as_slice() {
                [only] if self.follow => parse_redirect(only),
                _ => None,
            };
            let Some((ask, slot, port)) = redirect else { return (status, replies, notes) };
            let Some(target) = cluster.index_of_port(port) else { return (status, replies, notes) };
            notes.extend_from_slice(alloc::format!("-> Redirected to slot [{}] located at 127.0.0.1:{}\n", slot, port).as_bytes());
            // redis-cli opens a new connection to the node named.
            cluster.disconnect(self.node, self.client);
            self.node = target;
            match cluster.connect(target, now_ms) {
                Some(client) => self.client = client,
                None => continue,
            }
            asking = ask;
        }
        (Status::Done, Vec::new(), notes)
    }

    /// One line typed at `redis-cli [-c]`: as [`crate::cli::run_line`], with
    /// redirections followed and printed.
    pub fn run_line(&mut self, cluster: &mut Cluster, line: &[u8], now_ms: u64, raw: bool) -> LineOutput {
        struct Target<'a> {
            client: &'a mut ClusterClient,
            cluster: &'a mut Cluster,
        }
        impl LineTarget for Target<'_> {
            fn run(&mut self, argv: Vec<Vec<u8>>, now_ms: u64) -> (Status, Vec<Reply>, Vec<u8>) {
                self.client.execute(self.cluster, argv, now_ms)
            }
        }
        run_line_on(&mut Target { client: self, cluster }, line, now_ms, raw)
    }

    /// Output that arrived since the last call (messages, blocked replies).
    pub fn take_output(&self, cluster: &mut Cluster) -> Vec<Reply> {
        cluster.take_output(self.node, self.client)
    }
}
