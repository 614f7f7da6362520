//! Session families: random *scenarios* over several connections whose
//! replies may arrive later, or unasked — blocking commands (BLPOP, XREAD
//! BLOCK...) and pub/sub messages. Each connection's stream of replies is
//! compared in order, step by step.
//!
//! # Lockstep
//! Core is deterministic and instant, so it runs each step first and tells
//! how many replies every connection got from it. The real server then gets
//! the same step, and the harness reads exactly that many replies from each of
//! its connections (bounded by [`REPLY_TIMEOUT`]) before the next step:
//! - a missing reply is a divergence (after the timeout);
//! - an extra reply is seen at once when already there (a non-blocking peek
//!   after every step) and otherwise heads that connection's next chunk, or the
//!   final drain, so it can never go unnoticed.
//!
//! A command that blocks produces nothing to wait for, so whenever core's set
//! of blocked clients changes (or a blocked client is served), the harness
//! polls the real server's `INFO clients` until `blocked_clients` agrees. The
//! next step is sent only then: the real server has executed every earlier
//! command when it receives it, as core has.
//!
//! # Time
//! Core runs each step at the wall-clock ms. Blocking timeouts are 0 (forever)
//! or ≥ 1000 s, except in scenarios that block with a small timeout and then
//! `sleep` well past it with nothing in between: core advances its clock by the
//! real elapsed time, the real server's timer fires during the sleep.
//! Stream IDs made from the clock (`XADD k * ...`): a family marks such a
//! command `real_first`; the real server runs it first and core runs it at the
//! millisecond of the ID Redis returned, so both generate the same ID. Such a
//! command must come from a connection that is never blocked (its one reply is
//! the next thing on the wire).
//!
//! # Orders Redis leaves to a random hash seed
//! A family's `canon` rewrites one connection's chunk of replies into a
//! canonical form on both sides, only where core's documentation says the
//! order is Redis-random (see `pubsub.rs`). Everything else is compared
//! exactly (`fuzz::exact`, HELLO's connection id masked), or with the
//! family's narrow `equivalent` for time-dependent fields.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use redplay_core::{ClientId, Node, Reply};

use super::{describe, received_output, render, Command, Gen};
use crate::support::resp::Conn;
use crate::support::server::RedisServer;

/// Connections per side in a session.
pub const SESSION_CLIENTS: usize = 4;

/// A reply core says is coming must reach the real side within this.
const REPLY_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Cmd(Command),
    /// Time passes (ms): the real side sleeps, core's clock follows the wall.
    Sleep(u64),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub family: usize,
    pub client: usize,
    pub action: Action,
}

/// What a session family's generator knows about each connection, from the
/// commands generated so far (a guess: only the generator's own bookkeeping).
#[derive(Default)]
pub struct Scene {
    pub multi: [bool; SESSION_CLIENTS],
    pub resp3: [bool; SESSION_CLIENTS],
    pub subscribed: [bool; SESSION_CLIENTS],
}

pub struct SessionFamily {
    pub name: &'static str,
    /// Appends one scenario (one or more steps) to `out`.
    pub generate: fn(&mut Gen, &mut Scene, &mut Vec<(usize, Action)>),
    /// Rewrites one connection's chunk (what it got during one step) where the
    /// order is Redis-random; identity for most families.
    pub canon: fn(step: &Command, issuer: bool, chunk: Vec<Reply>) -> Vec<Reply>,
    /// Compares one reply; `fuzz::exact` unless documented.
    pub equivalent: fn(step: &Command, issuer: bool, core: &Reply, real: &Reply) -> bool,
    /// Commands the real server must run before core (see module docs).
    pub real_first: fn(&Command) -> bool,
    /// Whether `command` may be sent to a connection core has blocked (it
    /// waits behind the blocked command). Steps refused here are skipped on
    /// both sides and counted: a family uses it to stay off a known divergence.
    pub while_blocked: fn(&Command) -> bool,
}

pub fn no_canon(_: &Command, _: bool, chunk: Vec<Reply>) -> Vec<Reply> {
    chunk
}

pub fn exact(step: &Command, _: bool, core: &Reply, real: &Reply) -> bool {
    super::exact(step, core, real)
}

pub fn never(_: &Command) -> bool {
    false
}

