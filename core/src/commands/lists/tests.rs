//! List command tests. Every expected reply was checked against redis-server
//! 7.0.15 (raw RESP where nil bulk and nil array differ).

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::parse_timeout;
use crate::error::Error;
use crate::node::{Node, Status};
use crate::reply::Reply;
use crate::ClientId;

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
const RANK_ZERO: &str = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

fn words(line: &str) -> Vec<Vec<u8>> {
    line.split_whitespace().map(|w| if w == "''" { Vec::new() } else { w.as_bytes().to_vec() }).collect()
}

fn int(n: i64) -> Reply {
    Reply::Integer(n)
}

fn bulk(s: &str) -> Reply {
    Reply::bulk(s.as_bytes())
}

fn bulks(items: &[&str]) -> Reply {
    Reply::Array(items.iter().map(|s| bulk(s)).collect())
}

fn ints(items: &[i64]) -> Reply {
    Reply::Array(items.iter().map(|&n| int(n)).collect())
}

fn err(text: &str) -> Reply {
    Reply::error(text)
}

fn ok() -> Reply {
    Reply::ok()
}

/// `[key, element]`, BLPOP's reply.
fn kv(key: &str, value: &str) -> Reply {
    bulks(&[key, value])
}

/// `[key, [elements]]`, LMPOP's reply.
fn kvs(key: &str, values: &[&str]) -> Reply {
    Reply::Array(vec![bulk(key), bulks(values)])
}

/// A node and some connected clients, on a virtual clock.
struct World {
    node: Node,
    now: u64,
}

impl World {
    fn new() -> World {
        World { node: Node::new(), now: 1_000 }
    }

    fn connect(&mut self) -> ClientId {
        self.node.connect(self.now)
    }

    /// Runs one command and returns exactly one reply.
    fn run(&mut self, client: ClientId, line: &str) -> Reply {
        let status = self.node.execute(client, words(line), self.now);
        assert_eq!(status, Status::Done, "{} should not block", line);
        let mut out = self.node.take_output(client);
        assert_eq!(out.len(), 1, "{}: {:?}", line, out);
        out.remove(0)
    }

    /// Sends a command that must block.
    fn block(&mut self, client: ClientId, line: &str) {
        let status = self.node.execute(client, words(line), self.now);
        assert_eq!(status, Status::Blocked, "{} should block", line);
        assert!(self.node.take_output(client).is_empty());
    }

    fn output(&mut self, client: ClientId) -> Vec<Reply> {
        self.node.take_output(client)
    }

    fn advance(&mut self, ms: u64) {
        self.now += ms;
        self.node.advance(self.now);
    }
}

/// Runs `(command, expected reply)` rows in order on one client.
fn check_script(rows: &[(&str, Reply)]) {
    let mut w = World::new();
    let c = w.connect();
    for (line, expected) in rows {
        let reply = w.run(c, line);
        assert_eq!(&reply, expected, "command: {}", line);
    }
}

#[test]
fn pushes_and_pops() {
    check_script(&[
        ("LPUSH q a b c", int(3)),
        ("RPUSH q d", int(4)),
        ("LRANGE q 0 -1", bulks(&["c", "b", "a", "d"])),
        ("LPUSHX missing a", int(0)),
        ("RPUSHX missing a b", int(0)),
        ("EXISTS missing", int(0)),
        ("LPUSHX q x y", int(6)),
        ("RPUSHX q z", int(7)),
        ("LRANGE q 0 -1", bulks(&["y", "x", "c", "b", "a", "d", "z"])),
        ("LPOP q", bulk("y")),
        ("RPOP q", bulk("z")),
        ("LPOP q 2", bulks(&["x", "c"])),
        ("RPOP q 0", Reply::Array(vec![])),
        ("RPOP q 1", bulks(&["d"])),
        ("LPOP q 9223372036854775807", bulks(&["b", "a"])),
        ("EXISTS q", int(0)),
        ("LPOP q", Reply::Nil),
        ("LPOP q 0", Reply::NilArray),
        ("RPOP q 3", Reply::NilArray),
        ("LPOP q -1", err("ERR value is out of range, must be positive")),
        ("LPOP q x", err("ERR value is out of range, must be positive")),
        ("LPOP q 1 2", err("ERR wrong number of arguments for 'lpop' command")),
        ("RPOP q 1 2", err("ERR wrong number of arguments for 'rpop' command")),
        ("LPUSH q", err("ERR wrong number of arguments for 'lpush' command")),
        ("RPUSHX q", err("ERR wrong number of arguments for 'rpushx' command")),
        ("LLEN q", int(0)),
    ]);
}

