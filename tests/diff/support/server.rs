//! A private `redis-server` (the oracle, Redis 7.0.x) for one test: started on a
//! free loopback port with persistence off, and killed when the guard drops —
//! also while a failing test unwinds. If the test process itself is killed, the
//! kernel kills the server too (parent-death signal), so no strays survive.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::resp::Conn;

pub struct RedisServer {
    pub port: u16,
    child: Child,
    dir: PathBuf,
}

/// Where the oracle binaries are expected; `scripts/setup.sh` installs them.
const SERVER_BIN: &str = "redis-server";
pub const CLI_BIN: &str = "redis-cli";

/// Starts a CLI (redis-cli or redplay-cli) with piped stdin/stdout/stderr,
/// keeping a user's ~/.redisclirc and history out of the comparison.
pub fn spawn_cli(program: &str, args: &[String]) -> Child {
    Command::new(program)
        .args(args)
        .env("REDISCLI_RCFILE", "/dev/null")
        .env("REDISCLI_HISTFILE", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {}", program, e))
}

extern "C" {
    // From the C library std already links; avoids a dependency for one call.
    fn prctl(option: i32, ...) -> i32;
}
const PR_SET_PDEATHSIG: i32 = 1;
const SIGKILL: i32 = 9;

impl RedisServer {
    /// Starts a server and waits until it answers PING. Panics with a clear
    /// message when redis-server is not installed: these tests never skip.
    pub fn start() -> RedisServer {
        Self::start_program(SERVER_BIN)
    }

    /// `start` with another server binary (tests use it to check the message
    /// given when the server is missing).
    pub fn start_program(program: &str) -> RedisServer {
        let mut last_error = String::new();
        // The port is free when we look but could be taken before the server
        // binds it, so a failed start is retried on a new port.
        for _ in 0..3 {
            match Self::try_start(program) {
                Ok(server) => return server,
                Err(e) if e.kind() == io::ErrorKind::NotFound => panic!(
                    "`{}` was not found on PATH. The differential tests need the real Redis 7.0 \
                     server and redis-cli: run `make setup` (scripts/setup.sh installs the \
                     redis-server and redis-tools packages).",
                    program
                ),
                Err(e) => last_error = e.to_string(),
            }
        }
        panic!("could not start {}: {}", program, last_error);
    }

    fn try_start(program: &str) -> io::Result<RedisServer> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        // Under target/ so that a killed run leaves nothing behind elsewhere.
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("redis-{}-{}", std::process::id(), port));
        std::fs::create_dir_all(&dir)?;
        let mut command = Command::new(program);
        command
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--logfile", ""])
            .arg("--dir")
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            command.pre_exec(|| {
                prctl(PR_SET_PDEATHSIG, SIGKILL as u64);
                Ok(())
            });
        }
        let child = command.spawn().inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&dir);
        })?;
        let mut server = RedisServer { port, child, dir };
        server.wait_until_ready()?;
        Ok(server)
    }

    fn wait_until_ready(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Err(io::Error::other(format!("redis-server exited early ({})", status)));
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                let mut conn = self.connect();
                if conn.call_str(&["PING"]).is_ok() {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(io::Error::other("redis-server did not answer PING within 10 s"));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// A new client connection.
    pub fn connect(&self) -> Conn {
        Conn::connect(self.port).unwrap_or_else(|e| panic!("connecting to redis-server on {}: {}", self.port, e))
    }

    /// Brings the server back to a blank state between transcripts or runs.
    /// Every piece of server-wide state a test can change is reset here.
    pub fn reset(&self) {
        let mut conn = self.connect();
        // Every parameter a test may CONFIG SET, back to Redis 7.0's default.
        const DEFAULTS: &[&str] = &[
            "CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction", "proto-max-bulk-len", "536870912",
            "stream-node-max-entries", "100", "stream-node-max-bytes", "4096", "list-max-listpack-size", "-2",
            "list-compress-depth", "0",
        ];
        // Subscribers of an earlier transcript must not receive this one's messages.
        let commands =
            [DEFAULTS, &["FLUSHALL"], &["CONFIG", "RESETSTAT"], &["SCRIPT", "FLUSH"], &["SLOWLOG", "RESET"], &["CLIENT", "KILL", "TYPE", "pubsub"]];
        for command in commands {
            let reply = conn.call_str(command).expect("reset command");
            assert!(!reply.is_error(), "resetting the real server: {:?} replied {:?}", command, reply);
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