/// How a session went: steps compared, and steps skipped by `while_blocked`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SessionTally {
    pub compared: usize,
    pub skipped: usize,
    /// Steps after which the issuing connection was blocked.
    pub blocks: usize,
    /// Blocked connections that got output (served, or timed out).
    pub wakes: usize,
}

/// `count` steps of `family` (the last scenario is cut to fit).
pub fn generate_session(
    seed: u64,
    count: usize,
    family: &SessionFamily,
    family_index: usize,
) -> Vec<Step> {
    let mut gen = Gen::new(seed);
    let mut scene = Scene::default();
    let mut steps = Vec::with_capacity(count + 16);
    let mut buf = Vec::new();
    while steps.len() < count {
        buf.clear();
        (family.generate)(&mut gen, &mut scene, &mut buf);
        for (client, action) in buf.drain(..) {
            if let Action::Cmd(command) = &action {
                track(&mut scene, client, command);
            }
            steps.push(Step {
                family: family_index,
                client,
                action,
            });
        }
    }
    steps.truncate(count);
    steps
}

/// The generic part of the bookkeeping: MULTI, HELLO and RESET.
fn track(scene: &mut Scene, client: usize, command: &Command) {
    let name = command[0].to_ascii_lowercase();
    match name.as_slice() {
        b"multi" if command.len() == 1 => scene.multi[client] = true,
        b"exec" | b"discard" if command.len() == 1 => scene.multi[client] = false,
        b"reset" if command.len() == 1 => {
            scene.multi[client] = false;
            scene.resp3[client] = false;
            scene.subscribed[client] = false;
        }
        b"hello" if command.len() == 2 && !scene.multi[client] => match command[1].as_slice() {
            b"2" => scene.resp3[client] = false,
            b"3" => scene.resp3[client] = true,
            _ => {}
        },
        _ => {}
    }
}

/// A step as a transcript line.
pub fn render_session_step(step: &Step) -> String {
    match &step.action {
        Action::Sleep(ms) => format!("sleep {}", ms),
        Action::Cmd(command) => {
            let name = if step.client == 0 {
                String::new()
            } else {
                format!("c{}", step.client)
            };
            format!("{}> {}", name, render(command))
        }
    }
}

/// Core with [`SESSION_CLIENTS`] connections.
pub struct CoreSession {
    node: Node,
    clients: Vec<ClientId>,
}

impl CoreSession {
    pub fn new() -> CoreSession {
        let mut node = Node::new();
        let now = crate::support::wall_ms();
        let clients = (0..SESSION_CLIENTS).map(|_| node.connect(now)).collect();
        CoreSession { node, clients }
    }

    fn blocked(&self) -> BTreeSet<usize> {
        (0..SESSION_CLIENTS)
            .filter(|&i| {
                self.node
                    .client(self.clients[i])
                    .is_some_and(|c| c.is_blocked())
            })
            .collect()
    }

    /// Every connection's output since the last call, read back as a client would.
    fn outputs(&mut self) -> Vec<Vec<Reply>> {
        let ids = self.clients.clone();
        ids.iter()
            .map(|&id| {
                received_output(&mut self.node, id)
            })
            .collect()
    }
}

impl Default for CoreSession {
    fn default() -> Self {
        CoreSession::new()
    }
}

/// The real server with [`SESSION_CLIENTS`] connections and one more to watch it.
pub struct RealSession<'a> {
    server: &'a RedisServer,
    conns: Vec<Conn>,
    control: Conn,
}