#[test]
fn wrong_type_everywhere() {
    let mut rows: Vec<(&str, Reply)> = vec![("SET s x", ok())];
    for line in [
        "LPUSH s a",
        "RPUSH s a",
        "LPUSHX s a",
        "RPUSHX s a",
        "LPOP s",
        "RPOP s 1",
        "LLEN s",
        "LRANGE s 0 1",
        "LINDEX s 0",
        "LINDEX s x",
        "LSET s 0 a",
        "LSET s x a",
        "LINSERT s BEFORE a b",
        "LREM s 0 a",
        "LTRIM s 0 1",
        "LPOS s a",
        "LMOVE s l LEFT LEFT",
        "RPOPLPUSH s l",
        "LMPOP 1 s LEFT",
        "LMPOP 2 nokey s LEFT",
        "BLPOP nokey s 0",
        "BRPOP s nokey 0",
        "BLMOVE s l LEFT LEFT 0",
        "BRPOPLPUSH s l 0",
        "BLMPOP 0 2 nokey s RIGHT",
    ] {
        rows.push((line, err(WRONGTYPE)));
    }
    // The destination is only checked when the source has something to move.
    rows.push(("LMOVE nokey s LEFT LEFT", Reply::Nil));
    rows.push(("RPUSH l a", int(1)));
    rows.push(("LMOVE l s LEFT LEFT", err(WRONGTYPE)));
    rows.push(("RPOPLPUSH l s", err(WRONGTYPE)));
    rows.push(("LRANGE l 0 -1", bulks(&["a"])));
    // Keys are checked in order: a list before the string serves first.
    rows.push(("BLPOP l s 0", kv("l", "a")));
    check_script(&rows);
}

#[test]
fn index_access() {
    check_script(&[
        ("RPUSH l a b c a b c", int(6)),
        ("LINDEX l 0", bulk("a")),
        ("LINDEX l -1", bulk("c")),
        ("LINDEX l -6", bulk("a")),
        ("LINDEX l -7", Reply::Nil),
        ("LINDEX l 6", Reply::Nil),
        ("LINDEX l 9223372036854775807", Reply::Nil),
        ("LINDEX l -9223372036854775808", Reply::Nil),
        ("LINDEX l x", err("ERR value is not an integer or out of range")),
        ("LINDEX missing x", Reply::Nil),
        ("LSET l 6 a", err("ERR index out of range")),
        ("LSET l -7 a", err("ERR index out of range")),
        ("LSET l x a", err("ERR value is not an integer or out of range")),
        ("LSET missing x a", err("ERR no such key")),
        ("LSET missing 0 a", err("ERR no such key")),
        ("LSET l -6 z", ok()),
        ("LSET l 2 ''", ok()),
        ("LRANGE l -100 100", bulks(&["z", "b", "", "a", "b", "c"])),
        ("LRANGE l 5 2", Reply::Array(vec![])),
        ("LRANGE l -2 -1", bulks(&["b", "c"])),
        ("LRANGE l -9223372036854775808 9223372036854775807", bulks(&["z", "b", "", "a", "b", "c"])),
        ("LRANGE l 6 10", Reply::Array(vec![])),
        ("LRANGE l a 1", err("ERR value is not an integer or out of range")),
        ("LRANGE missing a 1", err("ERR value is not an integer or out of range")),
        ("LRANGE missing 0 -1", Reply::Array(vec![])),
        ("LLEN l", int(6)),
    ]);
}

#[test]
fn insert_remove_trim() {
    check_script(&[
        ("RPUSH l 1 2 3", int(3)),
        ("LINSERT l AFTER 3 4", int(4)),
        ("LINSERT l before 1 0", int(5)),
        ("LINSERT l BEFORE 3 2.5", int(6)),
        ("LINSERT l AFTER nothere x", int(-1)),
        ("LINSERT missing AFTER 1 x", int(0)),
        ("LINSERT l MIDDLE 1 x", err("ERR syntax error")),
        ("LINSERT missing MIDDLE 1 x", err("ERR syntax error")),
        ("LRANGE l 0 -1", bulks(&["0", "1", "2", "2.5", "3", "4"])),
        ("RPUSH r a b a c a b a", int(7)),
        ("LREM r 2 a", int(2)),
        ("LRANGE r 0 -1", bulks(&["b", "c", "a", "b", "a"])),
        ("LREM r -1 b", int(1)),
        ("LRANGE r 0 -1", bulks(&["b", "c", "a", "a"])),
        ("LREM r 0 a", int(2)),
        ("LREM r 9223372036854775807 z", int(0)),
        ("LREM r -9223372036854775808 c", int(1)),
        ("LREM r x a", err("ERR value is not an integer or out of range")),
        ("LREM missing 0 a", int(0)),
        ("LREM r 0 b", int(1)),
        ("EXISTS r", int(0)),
        ("LTRIM l 1 -2", ok()),
        ("LRANGE l 0 -1", bulks(&["1", "2", "2.5", "3"])),
        ("LTRIM l -9223372036854775808 9223372036854775807", ok()),
        ("LLEN l", int(4)),
        ("LTRIM l x 1", err("ERR value is not an integer or out of range")),
        ("LTRIM missing 0 1", ok()),
        ("LTRIM l 2 1", ok()),
        ("EXISTS l", int(0)),
    ]);
}

