//! Stream behaviour that depends on time, on the virtual clock: IDs from `*`,
//! idle times, delivery times, claims by idleness, blocking timeouts.
//! (Transcripts cover the rest; real-server idle times are not deterministic.)

use redplay_core::{Node, Reply};

fn bulk(s: &str) -> Reply {
    Reply::Bulk(s.as_bytes().to_vec())
}

fn one(node: &mut Node, client: u64, args: &[&str], now: u64) -> Reply {
    let argv: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    let mut out = node.call(client, &argv, now);
    assert_eq!(out.len(), 1, "{:?} gave {:?}", args, out);
    out.remove(0)
}

#[test]
fn star_ids_follow_the_virtual_clock_and_never_go_back() {
    let mut node = Node::new();
    let c = node.connect(0);
    let cases: &[(u64, &str)] = &[(1000, "1000-0"), (1000, "1000-1"), (500, "1000-2"), (2000, "2000-0")];
    for &(now, id) in cases {
        assert_eq!(one(&mut node, c, &["XADD", "s", "*", "f", "v"], now), bulk(id));
    }
    assert_eq!(one(&mut node, c, &["XADD", "s", "3000-*", "f", "v"], 2000), bulk("3000-0"));
}

#[test]
fn idle_times_and_claims_use_the_virtual_clock() {
    let mut node = Node::new();
    let c = node.connect(0);
    one(&mut node, c, &["XADD", "s", "1-1", "f", "v"], 10_000);
    one(&mut node, c, &["XADD", "s", "2-1", "f", "v"], 10_000);
    one(&mut node, c, &["XGROUP", "CREATE", "s", "g", "0"], 10_000);
    one(&mut node, c, &["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"], 10_000);
    let pending = one(&mut node, c, &["XPENDING", "s", "g", "-", "+", "10"], 10_250);
    let row = |id: &str, owner: &str, idle: i64, count: i64| {
        Reply::Array(vec![bulk(id), bulk(owner), Reply::Integer(idle), Reply::Integer(count)])
    };
    assert_eq!(pending, Reply::Array(vec![row("1-1", "alice", 250, 1), row("2-1", "alice", 250, 1)]));
    // Not idle long enough yet.
    assert_eq!(one(&mut node, c, &["XCLAIM", "s", "g", "bob", "300", "1-1", "JUSTID"], 10_250), Reply::Array(vec![]));
    assert_eq!(
        one(&mut node, c, &["XCLAIM", "s", "g", "bob", "300", "1-1", "JUSTID"], 10_300),
        Reply::Array(vec![bulk("1-1")])
    );
    // JUSTID keeps the delivery count; IDLE sets the delivery time back.
    one(&mut node, c, &["XCLAIM", "s", "g", "bob", "0", "2-1", "IDLE", "5000"], 10_300);
    let pending = one(&mut node, c, &["XPENDING", "s", "g", "IDLE", "1000", "-", "+", "10"], 10_300);
    assert_eq!(pending, Reply::Array(vec![row("2-1", "bob", 5000, 2)]));
    // XAUTOCLAIM takes only entries idle long enough; the cursor is 0-0 at the end.
    let auto = one(&mut node, c, &["XAUTOCLAIM", "s", "g", "carol", "1000", "0", "JUSTID"], 10_300);
    assert_eq!(auto, Reply::Array(vec![bulk("0-0"), Reply::Array(vec![bulk("2-1")]), Reply::Array(vec![])]));
    let consumers = one(&mut node, c, &["XINFO", "CONSUMERS", "s", "g"], 11_000);
    let consumer = |name: &str, pending: i64, idle: i64| {
        Reply::Array(vec![
            bulk("name"),
            bulk(name),
            bulk("pending"),
            Reply::Integer(pending),
            bulk("idle"),
            Reply::Integer(idle),
        ])
    };
    assert_eq!(
        consumers,
        Reply::Array(vec![consumer("alice", 0, 1000), consumer("bob", 1, 700), consumer("carol", 1, 700)])
    );
}

#[test]
fn blocked_readers_time_out_and_are_served_in_order() {
    let mut node = Node::new();
    let writer = node.connect(0);
    let first = node.connect(0);
    let second = node.connect(0);
    let argv = |args: &[&str]| args.iter().map(|a| a.as_bytes().to_vec()).collect::<Vec<_>>();
    node.execute(first, argv(&["XREAD", "BLOCK", "500", "STREAMS", "s", "$"]), 100);
    node.execute(second, argv(&["XREAD", "BLOCK", "0", "STREAMS", "s", "$"]), 100);
    assert_eq!(node.blocked_clients(), 2);
    node.advance(599);
    assert!(node.take_output(first).is_empty());
    node.advance(600);
    assert_eq!(node.take_output(first), vec![Reply::NilArray]);
    one(&mut node, writer, &["XADD", "s", "1-1", "f", "v"], 700);
    let served = node.take_output(second);
    assert_eq!(served.len(), 1);
    assert_eq!(node.blocked_clients(), 0);
}
