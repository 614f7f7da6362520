//! Tests for the generic key commands: a transcript recorded from
//! redis-server 7.0.15 replayed against the engine, plus clock-driven cases
//! (expiry, IDLETIME) that only a virtual clock can make exact.

use alloc::string::String;
use alloc::vec::Vec;

use crate::cli::run_line;
use crate::{ClientId, Node};

/// One client on a fresh node, at a fixed virtual time.
pub(crate) struct Session {
    pub node: Node,
    pub client: ClientId,
    pub now: u64,
}

impl Session {
    pub fn new() -> Session {
        let now = 1_700_000_000_000;
        let mut node = Node::new();
        let client = node.connect(now);
        Session { node, client, now }
    }

    /// Runs a line as typed at redis-cli and returns what `--no-raw` prints.
    pub fn run(&mut self, line: &str) -> String {
        let output = run_line(&mut self.node, self.client, line.as_bytes(), self.now, false);
        String::from_utf8_lossy(&output.text).into_owned()
    }

    /// Replays a transcript: `> command` lines, each followed by the expected
    /// output lines; `@ +N` moves the clock N ms; `#` lines are comments.
    pub fn replay(&mut self, transcript: &str) {
        let mut lines = transcript.lines().peekable();
        while let Some(line) = lines.next() {
            if let Some(ms) = line.strip_prefix("@ +") {
                self.now += ms.parse::<u64>().expect("clock step in transcript");
                continue;
            }
            let Some(command) = line.strip_prefix("> ") else { continue };
            let mut expected = String::new();
            while let Some(next) = lines.peek() {
                if next.starts_with("> ") || next.starts_with('#') || next.starts_with("@ ") || next.is_empty() {
                    break;
                }
                expected.push_str(next);
                expected.push('\n');
                lines.next();
            }
            assert_eq!(self.run(command), expected, "reply to `{}`", command);
        }
    }

    /// The keys a full SCAN walk returns with `COUNT count`, sorted.
    pub fn scan_all(&mut self, count: usize) -> Vec<Vec<u8>> {
        let mut cursor = String::from("0");
        let mut keys = Vec::new();
        loop {
            let count_text = alloc::format!("{}", count);
            let argv: [&[u8]; 4] = [b"scan", cursor.as_bytes(), b"count", count_text.as_bytes()];
            let reply = self.node.call(self.client, &argv, self.now).remove(0);
            let crate::Reply::Array(parts) = reply else { panic!("scan reply {:?}", reply) };
            let [crate::Reply::Bulk(next), crate::Reply::Array(found)] = &parts[..] else { panic!("scan parts") };
            keys.extend(found.iter().map(|k| match k {
                crate::Reply::Bulk(k) => k.clone(),
                other => panic!("scan key {:?}", other),
            }));
            cursor = String::from_utf8_lossy(next).into_owned();
            if cursor == "0" {
                break;
            }
        }
        keys.sort();
        keys
    }
}

#[test]
fn recorded_transcript_matches() {
    Session::new().replay(include_str!("redis.txt"));
}

#[test]
fn expiry_follows_the_virtual_clock() {
    Session::new().replay(
        "> set k v px 1500
OK
> ttl k
(integer) 2
> pttl k
(integer) 1500
@ +1000
> ttl k
(integer) 1
> pttl k
(integer) 500
@ +499
> exists k
(integer) 1
@ +1
> exists k
(integer) 0
> ttl k
(integer) -2
> set k v
OK
> pexpireat k 1700000002001
(integer) 1
> expiretime k
(integer) 1700000002
> pexpiretime k
(integer) 1700000002001
> getex k exat 1700000000
\"v\"
> exists k
(integer) 0
",
    );
}

#[test]
fn idletime_counts_accesses_but_not_peeks() {
    // Checked with sleeps against redis-server: TYPE, EXISTS, TTL, PEXPIRETIME
    // and OBJECT do not reset the idle time; STRLEN, EXPIRE, PERSIST, TOUCH do.
    Session::new().replay(
        "> set x hello
OK
@ +2500
> type x
string
> exists x
(integer) 1
> ttl x
(integer) -1
> object idletime x
(integer) 2
> strlen x
(integer) 5
> object idletime x
(integer) 0
@ +3000
> touch x
(integer) 1
> object idletime x
(integer) 0
@ +1000
> expire x 100
(integer) 1
@ +1000
> object idletime x
(integer) 1
> persist x
(integer) 1
> object idletime x
(integer) 0
",
    );
}