#[test]
fn lpos_options_and_errors() {
    check_script(&[
        ("RPUSH l c x c y c", int(5)),
        ("LPOS l c", int(0)),
        ("LPOS l c RANK 2", int(2)),
        ("LPOS l c RANK -1", int(4)),
        ("LPOS l c RANK -2 COUNT 2", ints(&[2, 0])),
        ("LPOS l c COUNT 0", ints(&[0, 2, 4])),
        ("LPOS l c COUNT 0 MAXLEN 2", ints(&[0])),
        ("LPOS l c COUNT 9223372036854775807 RANK 2", ints(&[2, 4])),
        ("LPOS l c COUNT 2 RANK 9223372036854775807", Reply::Array(vec![])),
        ("LPOS l c RANK -9223372036854775807", Reply::Nil),
        // Redis negates RANK; i64::MIN stays negative: all matches from the tail.
        ("LPOS l c RANK -9223372036854775808", int(4)),
        ("LPOS l c COUNT 1 RANK -9223372036854775808", ints(&[4, 2, 0])),
        ("LPOS l c RANK 2 RANK 1", int(0)),
        ("LPOS l nothere", Reply::Nil),
        ("LPOS l nothere COUNT 2", Reply::Array(vec![])),
        ("LPOS missing c", Reply::Nil),
        ("LPOS missing c COUNT 0", Reply::Array(vec![])),
        ("LPOS l c RANK 0", err(RANK_ZERO)),
        ("LPOS missing c RANK 0", err(RANK_ZERO)),
        ("LPOS l c RANK x", err("ERR value is not an integer or out of range")),
        ("LPOS l c COUNT -1", err("ERR COUNT can't be negative")),
        ("LPOS l c COUNT x", err("ERR COUNT can't be negative")),
        ("LPOS l c MAXLEN -1", err("ERR MAXLEN can't be negative")),
        ("LPOS l c RANK 0 COUNT -1", err(RANK_ZERO)),
        ("LPOS l c COUNT -1 RANK 0", err("ERR COUNT can't be negative")),
        ("LPOS l c RANK", err("ERR syntax error")),
        ("LPOS l c FOO 1", err("ERR syntax error")),
    ]);
}

#[test]
fn moves_between_lists() {
    check_script(&[
        ("RPUSH src a b c", int(3)),
        ("LMOVE src dst LEFT RIGHT", bulk("a")),
        ("LMOVE src dst right LEFT", bulk("c")),
        ("LRANGE dst 0 -1", bulks(&["c", "a"])),
        ("RPOPLPUSH src dst", bulk("b")),
        ("EXISTS src", int(0)),
        ("LMOVE src dst LEFT LEFT", Reply::Nil),
        ("RPOPLPUSH src dst", Reply::Nil),
        ("LMOVE src dst UP LEFT", err("ERR syntax error")),
        ("LMOVE src dst LEFT sideways", err("ERR syntax error")),
        // Rotation keeps the key (and its TTL).
        ("EXPIRE dst 100", int(1)),
        ("LMOVE dst dst RIGHT LEFT", bulk("a")),
        ("RPOPLPUSH dst dst", bulk("c")),
        ("LRANGE dst 0 -1", bulks(&["c", "a", "b"])),
        ("TTL dst", int(100)),
        ("RPUSH one x", int(1)),
        ("LMOVE one one LEFT RIGHT", bulk("x")),
        ("LRANGE one 0 -1", bulks(&["x"])),
    ]);
}

#[test]
fn lmpop_arguments() {
    check_script(&[
        ("RPUSH l a b c d e", int(5)),
        ("LMPOP 1 l LEFT", kvs("l", &["a"])),
        ("LMPOP 2 missing l RIGHT COUNT 2", kvs("l", &["e", "d"])),
        ("LMPOP 1 l left count 10", kvs("l", &["b", "c"])),
        ("EXISTS l", int(0)),
        ("LMPOP 1 l LEFT", Reply::NilArray),
        ("LMPOP 1 l RIGHT COUNT 9223372036854775807", Reply::NilArray),
        ("LMPOP 0 l LEFT", err("ERR numkeys should be greater than 0")),
        ("LMPOP -5 l LEFT", err("ERR numkeys should be greater than 0")),
        ("LMPOP x l LEFT", err("ERR numkeys should be greater than 0")),
        ("LMPOP 0 l MIDDLE", err("ERR numkeys should be greater than 0")),
        ("LMPOP 2 l LEFT", err("ERR syntax error")),
        ("LMPOP 2147483648 l LEFT", err("ERR syntax error")),
        ("LMPOP 1 l MIDDLE", err("ERR syntax error")),
        ("LMPOP 1 l LEFT COUNT", err("ERR syntax error")),
        ("LMPOP 1 l LEFT FOO", err("ERR syntax error")),
        ("LMPOP 1 l LEFT COUNT 0", err("ERR count should be greater than 0")),
        ("LMPOP 1 l LEFT COUNT -1", err("ERR count should be greater than 0")),
        ("LMPOP 1 l LEFT COUNT x", err("ERR count should be greater than 0")),
        ("LMPOP 1 l LEFT COUNT 1 COUNT 2", err("ERR syntax error")),
        ("LMPOP 1 l", err("ERR wrong number of arguments for 'lmpop' command")),
    ]);
}

