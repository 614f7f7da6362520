//! One Redis instance: its databases, its connected clients with their
//! outboxes, and the loop that looks a command up, checks it and runs it.
//!
//! Every command's replies (and anything pushed to other clients) land in
//! outboxes, already shaped for each client's protocol; front ends drain them.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

use crate::commands::{self, CommandSpec, Ctx, Outcome};
use crate::db::{Db, Map};
use crate::error::Error;
use crate::reply::{Protocol, Reply};

pub type ClientId = u64;

/// Number of databases, as Redis's default `databases 16`.
pub const DATABASES: usize = 16;

/// What happened to the command just executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Its replies are in the client's outbox.
    Done,
    /// The client waits; its reply arrives in the outbox later.
    Blocked,
    /// The client asked to close the connection (QUIT); the reply is in the outbox.
    Closed,
}

/// Per-connection state.
pub struct Client {
    pub id: ClientId,
    pub db: usize,
    pub protocol: Protocol,
    pub name: Option<Vec<u8>>,
    pub connected_ms: u64,
    pub last_command_ms: u64,
    outbox: VecDeque<Reply>,
}

pub struct Node {
    pub(crate) dbs: Vec<Db>,
    clients: BTreeMap<ClientId, Client>,
    next_client_id: ClientId,
    commands: Map<&'static [u8], &'static CommandSpec>,
    now_ms: u64,
}

impl Default for Node {
    fn default() -> Self {
        Node::new()
    }
}

impl Node {
    pub fn new() -> Node {
        let mut index = Map::default();
        for spec in commands::all() {
            index.insert(spec.name.as_bytes(), spec);
        }
        Node {
            dbs: (0..DATABASES).map(|_| Db::new()).collect(),
            clients: BTreeMap::new(),
            next_client_id: 1,
            commands: index,
            now_ms: 0,
        }
    }

    /// The virtual time of the last call.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// Moves the virtual clock forward (it never goes back) and fires timers.
    pub fn advance(&mut self, now_ms: u64) {
        self.now_ms = self.now_ms.max(now_ms);
    }

    /// Opens a connection and returns its client id (ids start at 1 and grow).
    pub fn connect(&mut self, now_ms: u64) -> ClientId {
        self.advance(now_ms);
        let id = self.next_client_id;
        self.next_client_id += 1;
        self.clients.insert(
            id,
            Client {
                id,
                db: 0,
                protocol: Protocol::Resp2,
                name: None,
                connected_ms: self.now_ms,
                last_command_ms: self.now_ms,
                outbox: VecDeque::new(),
            },
        );
        id
    }

    pub fn disconnect(&mut self, client: ClientId) {
        self.clients.remove(&client);
    }

    pub fn is_connected(&self, client: ClientId) -> bool {
        self.clients.contains_key(&client)
    }

    pub fn client(&self, client: ClientId) -> Option<&Client> {
        self.clients.get(&client)
    }

    pub fn clients(&self) -> impl Iterator<Item = &Client> {
        self.clients.values()
    }

    /// Queues `reply` for `client`, shaped for its protocol. Unknown clients are ignored.
    pub fn send(&mut self, client: ClientId, reply: Reply) {
        if let Some(c) = self.clients.get_mut(&client) {
            let shaped = reply.for_protocol(c.protocol);
            c.outbox.push_back(shaped);
        }
    }

    /// Everything queued for `client` since the last call, oldest first.
    pub fn take_output(&mut self, client: ClientId) -> Vec<Reply> {
        match self.clients.get_mut(&client) {
            Some(c) => c.outbox.drain(..).collect(),
            None => Vec::new(),
        }
    }

    pub fn has_output(&self, client: ClientId) -> bool {
        self.clients.get(&client).is_some_and(|c| !c.outbox.is_empty())
    }

    /// Looks a command up by name, ignoring ASCII case.
    pub fn command(&self, name: &[u8]) -> Option<&'static CommandSpec> {
        let mut lower = [0u8; 32];
        if name.len() > lower.len() {
            return None;
        }
        for (slot, byte) in lower.iter_mut().zip(name) {
            *slot = byte.to_ascii_lowercase();
        }
        self.commands.get(&lower[..name.len()]).copied()
    }

    /// Runs one command for `client` at virtual time `now_ms`. Replies go to outboxes.
    pub fn execute(&mut self, client: ClientId, argv: Vec<Vec<u8>>, now_ms: u64) -> Status {
        self.advance(now_ms);
        if !self.clients.contains_key(&client) || argv.is_empty() {
            return Status::Done;
        }
        let outcome = match self.resolve(&argv) {
            Ok(spec) => {
                let now = self.now_ms;
                if let Some(c) = self.clients.get_mut(&client) {
                    c.last_command_ms = now;
                }
                let mut ctx = Ctx { node: self, client, now_ms: now };
                (spec.handler)(&mut ctx, &argv).unwrap_or_else(|e| Outcome::Reply(error_reply(&e)))
            }
            Err(e) => Outcome::Reply(error_reply(&e)),
        };
        match outcome {
            Outcome::Reply(reply) => {
                self.send(client, reply);
                Status::Done
            }
            Outcome::Replies(replies) => {
                for reply in replies {
                    self.send(client, reply);
                }
                Status::Done
            }
            Outcome::Close(reply) => {
                self.send(client, reply);
                Status::Closed
            }
        }
    }

    /// `execute` followed by `take_output`: the replies this command produced
    /// (plus anything that was already waiting for this client).
    pub fn call(&mut self, client: ClientId, argv: &[&[u8]], now_ms: u64) -> Vec<Reply> {
        let owned = argv.iter().map(|a| a.to_vec()).collect();
        self.execute(client, owned, now_ms);
        self.take_output(client)
    }

    /// Finds the command (or subcommand) to run and checks its arity.
    fn resolve(&self, argv: &[Vec<u8>]) -> Result<&'static CommandSpec, Error> {
        let spec = self.command(&argv[0]).ok_or_else(|| Error::UnknownCommand {
            name: argv[0].clone(),
            args: argv[1..].to_vec(),
        })?;
        check_arity(spec, argv.len(), spec.name)?;
        if spec.subcommands.is_empty() {
            return Ok(spec);
        }
        let sub_name = &argv[1];
        let sub = spec
            .subcommands
            .iter()
            .find(|s| s.name.as_bytes().eq_ignore_ascii_case(sub_name))
            .ok_or_else(|| Error::UnknownSubcommand { sub: sub_name.clone(), container: spec.name.into() })?;
        check_arity(sub, argv.len() - 1, &alloc::format!("{}|{}", spec.name, sub.name))?;
        Ok(sub)
    }

    pub(crate) fn db(&mut self, index: usize) -> &mut Db {
        &mut self.dbs[index]
    }
}

fn check_arity(spec: &CommandSpec, argc: usize, full_name: &str) -> Result<(), Error> {
    let argc = argc as i32;
    let ok = if spec.arity >= 0 { argc == spec.arity } else { argc >= -spec.arity };
    if ok {
        Ok(())
    } else {
        Err(Error::WrongArity(full_name.into()))
    }
}

pub fn error_reply(error: &Error) -> Reply {
    Reply::Error(error.to_bytes())
}