impl<'a> RealSession<'a> {
    pub fn new(server: &'a RedisServer) -> RealSession<'a> {
        server.reset();
        let control = server.connect();
        let conns = (0..SESSION_CLIENTS).map(|_| server.connect()).collect();
        RealSession {
            server,
            conns,
            control,
        }
    }

    /// Fresh connections on an empty server. The old connections are closed
    /// first, and the server must have seen them go (a blocked client still
    /// there would take the next session's pushes).
    pub fn reset(&mut self) {
        self.conns.clear();
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.info_clients("connected_clients") != 1 {
            assert!(
                Instant::now() < deadline,
                "redis-server did not drop the old session's connections"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        self.server.reset();
        self.conns = (0..SESSION_CLIENTS)
            .map(|_| self.server.connect())
            .collect();
    }

    fn info_clients(&mut self, field: &str) -> usize {
        let text = match self.control.call_str(&["INFO", "clients"]) {
            Ok(Reply::Bulk(text)) => String::from_utf8_lossy(&text).into_owned(),
            other => panic!("INFO clients: {:?}", other),
        };
        let prefix = format!("{}:", field);
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {} in INFO clients", field))
    }

    /// Reads `n` replies from connection `i`; a timeout ends the list early.
    fn read(&mut self, i: usize, n: usize) -> Vec<Reply> {
        let conn = &mut self.conns[i];
        conn.set_timeout(Some(REPLY_TIMEOUT));
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            match conn.read_reply() {
                Ok(reply) => out.push(reply),
                Err(_) => break,
            }
        }
        conn.set_timeout(None);
        out
    }

    /// Whatever is already waiting on connection `i` (or arrives within `grace`).
    fn extra(&mut self, i: usize, grace: Option<Duration>) -> Vec<Reply> {
        let mut out = Vec::new();
        loop {
            let conn = &mut self.conns[i];
            let pending = match grace {
                None => conn.pending_now(),
                Some(grace) => conn.has_pending(grace),
            };
            if !pending {
                return out;
            }
            conn.set_timeout(Some(REPLY_TIMEOUT));
            let reply = conn.read_reply();
            conn.set_timeout(None);
            match reply {
                Ok(reply) => out.push(reply),
                Err(_) => return out,
            }
        }
    }
}

/// Where a session stopped agreeing (boxed where returned: it is large).
pub struct SessionDivergence {
    pub index: usize,
    pub step: Step,
    /// The connection whose replies differ (None: the blocked-client counts).
    pub client: Option<usize>,
    pub core: Vec<Reply>,
    pub real: Vec<Reply>,
    pub note: String,
}

impl SessionDivergence {
    pub fn describe(&self) -> String {
        let show = |replies: &[Reply]| {
            if replies.is_empty() {
                "(nothing)".to_string()
            } else {
                replies.iter().map(describe).collect::<Vec<_>>().join(" ")
            }
        };
        let who = match self.client {
            Some(0) => "the default connection".to_string(),
            Some(i) => format!("connection c{}", i),
            None => "the server".to_string(),
        };
        format!(
            "step #{} `{}`: {} got\n  core: {}\n  real: {}{}",
            self.index,
            render_session_step(&self.step),
            who,
            show(&self.core),
            show(&self.real),
            if self.note.is_empty() {
                String::new()
            } else {
                format!("\n  ({})", self.note)
            }
        )
    }
}

/// The ms of a stream ID `ms-seq` in `reply`, if close to `wall` (an ID far
/// from the clock was derived from the stream's last ID, not from the clock).
fn id_ms(reply: &Reply, wall: u64) -> Option<u64> {
    let Reply::Bulk(bytes) = reply else {
        return None;
    };
    let text = std::str::from_utf8(bytes).ok()?;
    let ms: u64 = text.split_once('-')?.0.parse().ok()?;
    (ms.abs_diff(wall) < 60_000).then_some(ms)
}

fn same_chunk(
    family: &SessionFamily,
    step: &Command,
    issuer: bool,
    core: &[Reply],
    real: &[Reply],
) -> bool {
    let core = (family.canon)(step, issuer, core.to_vec());
    let real = (family.canon)(step, issuer, real.to_vec());
    core.len() == real.len()
        && core
            .iter()
            .zip(&real)
            .all(|(c, r)| (family.equivalent)(step, issuer, c, r))
}

/// Runs `steps` on both sides from their current state; stops at the first
/// divergence. `final_drain` waits a little for late extra replies at the end.
pub fn compare_session(
    steps: &[Step],
    family: &SessionFamily,
    core: &mut CoreSession,
    real: &mut RealSession,
) -> Result<SessionTally, Box<SessionDivergence>> {
    let sleep_command: Command = vec![b"sleep".to_vec()];
    let mut tally = SessionTally::default();
    for (index, step) in steps.iter().enumerate() {
        let diverge = |client: Option<usize>, core: Vec<Reply>, real: Vec<Reply>, note: &str| {
            Box::new(SessionDivergence {
                index,
                step: step.clone(),
                client,
                core,
                real,
                note: note.to_string(),
            })
        };
        let blocked_before = core.blocked();
        if let Action::Cmd(command) = &step.action {
            if blocked_before.contains(&step.client) && !(family.while_blocked)(command) {
                tally.skipped += 1;
                continue;
            }
        }
        let mut pre_read: Vec<Reply> = Vec::new();
        let command = match &step.action {
            Action::Sleep(ms) => {
                std::thread::sleep(Duration::from_millis(*ms));
                core.node.advance(crate::support::wall_ms());
                &sleep_command
            }
            Action::Cmd(command) => {
                let mut now = crate::support::wall_ms();
                if (family.real_first)(command) {
                    real.conns[step.client]
                        .send(command)
                        .expect("sending to redis-server");
                    pre_read = real.read(step.client, 1);
                    if let Some(ms) = pre_read.first().and_then(|r| id_ms(r, now)) {
                        now = ms;
                    }
                    core.node
                        .execute(core.clients[step.client], command.clone(), now);
                } else {
                    core.node
                        .execute(core.clients[step.client], command.clone(), now);
                    real.conns[step.client]
                        .send(command)
                        .expect("sending to redis-server");
                }
                command
            }
        };
        let outputs = core.outputs();
        for (i, core_chunk) in outputs.iter().enumerate() {
            let issuer = matches!(step.action, Action::Cmd(_)) && i == step.client;
            let mut real_chunk = if issuer {
                std::mem::take(&mut pre_read)
            } else {
                Vec::new()
            };
            let missing = core_chunk.len().saturating_sub(real_chunk.len());
            real_chunk.extend(real.read(i, missing));
            real_chunk.extend(real.extra(i, None));
            if !same_chunk(family, command, issuer, core_chunk, &real_chunk) {
                return Err(diverge(Some(i), core_chunk.clone(), real_chunk, ""));
            }
        }
        tally.compared += 1;
        // A command that blocked (or a blocked client served) has nothing to
        // read: wait until the real server agrees on who is blocked.
        let blocked_after = core.blocked();
        let served = blocked_before.iter().any(|&i| !outputs[i].is_empty());
        let issuer_blocked =
            matches!(step.action, Action::Cmd(_)) && blocked_after.contains(&step.client);
        tally.blocks += issuer_blocked as usize;
        tally.wakes += blocked_before
            .iter()
            .filter(|&&i| !outputs[i].is_empty())
            .count();
        if blocked_after != blocked_before || served || issuer_blocked {
            let deadline = Instant::now() + REPLY_TIMEOUT;
            loop {
                let real_blocked = real.info_clients("blocked_clients");
                if real_blocked == blocked_after.len() {
                    break;
                }
                if Instant::now() > deadline {
                    return Err(diverge(
                        None,
                        Vec::new(),
                        Vec::new(),
                        &format!(
                            "blocked clients: core {} ({:?}), real {}",
                            blocked_after.len(),
                            blocked_after,
                            real_blocked
                        ),
                    ));
                }
                std::thread::sleep(Duration::from_micros(200));
            }
        }
    }
    // Late replies core never sent.
    if let Some(last) = steps.last() {
        for i in 0..SESSION_CLIENTS {
            let late = real.extra(i, Some(Duration::from_millis(20)));
            if !late.is_empty() {
                return Err(Box::new(SessionDivergence {
                    index: steps.len() - 1,
                    step: last.clone(),
                    client: Some(i),
                    core: Vec::new(),
                    real: late,
                    note: "replies the real server sent after the last step".into(),
                }));
            }
        }
    }
    Ok(tally)
}

/// Shrinks a diverging session as `fuzz::shrink` does, step by step. A
/// candidate counts only if it diverges at a step written like the original
/// one (`target`) with the same kind of core reply (error or not), so the
/// shrinker does not wander off to another divergence that removing steps
/// makes possible.
pub fn shrink_session(
    failing: Vec<Step>,
    target: &SessionDivergence,
    family: &SessionFamily,
    core: &mut CoreSession,
    real: &mut RealSession,
    budget: Duration,
) -> Vec<Step> {
    let deadline = Instant::now() + budget;
    let wanted = render_session_step(&target.step).to_ascii_lowercase();
    let wanted_error = target.core.first().map(Reply::is_error);
    let mut fails = |candidate: &[Step]| {
        *core = CoreSession::new();
        real.reset();
        compare_session(candidate, family, core, real).is_err_and(|d| {
            render_session_step(&d.step).to_ascii_lowercase() == wanted
                && d.core.first().map(Reply::is_error) == wanted_error
        })
    };
    super::minimise(failing, deadline, &mut fails)
}