#[test]
fn blocking_argument_errors() {
    check_script(&[
        ("BLPOP k -1", err("ERR timeout is negative")),
        ("BLPOP k abc", err("ERR timeout is not a float or out of range")),
        ("BLPOP k inf", err("ERR timeout is negative")),
        ("BLPOP k 1e30", err("ERR timeout is negative")),
        ("BLPOP k nan", err("ERR timeout is not a float or out of range")),
        ("BLPOP k 1e5000", err("ERR timeout is not a float or out of range")),
        ("BLPOP k 1e-5000", err("ERR timeout is not a float or out of range")),
        ("BRPOP k 1x", err("ERR timeout is not a float or out of range")),
        ("BLMPOP -1 1 k LEFT", err("ERR timeout is negative")),
        ("BLMPOP x 0 k LEFT", err("ERR numkeys should be greater than 0")),
        ("BLMPOP -1 1 k MIDDLE", err("ERR syntax error")),
        ("BLMPOP x 1 k LEFT COUNT 0", err("ERR count should be greater than 0")),
        ("BLMPOP x 1 k LEFT", err("ERR timeout is not a float or out of range")),
        ("BLMOVE a b UP LEFT x", err("ERR syntax error")),
        ("BLMOVE a b LEFT LEFT -1", err("ERR timeout is negative")),
        ("BRPOPLPUSH a b x", err("ERR timeout is not a float or out of range")),
        ("SET s x", ok()),
        ("BLPOP s x", err("ERR timeout is not a float or out of range")),
        ("BLMPOP 0 1 k", err("ERR wrong number of arguments for 'blmpop' command")),
    ]);
}

#[test]
fn timeouts_follow_long_double_rounding() {
    // Milliseconds as redis-server 7.0.15 computes them on x86-64
    // (`(long long) ceill(strtold(arg) * 1000)`), checked with a C program.
    let cases: &[(&str, i64)] = &[
        ("0", 0),
        ("-0", 0),
        ("0.001", 1),
        ("-0.001", 0),
        ("-0.002", -1),
        ("0.253", 254),
        ("0.501", 502),
        ("1.002", 1003),
        ("0.1", 100),
        ("1", 1000),
        ("1.5", 1500),
        ("0.0011", 2),
        ("1e-320", 1),
        ("9223372036854775.807", i64::MAX),
        ("9223372036854775.808", i64::MIN),
        ("9223372036854775", 9_223_372_036_854_775_000),
        ("-9223372036854775.808", -9_223_372_036_854_775_807),
        ("1e3", 1_000_000),
        ("1.5e-3", 2),
        (".5", 500),
        ("5.", 5000),
        ("+2", 2000),
        ("0.0000001", 1),
        ("-0.0000001", 0),
        ("123456.789", 123_456_789),
        ("0x10", 16000),
        ("0x1p-3", 125),
        ("0x.8", 500),
        ("100000000000000000000000000000000000000000.5", i64::MIN),
        ("0.00100000000000000000000000000000000000000001", 1),
        ("2.5e-1", 250),
        ("1e-4950", 1),
    ];
    for (text, ms) in cases {
        assert_eq!(super::timeout_millis(text.as_bytes()), Some(*ms), "timeout {}", text);
    }
    for bad in ["", " 1", "1 ", "abc", "nan", "-nan", "1e", "1e+", ".", "0x", "1.2.3", "--1", "1e5000", "1e-5000"] {
        assert_eq!(super::timeout_millis(bad.as_bytes()), None, "timeout {:?}", bad);
    }
    assert_eq!(parse_timeout(b"0", 5), Ok(None));
    assert_eq!(parse_timeout(b"1.5", 5), Ok(Some(1505)));
    // A deadline past i64::MAX wraps in Redis and never fires.
    assert_eq!(parse_timeout(b"9223372036854775", 2_000_000_000_000), Ok(None));
    assert_eq!(parse_timeout(b"-1", 5), Err(Error::text("ERR timeout is negative")));
}

#[test]
fn blocking_commands_inside_multi_answer_at_once() {
    let mut w = World::new();
    let c = w.connect();
    w.run(c, "MULTI");
    for line in [
        "BLPOP x 0",
        "BRPOP x 0",
        "BLMOVE x y LEFT RIGHT 0",
        "BRPOPLPUSH x y 0",
        "BLMPOP 0 1 x LEFT",
        "LMPOP 1 x LEFT",
        "LPOP x",
        "LPOP x 2",
        "LMOVE x y LEFT LEFT",
        "RPOPLPUSH x y",
    ] {
        assert_eq!(w.run(c, line), Reply::status("QUEUED"));
    }
    let nil = Reply::Nil;
    let nil_array = Reply::NilArray;
    assert_eq!(
        w.run(c, "EXEC"),
        Reply::Array(vec![
            nil_array.clone(),
            nil_array.clone(),
            nil.clone(),
            nil.clone(),
            nil_array.clone(),
            nil_array.clone(),
            nil.clone(),
            nil_array,
            nil.clone(),
            nil,
        ])
    );
}