#[test]
fn scan_returns_every_key_despite_concurrent_changes() {
    let mut s = Session::new();
    for i in 0..500 {
        s.run(&alloc::format!("set key:{} v", i));
    }
    let all = s.scan_all(7);
    assert_eq!(all.len(), 500);
    // Interleave writes with a walk: every key present throughout is seen.
    let mut cursor = String::from("0");
    let mut seen = Vec::new();
    let mut round = 0;
    loop {
        let reply = s.node.call(s.client, &[b"scan", cursor.as_bytes(), b"count", b"13"], s.now).remove(0);
        let crate::Reply::Array(parts) = reply else { panic!() };
        let [crate::Reply::Bulk(next), crate::Reply::Array(found)] = &parts[..] else { panic!() };
        seen.extend(found.iter().cloned());
        s.run(&alloc::format!("set extra:{} v", round));
        s.run(&alloc::format!("del key:{}", 400 + round));
        round += 1;
        cursor = String::from_utf8_lossy(next).into_owned();
        if cursor == "0" {
            break;
        }
    }
    for i in 0..400 {
        let key = crate::Reply::Bulk(alloc::format!("key:{}", i).into_bytes());
        assert!(seen.contains(&key), "key:{} missing", i);
    }
}

#[test]
fn scan_filters_after_counting_and_handles_huge_cursors() {
    let mut s = Session::new();
    s.run("mset a 1 b 2 c 3");
    assert_eq!(s.scan_all(1), [b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
    assert_eq!(s.run("scan 18446744073709551615"), "1) \"0\"\n2) (empty array)\n");
    assert_eq!(s.run("scan 0 count 10 match b"), "1) \"0\"\n2) 1) \"b\"\n");
}

#[test]
fn randomkey_is_deterministic_and_skips_expired_keys() {
    let mut first = Session::new();
    let mut second = Session::new();
    for s in [&mut first, &mut second] {
        s.run("mset a 1 b 2 c 3 d 4");
    }
    let picks: Vec<String> = (0..20).map(|_| first.run("randomkey")).collect();
    let again: Vec<String> = (0..20).map(|_| second.run("randomkey")).collect();
    assert_eq!(picks, again);
    assert!(picks.iter().collect::<alloc::collections::BTreeSet<_>>().len() > 1);
    first.run("del a b c d");
    first.run("set gone v px 10");
    first.now += 10;
    assert_eq!(first.run("randomkey"), "(nil)\n");
}

#[test]
fn writes_signal_watchers_exactly_when_redis_does() {
    // (command, whether `k` counts as modified), recorded on redis-server
    // with WATCH k / command from another client / MULTI / EXEC.
    let cases: &[(&str, bool)] = &[
        ("expire k 100", true),
        ("expire k 100 nx", false),
        ("persist k", true),
        ("persist k", false),
        ("rename k k2", true),
        ("rename k2 k", true),
        ("copy k other", false),
        ("copy other k replace", true),
        ("move missing 1", false),
        ("touch k", false),
        ("del nokey", false),
        ("append k x", true),
        ("append k \"\"", true),
        ("setrange k 0 \"\"", false),
        ("setrange k 0 v", true),
        ("incr n", false),
        ("getex k", false),
        ("getex k persist", false),
        ("getex k ex 100", true),
        ("getex k persist", true),
        ("getex k persist", false),
        ("set k 5", true),
        ("incrbyfloat k 0", true),
        ("getdel nokey", false),
        ("getrange k 0 1", false),
        ("mset k 1", true),
        ("msetnx k 2", false),
        ("setnx k 3", false),
        ("set k v nx", false),
        ("set k v xx", true),
        ("set k v2 get", true),
        ("getset k v3", true),
        ("del k", true),
    ];
    let mut s = Session::new();
    s.run("set k v");
    s.run("set other w");
    let db = 0;
    for (command, modified) in cases {
        s.node.db(db).watch(b"k", 99);
        s.run(command);
        let signalled = !s.node.db(db).take_invalidated().is_empty();
        assert_eq!(signalled, *modified, "`{}`", command);
        s.node.db(db).unwatch(b"k", 99);
    }
}

#[test]
fn shared_small_integers_share_one_idle_time() {
    // Redis keeps one access time per shared integer object (0-9999): it
    // starts with the server and moves whenever any key holding that
    // integer is looked up, in any database. Checked on redis-server 7.0.15
    // (with DEBUG SLEEP for the clock steps; its uptime ran about a second
    // ahead, so it printed 11 and 18 where this node, started at the first
    // step, prints 10 and 17).
    Session::new().replay(
        "@ +5000
> set a 100
OK
> set big 123456
OK
@ +5000
> object idletime a
(integer) 10
> object idletime big
(integer) 5
> object refcount a
(integer) 2147483647
> select 1
OK
> set b 100
OK
@ +2000
> get b
\"100\"
> select 0
OK
@ +3000
> object idletime a
(integer) 3
> flushdb
OK
> set c 100
OK
> object idletime c
(integer) 3
> copy c d
(integer) 1
@ +2000
> object idletime d
(integer) 2
> object idletime c
(integer) 2
> incr c
(integer) 101
> object idletime a
(nil)
> set e 100
OK
> get e
\"100\"
> object idletime c
(integer) 17
> object idletime e
(integer) 0
",
    );
}