#[test]
fn object_encoding_and_type() {
    check_script(&[
        ("RPUSH l a", int(1)),
        ("TYPE l", Reply::status("list")),
        ("OBJECT ENCODING l", bulk("quicklist")),
        ("CONFIG SET list-max-listpack-size 1", ok()),
        ("RPUSH l b c", int(3)),
        ("OBJECT ENCODING l", bulk("quicklist")),
    ]);
}

#[test]
fn timeouts_reply_nil_array_on_the_virtual_clock() {
    let mut w = World::new();
    let (a, b, c, d, e) = (w.connect(), w.connect(), w.connect(), w.connect(), w.connect());
    w.block(a, "BLPOP q 1");
    w.block(b, "BLMOVE q r LEFT LEFT 0.5");
    w.block(c, "BRPOPLPUSH q r 2.5");
    w.block(d, "BLMPOP 0.001 1 q LEFT");
    w.block(e, "BRPOP q 0");
    assert_eq!(w.node.blocked_clients(), 5);
    assert_eq!(w.node.next_deadline_ms(), Some(w.now + 1));
    w.advance(1);
    assert_eq!(w.output(d), vec![Reply::NilArray]);
    w.advance(498);
    assert!(w.output(b).is_empty());
    w.advance(1);
    assert_eq!(w.output(b), vec![Reply::NilArray]);
    w.advance(500);
    assert_eq!(w.output(a), vec![Reply::NilArray]);
    w.advance(1500);
    assert_eq!(w.output(c), vec![Reply::NilArray]);
    w.advance(1_000_000);
    assert!(w.output(e).is_empty());
    let p = w.connect();
    assert_eq!(w.run(p, "RPUSH q x"), int(1));
    assert_eq!(w.output(e), vec![kv("q", "x")]);
    assert_eq!(w.node.blocked_clients(), 0);
}

#[test]
fn one_push_wakes_as_many_clients_as_it_has_elements_fifo() {
    let mut w = World::new();
    let (a, b, c, p) = (w.connect(), w.connect(), w.connect(), w.connect());
    w.block(a, "BLPOP q 0");
    w.block(b, "BRPOP q 0");
    w.block(c, "BLPOP q 0");
    // The pusher's reply counts every element: clients are served afterwards.
    assert_eq!(w.run(p, "LPUSH q 1 2"), int(2));
    assert_eq!(w.output(a), vec![kv("q", "2")]);
    assert_eq!(w.output(b), vec![kv("q", "1")]);
    assert!(w.output(c).is_empty());
    assert_eq!(w.run(p, "EXISTS q"), int(0));
    assert_eq!(w.run(p, "RPUSH q 3 4 5"), int(3));
    assert_eq!(w.output(c), vec![kv("q", "3")]);
    assert_eq!(w.run(p, "LRANGE q 0 -1"), bulks(&["4", "5"]));
}

#[test]
fn blmpop_count_and_blpop_share_a_push() {
    let mut w = World::new();
    let (a, b, p) = (w.connect(), w.connect(), w.connect());
    w.block(a, "BLMPOP 0 2 x q RIGHT COUNT 2");
    w.block(b, "BLPOP q 0");
    assert_eq!(w.run(p, "RPUSH q 1 2 3"), int(3));
    assert_eq!(w.output(a), vec![kvs("q", &["3", "2"])]);
    assert_eq!(w.output(b), vec![kv("q", "1")]);
    assert_eq!(w.run(p, "EXISTS q"), int(0));
}

#[test]
fn multi_key_client_is_served_from_the_first_key_that_became_ready() {
    let mut w = World::new();
    let (a, p) = (w.connect(), w.connect());
    w.block(a, "BLPOP a b 0");
    w.run(p, "MULTI");
    w.run(p, "RPUSH b x");
    w.run(p, "RPUSH a y");
    // Nothing is served before EXEC finishes.
    assert!(w.output(a).is_empty());
    assert_eq!(w.run(p, "EXEC"), ints(&[1, 1]));
    assert_eq!(w.output(a), vec![kv("b", "x")]);
    assert_eq!(w.run(p, "LRANGE a 0 -1"), bulks(&["y"]));

    // BLMPOP too: served from k2 although k1 also has data by then.
    w.block(a, "BLMPOP 0 2 k1 k2 LEFT COUNT 5");
    w.run(p, "MULTI");
    w.run(p, "RPUSH k2 1 2");
    w.run(p, "RPUSH k1 3");
    w.run(p, "EXEC");
    assert_eq!(w.output(a), vec![kvs("k2", &["1", "2"])]);
}

#[test]
fn several_clients_several_keys_in_one_exec() {
    let mut w = World::new();
    let (a, b, c, p) = (w.connect(), w.connect(), w.connect(), w.connect());
    w.block(a, "BLPOP a b 0");
    w.block(b, "BLPOP b 0");
    w.block(c, "BLPOP b a 0");
    w.run(p, "MULTI");
    w.run(p, "RPUSH a a1");
    w.run(p, "RPUSH b b1");
    w.run(p, "EXEC");
    assert_eq!(w.output(a), vec![kv("a", "a1")]);
    assert_eq!(w.output(b), vec![kv("b", "b1")]);
    assert!(w.output(c).is_empty());
    w.run(p, "RPUSH a a2");
    assert_eq!(w.output(c), vec![kv("a", "a2")]);
}

#[test]
fn a_push_undone_inside_the_same_exec_wakes_nobody() {
    let mut w = World::new();
    let (a, p) = (w.connect(), w.connect());
    w.block(a, "BLPOP q 0");
    w.run(p, "MULTI");
    w.run(p, "RPUSH q x");
    w.run(p, "LPOP q");
    assert_eq!(w.run(p, "EXEC"), Reply::Array(vec![int(1), bulk("x")]));
    assert!(w.output(a).is_empty());
    assert_eq!(w.node.blocked_clients(), 1);
}

#[test]
fn blmove_chains_and_cycles() {
    let mut w = World::new();
    let (a, b, c, p) = (w.connect(), w.connect(), w.connect(), w.connect());
    w.block(a, "BLMOVE q1 q2 LEFT RIGHT 0");
    w.block(b, "BLMOVE q2 q3 RIGHT LEFT 0");
    w.block(c, "BLPOP q3 0");
    assert_eq!(w.run(p, "RPUSH q1 x y"), int(2));
    assert_eq!(w.output(a), vec![bulk("x")]);
    assert_eq!(w.output(b), vec![bulk("x")]);
    assert_eq!(w.output(c), vec![kv("q3", "x")]);
    assert_eq!(w.run(p, "LRANGE q1 0 -1"), bulks(&["y"]));
    assert_eq!(w.run(p, "EXISTS q2 q3"), int(0));

    w.run(p, "FLUSHALL");
    w.block(a, "BLMOVE x y LEFT LEFT 0");
    w.block(b, "BLMOVE y x LEFT LEFT 0");
    assert_eq!(w.run(p, "RPUSH x 1"), int(1));
    assert_eq!(w.output(a), vec![bulk("1")]);
    assert_eq!(w.output(b), vec![bulk("1")]);
    assert_eq!(w.run(p, "LRANGE x 0 -1"), bulks(&["1"]));
    assert_eq!(w.run(p, "EXISTS y"), int(0));
}

#[test]
fn blmove_feeding_a_key_that_is_also_ready() {
    let mut w = World::new();
    let (a, b, p) = (w.connect(), w.connect(), w.connect());
    w.block(a, "BLPOP d 0");
    w.block(b, "BLMOVE s d LEFT LEFT 0");
    w.run(p, "MULTI");
    w.run(p, "RPUSH s 1");
    w.run(p, "RPUSH d 2");
    w.run(p, "EXEC");
    // s is served first, so the element BLMOVE put at d's head is what BLPOP gets.
    assert_eq!(w.output(b), vec![bulk("1")]);
    assert_eq!(w.output(a), vec![kv("d", "1")]);
    assert_eq!(w.run(p, "LRANGE d 0 -1"), bulks(&["2"]));
}

#[test]
fn same_key_twice_and_rotating_blmove() {
    let mut w = World::new();
    let (a, b, p) = (w.connect(), w.connect(), w.connect());
    w.block(a, "BLPOP k k 0");
    w.block(b, "BLMOVE k k RIGHT LEFT 0");
    assert_eq!(w.node.blocked_clients(), 2);
    assert_eq!(w.run(p, "RPUSH k 1 2"), int(2));
    assert_eq!(w.output(a), vec![kv("k", "1")]);
    assert_eq!(w.output(b), vec![bulk("2")]);
    assert_eq!(w.run(p, "LRANGE k 0 -1"), bulks(&["2"]));
}

#[test]
fn other_types_keep_list_clients_waiting() {
    let mut w = World::new();
    let (a, p) = (w.connect(), w.connect());
    w.block(a, "BLPOP k 0");
    assert_eq!(w.run(p, "SET k str"), ok());
    assert!(w.output(a).is_empty());
    assert_eq!(w.node.blocked_clients(), 1);
    assert_eq!(w.run(p, "DEL k"), int(1));
    assert!(w.output(a).is_empty());
    assert_eq!(w.run(p, "RPUSH k v"), int(1));
    assert_eq!(w.output(a), vec![kv("k", "v")]);
}

#[test]
fn blmove_with_a_string_destination_wakes_with_wrongtype() {
    let mut w = World::new();
    let (a, b, p) = (w.connect(), w.connect(), w.connect());
    w.run(p, "SET dst s");
    w.block(a, "BLMOVE src dst LEFT RIGHT 0");
    w.block(b, "BLPOP src 0");
    assert_eq!(w.run(p, "RPUSH src e"), int(1));
    assert_eq!(w.output(a), vec![err(WRONGTYPE)]);
    // The element stayed for the next client in line.
    assert_eq!(w.output(b), vec![kv("src", "e")]);
}

#[test]
fn rename_copy_and_move_wake_clients() {
    let mut w = World::new();
    let (a, p) = (w.connect(), w.connect());
    w.block(a, "BLPOP k 0");
    w.run(p, "RPUSH src v1");
    assert_eq!(w.run(p, "RENAME src k"), ok());
    assert_eq!(w.output(a), vec![kv("k", "v1")]);

    w.block(a, "BRPOP k 0");
    w.run(p, "RPUSH k2 x");
    assert_eq!(w.run(p, "COPY k2 k"), int(1));
    assert_eq!(w.output(a), vec![kv("k", "x")]);

    w.block(a, "BLPOP k 0");
    w.run(p, "SELECT 1");
    w.run(p, "RPUSH k fromdb1");
    assert_eq!(w.run(p, "MOVE k 0"), int(1));
    assert_eq!(w.output(a), vec![kv("k", "fromdb1")]);
    w.run(p, "SELECT 0");

    // A client blocked in db 1 is not woken by a push in db 0.
    w.run(a, "SELECT 1");
    w.block(a, "BLPOP k 0");
    w.run(p, "RPUSH k zero");
    assert!(w.output(a).is_empty());
    w.run(p, "SELECT 1");
    w.run(p, "RPUSH k one");
    assert_eq!(w.output(a), vec![kv("k", "one")]);
}

#[test]
fn client_unblock_list_and_info() {
    let mut w = World::new();
    let (a, p) = (w.connect(), w.connect());
    w.block(a, "BLMOVE k k2 LEFT LEFT 0");
    let list = w.run(p, "CLIENT LIST");
    let Reply::Bulk(text) = list else { panic!("CLIENT LIST is a bulk string") };
    let text = String::from_utf8(text).unwrap_or_default();
    assert!(text.contains("flags=b"), "{}", text);
    assert!(text.contains("cmd=blmove"), "{}", text);
    let Reply::Bulk(info) = w.run(p, "INFO clients") else { panic!("INFO is a bulk string") };
    assert!(String::from_utf8(info).unwrap_or_default().contains("blocked_clients:1\r\n"));

    let id = alloc::format!("CLIENT UNBLOCK {} TIMEOUT", a);
    assert_eq!(w.run(p, &id), int(1));
    assert_eq!(w.output(a), vec![Reply::NilArray]);

    w.block(a, "BLMPOP 0 1 k LEFT");
    let id = alloc::format!("CLIENT UNBLOCK {} ERROR", a);
    assert_eq!(w.run(p, &id), int(1));
    assert_eq!(w.output(a), vec![err("UNBLOCKED client unblocked via CLIENT UNBLOCK")]);
    let id = alloc::format!("CLIENT UNBLOCK {}", a);
    assert_eq!(w.run(p, &id), int(0));
    assert_eq!(w.node.blocked_clients(), 0);
}

#[test]
fn commands_sent_while_blocked_wait_their_turn() {
    let mut w = World::new();
    let (a, p) = (w.connect(), w.connect());
    w.block(a, "BLPOP q 0");
    assert_eq!(w.node.execute(a, words("LLEN q"), w.now), Status::Blocked);
    assert!(w.output(a).is_empty());
    w.run(p, "RPUSH q x y");
    assert_eq!(w.output(a), vec![kv("q", "x"), int(1)]);
}

#[test]
fn disconnecting_while_blocked_leaves_the_element() {
    let mut w = World::new();
    let (a, b, p) = (w.connect(), w.connect(), w.connect());
    w.block(a, "BLPOP q 0");
    w.block(b, "BLPOP q 5");
    w.node.disconnect(a);
    assert_eq!(w.node.blocked_clients(), 1);
    w.run(p, "RPUSH q x");
    assert_eq!(w.output(b), vec![kv("q", "x")]);
    assert_eq!(w.node.timed_blocked_clients(), 0);
}

#[test]
fn blocked_client_keeps_its_first_deadline_when_requeued() {
    let mut w = World::new();
    let (a, p) = (w.connect(), w.connect());
    w.block(a, "BLPOP q 1");
    w.advance(600);
    // A change that does not serve the client (another type) re-runs its
    // command, which must not move the deadline.
    w.run(p, "SET q s");
    w.advance(400);
    assert_eq!(w.output(a), vec![Reply::NilArray]);
}

// ---------------------------------------------------------------------------
// The issue's seed patterns.
// ---------------------------------------------------------------------------

#[test]
fn pattern_work_queue() {
    let mut w = World::new();
    let (producer, c1, c2) = (w.connect(), w.connect(), w.connect());
    // Consumers wait without polling; each job goes to exactly one of them.
    w.block(c1, "BRPOP jobs 0");
    w.block(c2, "BRPOP jobs 0");
    assert_eq!(w.run(producer, "LPUSH jobs job1"), int(1));
    assert_eq!(w.output(c1), vec![kv("jobs", "job1")]);
    assert_eq!(w.run(producer, "LPUSH jobs job2 job3"), int(2));
    assert_eq!(w.output(c2), vec![kv("jobs", "job2")]);
    assert_eq!(w.run(c1, "BRPOP jobs 0"), kv("jobs", "job3"));
    w.block(c1, "BRPOP jobs 5");
    w.advance(5000);
    assert_eq!(w.output(c1), vec![Reply::NilArray]);
}

#[test]
fn pattern_reliable_queue() {
    let mut w = World::new();
    let (producer, worker) = (w.connect(), w.connect());
    w.block(worker, "BLMOVE tasks processing:w1 RIGHT LEFT 0");
    w.run(producer, "LPUSH tasks t1 t2");
    assert_eq!(w.output(worker), vec![bulk("t1")]);
    assert_eq!(w.run(producer, "LRANGE processing:w1 0 -1"), bulks(&["t1"]));
    // Done: the worker removes the task from its processing list.
    assert_eq!(w.run(worker, "LREM processing:w1 1 t1"), int(1));
    assert_eq!(w.run(worker, "BLMOVE tasks processing:w1 RIGHT LEFT 0"), bulk("t2"));
    // A crashed worker's tasks stay in its processing list for recovery.
    w.node.disconnect(worker);
    assert_eq!(w.run(producer, "RPOPLPUSH processing:w1 tasks"), bulk("t2"));
    assert_eq!(w.run(producer, "LRANGE tasks 0 -1"), bulks(&["t2"]));
}

#[test]
fn pattern_circular_queue() {
    check_script(&[
        ("RPUSH ring a b c", int(3)),
        ("LMOVE ring ring RIGHT LEFT", bulk("c")),
        ("LRANGE ring 0 -1", bulks(&["c", "a", "b"])),
        ("RPOPLPUSH ring ring", bulk("b")),
        ("RPOPLPUSH ring ring", bulk("a")),
        ("LRANGE ring 0 -1", bulks(&["a", "b", "c"])),
        ("LMOVE ring ring LEFT RIGHT", bulk("a")),
        ("LRANGE ring 0 -1", bulks(&["b", "c", "a"])),
    ]);
}

#[test]
fn pattern_timeline_cache() {
    check_script(&[
        ("LPUSHX timeline:1 post1", int(0)),
        ("EXISTS timeline:1", int(0)),
        ("RPUSH timeline:1 post1", int(1)),
        ("LPUSHX timeline:1 post2 post3", int(3)),
        ("LPUSHX timeline:1 post4", int(4)),
        ("LTRIM timeline:1 0 2", ok()),
        ("LRANGE timeline:1 0 -1", bulks(&["post4", "post3", "post2"])),
        ("RPUSHX timeline:1 old", int(4)),
        ("LTRIM timeline:1 0 2", ok()),
        ("LRANGE timeline:1 0 -1", bulks(&["post4", "post3", "post2"])),
    ]);
}

#[test]
fn large_lists_and_extreme_arguments_do_not_panic() {
    let mut w = World::new();
    let c = w.connect();
    for i in 0..200 {
        let line = alloc::format!("RPUSH big {} {} {} {} {}", i, i, i, i, i);
        w.run(c, &line);
    }
    assert_eq!(w.run(c, "LLEN big"), int(1000));
    assert_eq!(w.run(c, "LINDEX big 500"), bulk("100"));
    assert_eq!(w.run(c, "LINDEX big -1"), bulk("199"));
    assert_eq!(w.run(c, "LSET big 999 last"), ok());
    assert_eq!(w.run(c, "LRANGE big 998 9223372036854775807"), bulks(&["199", "last"]));
    assert_eq!(w.run(c, "LPOS big 7 RANK -1 COUNT 0"), ints(&[39, 38, 37, 36, 35]));
    assert_eq!(w.run(c, "LREM big -9223372036854775808 5"), int(5));
    assert_eq!(w.run(c, "LPOS big 6 MAXLEN 9223372036854775807"), int(25));
    assert_eq!(w.run(c, "LTRIM big -9223372036854775808 -9223372036854775808"), ok());
    assert_eq!(w.run(c, "EXISTS big"), int(0));
    assert_eq!(w.run(c, "LMPOP 9223372036854775807 a LEFT"), err("ERR syntax error"));
    // A positive timeout rounds up to at least one millisecond.
    w.block(c, "BLPOP q 0.000000000000000000000000000000000001");
    w.advance(1);
    assert_eq!(w.output(c), vec![Reply::NilArray]);
}
