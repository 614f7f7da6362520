use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::bus::Kind;
use super::client::ClusterClient;
use super::*;
use crate::reply::Reply;

fn run(cluster: &mut Cluster, node: usize, client: ClientId, line: &str, now: u64) -> Vec<Reply> {
    let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    cluster.call(node, client, &argv, now)
}

fn err(text: &str) -> Vec<Reply> {
    vec![Reply::error(text)]
}

#[test]
fn keys_are_routed_by_slot() {
    let mut c = Cluster::new(3, 0, 1, 0).unwrap();
    let a = c.connect(0, 0).unwrap();
    assert_eq!(run(&mut c, 0, a, "SET foo 1", 1), err("MOVED 12182 127.0.0.1:7002"));
    assert_eq!(run(&mut c, 0, a, "MSET a 1 b 2", 1), err("CROSSSLOT Keys in request don't hash to the same slot"));
    assert_eq!(run(&mut c, 0, a, "MGET x{x} x", 1), err("MOVED 16287 127.0.0.1:7002"));
    assert_eq!(run(&mut c, 0, a, "CLUSTER KEYSLOT somekey", 1), vec![Reply::Integer(11058)]);
    assert_eq!(run(&mut c, 0, a, "SET b 1", 1), vec![Reply::ok()]);
    assert_eq!(run(&mut c, 0, a, "CLUSTER COUNTKEYSINSLOT 3300", 1), vec![Reply::Integer(1)]);
    // Keyless commands run anywhere; XREAD's keys are found after STREAMS.
    assert_eq!(run(&mut c, 0, a, "PING", 1), vec![Reply::status("PONG")]);
    assert_eq!(run(&mut c, 0, a, "XREAD STREAMS foo 0", 1), err("MOVED 12182 127.0.0.1:7002"));
    // A transaction whose keys span two slots fails at EXEC.
    run(&mut c, 0, a, "MULTI", 2);
    run(&mut c, 0, a, "SET b 2", 2);
    assert_eq!(run(&mut c, 0, a, "SET foo 2", 2), err("MOVED 12182 127.0.0.1:7002"));
    assert_eq!(run(&mut c, 0, a, "EXEC", 2), err("EXECABORT Transaction discarded because of previous errors."));
}

#[test]
fn standalone_nodes_refuse_cluster_commands() {
    let mut node = Node::new();
    let c = node.connect(0);
    for line in ["CLUSTER INFO", "CLUSTER KEYSLOT x", "READONLY", "ASKING", "CLUSTER HELP"] {
        let argv: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        assert_eq!(node.call(c, &argv, 1), err("ERR This instance has cluster support disabled"), "{}", line);
    }
    assert_eq!(node.call(c, &[b"CLUSTER", b"FOO"], 1), err("ERR unknown subcommand 'FOO'. Try CLUSTER HELP."));
}

#[test]
fn ask_and_tryagain_during_migration() {
    let mut c = Cluster::new(3, 0, 1, 0).unwrap();
    let on2 = c.connect(2, 0).unwrap();
    let on0 = c.connect(0, 0).unwrap();
    run(&mut c, 2, on2, "SET {foo}2 1", 1);
    run(&mut c, 2, on2, "SET foo 1", 1);
    c.begin_migration(12182, 0).unwrap();
    assert_eq!(run(&mut c, 2, on2, "GET foo", 2), vec![Reply::bulk(b"1")]);
    // Keys move newest first (GETKEYSINSLOT order): foo first.
    assert_eq!(c.migrate_keys(12182, 1), 1);
    assert_eq!(run(&mut c, 2, on2, "GET foo", 3), err("ASK 12182 127.0.0.1:7000"));
    assert_eq!(run(&mut c, 2, on2, "GET {foo}2", 3), vec![Reply::bulk(b"1")]);
    assert_eq!(run(&mut c, 2, on2, "MGET foo {foo}2", 3), err("TRYAGAIN Multiple keys request during rehashing of slot"));
    assert_eq!(run(&mut c, 2, on2, "GET {foo}3", 3), err("ASK 12182 127.0.0.1:7000"));
    assert_eq!(run(&mut c, 0, on0, "GET foo", 4), err("MOVED 12182 127.0.0.1:7002"));
    assert_eq!(run(&mut c, 0, on0, "ASKING", 4), vec![Reply::ok()]);
    assert_eq!(run(&mut c, 0, on0, "GET foo", 4), vec![Reply::bulk(b"1")]);
    // ASKING lasts one command.
    assert_eq!(run(&mut c, 0, on0, "GET foo", 4), err("MOVED 12182 127.0.0.1:7002"));
    run(&mut c, 0, on0, "ASKING", 4);
    assert_eq!(run(&mut c, 0, on0, "MGET foo {foo}2", 4), err("TRYAGAIN Multiple keys request during rehashing of slot"));
    let nodes = run(&mut c, 2, on2, "CLUSTER NODES", 5);
    let Some(Reply::Bulk(text)) = nodes.first() else { panic!("{:?}", nodes) };
    let text = String::from_utf8(text.clone()).unwrap();
    assert!(text.lines().next().unwrap().ends_with(&alloc::format!("[12182->-{}]", c.topology().nodes[0].id)), "{}", text);
    c.migrate_keys(12182, 10);
    c.end_migration(12182);
    assert_eq!(run(&mut c, 2, on2, "GET foo", 6), err("MOVED 12182 127.0.0.1:7000"));
    assert_eq!(run(&mut c, 0, on0, "MGET foo {foo}2", 6), vec![Reply::Array(vec![Reply::bulk(b"1"), Reply::bulk(b"1")])]);
}

#[test]
fn redirections_are_followed_and_printed_like_redis_cli() {
    let mut c = Cluster::new(3, 0, 1, 0).unwrap();
    let mut client = ClusterClient::connect(&mut c, 0, true, 0).unwrap();
    let out = client.run_line(&mut c, b"set foo 1", 1, false);
    assert_eq!(out.text, b"-> Redirected to slot [12182] located at 127.0.0.1:7002\nOK\n");
    assert_eq!(client.prompt(&c), "127.0.0.1:7002> ");
    let out = client.run_line(&mut c, b"get foo", 1, false);
    assert_eq!(out.text, b"\"1\"\n");
    let out = client.run_line(&mut c, b"mset a 1 b 2", 1, false);
    assert_eq!(out.text, b"(error) CROSSSLOT Keys in request don't hash to the same slot\n");
    let mut plain = ClusterClient::connect(&mut c, 0, false, 0).unwrap();
    assert_eq!(plain.run_line(&mut c, b"get foo", 1, false).text, b"(error) MOVED 12182 127.0.0.1:7002\n");
}

#[test]
fn publish_reaches_every_node_spublish_only_the_shard() {
    let mut c = Cluster::new(3, 1, 1, 0).unwrap();
    // Subscribers on every node.
    let subs: Vec<ClientId> = (0..6).map(|i| c.connect(i, 0).unwrap()).collect();
    for (i, &s) in subs.iter().enumerate() {
        run(&mut c, i, s, "SUBSCRIBE news", 1);
        c.take_output(i, s);
    }
    let p = c.connect(1, 0).unwrap();
    assert_eq!(run(&mut c, 1, p, "PUBLISH news hi", 2), vec![Reply::Integer(1)]);
    for (i, &s) in subs.iter().enumerate() {
        assert_eq!(c.take_output(i, s).len(), 1, "node {}", i);
    }
    assert_eq!(c.bus().total(Kind::Publish).messages, 5);
    // Shard channel "foo" lives in slot 12182: node 2 and its replica 5 (7005 replicates 7002? no: 7003).
    let owner = c.owner_of_key(b"foo").unwrap();
    let replica = c.topology().replicas_of(owner).next().unwrap();
    let s_owner = c.connect(owner, 0).unwrap();
    let s_replica = c.connect(replica, 0).unwrap();
    let wrong = (owner + 1) % 3;
    let s_wrong = c.connect(wrong, 0).unwrap();
    assert_eq!(run(&mut c, wrong, s_wrong, "SSUBSCRIBE foo", 3), err("MOVED 12182 127.0.0.1:7002"));
    run(&mut c, owner, s_owner, "SSUBSCRIBE foo", 3);
    // Shard channels need no READONLY on the shard's replicas.
    assert_eq!(run(&mut c, replica, s_replica, "SSUBSCRIBE foo", 3).len(), 1);
    c.take_output(owner, s_owner);
    let po = p_on(&mut c, owner);
    assert_eq!(run(&mut c, owner, po, "SPUBLISH foo hey", 4), vec![Reply::Integer(1)]);
    assert_eq!(c.take_output(replica, s_replica).len(), 1);
    assert_eq!(c.take_output(owner, s_owner).len(), 1);
    assert_eq!(c.bus().total(Kind::PublishShard).messages, 1);
    // Moving the slot away unsubscribes its shard subscribers.
    c.reshard(12182, 12182, wrong).unwrap();
    assert_eq!(
        c.take_output(owner, s_owner),
        vec![Reply::Array(vec![Reply::bulk(b"sunsubscribe"), Reply::bulk(b"foo"), Reply::Integer(0)])]
    );
    assert_eq!(c.take_output(replica, s_replica).len(), 1);
}

fn p_on(c: &mut Cluster, node: usize) -> ClientId {
    c.connect(node, 0).unwrap()
}

#[test]
fn writes_replicate_and_replicas_redirect_writes() {
    let mut c = Cluster::new(3, 1, 1, 0).unwrap();
    let primary = c.owner_of_key(b"foo").unwrap();
    let replica = c.topology().replicas_of(primary).next().unwrap();
    let w = c.connect(primary, 0).unwrap();
    let r = c.connect(replica, 0).unwrap();
    run(&mut c, primary, w, "SET foo 5", 1);
    run(&mut c, primary, w, "MULTI", 1);
    run(&mut c, primary, w, "INCR foo", 1);
    run(&mut c, primary, w, "APPEND foo x", 1);
    run(&mut c, primary, w, "EXEC", 1);
    let addr = alloc::format!("MOVED 12182 127.0.0.1:{}", 7000 + primary);
    assert_eq!(run(&mut c, replica, r, "GET foo", 2), err(&addr));
    assert_eq!(run(&mut c, replica, r, "READONLY", 2), vec![Reply::ok()]);
    assert_eq!(run(&mut c, replica, r, "GET foo", 2), vec![Reply::bulk(b"6x")]);
    assert_eq!(run(&mut c, replica, r, "SET foo d", 2), err(&addr));
}

#[test]
fn stopped_primary_is_failed_over_and_rejoins_as_replica() {
    let mut c = Cluster::new(3, 1, 7, 0).unwrap();
    let primary = c.owner_of_key(b"foo").unwrap();
    let replica = c.topology().replicas_of(primary).next().unwrap();
    let w = c.connect(primary, 0).unwrap();
    run(&mut c, primary, w, "SET foo bar", 1);
    c.stop(primary, 1000).unwrap();
    let line_of_primary = |c: &mut Cluster, now: u64| {
        let o = c.connect(replica, now).unwrap();
        let text = match run(c, replica, o, "CLUSTER NODES", now).pop() {
            Some(Reply::Verbatim { text, .. }) | Some(Reply::Bulk(text)) => text,
            other => panic!("{:?}", other),
        };
        let text = String::from_utf8(text).unwrap();
        let port = alloc::format!(":{}@", 7000 + primary);
        let line: Vec<String> = text.lines().find(|l| l.contains(&port)).unwrap().split(' ').map(String::from).collect();
        (line[2].clone(), line[7].clone())
    };
    // The link drops at once; PFAIL after the node timeout; FAIL once the
    // reports have spread; the replica is elected after its delay.
    assert_eq!(line_of_primary(&mut c, 1001), ("master".into(), "disconnected".into()));
    c.advance(1000 + DEFAULT_NODE_TIMEOUT_MS - 1);
    assert_eq!(line_of_primary(&mut c, 1000 + DEFAULT_NODE_TIMEOUT_MS - 1).0, "master");
    assert_eq!(line_of_primary(&mut c, 1000 + DEFAULT_NODE_TIMEOUT_MS).0, "master,fail?");
    let failed = 1000 + DEFAULT_NODE_TIMEOUT_MS + FAIL_AGREEMENT_MS;
    assert_eq!(line_of_primary(&mut c, failed - 1).0, "master,fail?");
    assert_eq!(line_of_primary(&mut c, failed).0, "master,fail");
    assert_eq!(c.owner_of_key(b"foo"), Some(primary));
    let o = c.connect(replica, failed).unwrap();
    assert_eq!(run(&mut c, replica, o, "READONLY", failed), vec![Reply::ok()]);
    assert_eq!(run(&mut c, replica, o, "GET foo", failed), err("CLUSTERDOWN The cluster is down"));
    c.advance(failed + ELECTION_DELAY_MS - 1);
    assert_eq!(c.owner_of_key(b"foo"), Some(primary));
    c.advance(failed + ELECTION_DELAY_MS);
    assert_eq!(c.owner_of_key(b"foo"), Some(replica));
    assert!(c.topology().nodes[primary].failed);
    let mut client = ClusterClient::connect(&mut c, 0, true, 20_000).unwrap();
    let out = client.run_line(&mut c, b"get foo", 20_000, false);
    let expected = alloc::format!("-> Redirected to slot [12182] located at 127.0.0.1:{}\n\"bar\"\n", 7000 + replica);
    assert_eq!(String::from_utf8(out.text).unwrap(), expected);
    c.restart(primary, 30_000).unwrap();
    assert_eq!(c.topology().nodes[primary].primary, Some(replica));
    let r = c.connect(primary, 30_000).unwrap();
    run(&mut c, primary, r, "READONLY", 30_000);
    assert_eq!(run(&mut c, primary, r, "GET foo", 30_000), vec![Reply::bulk(b"bar")]);
    // A manual failover switches them back.
    let f = c.connect(primary, 30_000).unwrap();
    assert_eq!(run(&mut c, primary, f, "CLUSTER FAILOVER", 30_001), vec![Reply::ok()]);
    assert_eq!(c.owner_of_key(b"foo"), Some(primary));
    let g = c_conn(&mut c, replica);
    assert_eq!(run(&mut c, replica, g, "CLUSTER FAILOVER", 30_002).len(), 1);
}

fn c_conn(c: &mut Cluster, node: usize) -> ClientId {
    c.connect(node, 30_000).unwrap()
}

#[test]
fn blocking_pops_served_later_replicate_as_the_pop() {
    let mut c = Cluster::new(1, 1, 3, 0).unwrap();
    let waiter = c.connect(0, 0).unwrap();
    let pusher = c.connect(0, 0).unwrap();
    run(&mut c, 0, waiter, "XADD s 1-1 f v", 1);
    run(&mut c, 0, waiter, "XGROUP CREATE s g $", 1);
    run(&mut c, 0, waiter, "XREADGROUP GROUP g alice BLOCK 0 STREAMS s >", 2);
    run(&mut c, 0, pusher, "XADD s 2-1 f w", 3);
    assert_eq!(c.take_output(0, waiter).len(), 1);
    let r = c.connect(1, 4).unwrap();
    run(&mut c, 1, r, "READONLY", 4);
    let pending = run(&mut c, 1, r, "XPENDING s g", 4);
    let Some(Reply::Array(items)) = pending.first() else { panic!("{:?}", pending) };
    assert_eq!(items[0], Reply::Integer(1));
}

#[test]
fn hundred_primaries() {
    let mut c = Cluster::new(100, 0, 9, 0).unwrap();
    assert_eq!(c.len(), 100);
    let x = c.connect(99, 0).unwrap();
    let info = run(&mut c, 99, x, "CLUSTER INFO", 1);
    let Some(Reply::Bulk(text)) = info.first() else { panic!() };
    let text = String::from_utf8(text.clone()).unwrap();
    assert!(text.contains("cluster_known_nodes:100\r\ncluster_size:100\r\n"), "{}", text);
    run(&mut c, 99, x, "PUBLISH ch m", 2);
    assert_eq!(c.bus().total(Kind::Publish).messages, 99);
    let info = run(&mut c, 99, x, "CLUSTER INFO", 3);
    let Some(Reply::Bulk(text)) = info.first() else { panic!() };
    assert!(String::from_utf8(text.clone()).unwrap().contains("cluster_stats_messages_publish_sent:99\r\n"));
}

fn bulks(words: &[&str]) -> Vec<Reply> {
    vec![Reply::Array(words.iter().map(|w| Reply::bulk(w.as_bytes())).collect())]
}

#[test]
fn getkeysinslot_lists_newest_first() {
    let mut c = Cluster::new(3, 0, 1, 0).unwrap();
    let a = c.connect(2, 0).unwrap();
    for key in ["{x}1", "{x}2", "{x}3", "{x}4"] {
        run(&mut c, 2, a, &alloc::format!("SET {} v", key), 1);
    }
    assert_eq!(run(&mut c, 2, a, "CLUSTER GETKEYSINSLOT 16287 10", 1), bulks(&["{x}4", "{x}3", "{x}2", "{x}1"]));
    // An overwrite keeps the key's place; delete and add, RENAME and COPY move it to the front.
    run(&mut c, 2, a, "SET {x}2 w", 1);
    run(&mut c, 2, a, "DEL {x}3", 1);
    run(&mut c, 2, a, "SET {x}3 z", 1);
    assert_eq!(run(&mut c, 2, a, "CLUSTER GETKEYSINSLOT 16287 10", 1), bulks(&["{x}3", "{x}4", "{x}2", "{x}1"]));
    run(&mut c, 2, a, "RENAME {x}1 {x}5", 1);
    run(&mut c, 2, a, "COPY {x}2 {x}4 REPLACE", 1);
    assert_eq!(run(&mut c, 2, a, "CLUSTER GETKEYSINSLOT 16287 2", 1), bulks(&["{x}4", "{x}5"]));
    assert_eq!(run(&mut c, 2, a, "CLUSTER COUNTKEYSINSLOT 16287", 1), vec![Reply::Integer(4)]);
}

#[test]
fn migrate_moves_keys_between_virtual_nodes() {
    let mut c = Cluster::new(3, 1, 1, 0).unwrap();
    let src = c.connect(2, 0).unwrap();
    let dst = c.connect(1, 0).unwrap();
    let src_id = c.topology().nodes[2].id.clone();
    let dst_id = c.topology().nodes[1].id.clone();
    run(&mut c, 2, src, "SET {x}m hello", 1);
    run(&mut c, 2, src, "SET {x}n world", 1);
    // Not importing on the target: RESTORE is redirected back.
    assert_eq!(
        run(&mut c, 2, src, "MIGRATE 127.0.0.1 7001 {x}m 0 1000 COPY", 2),
        err("ERR Target instance replied with error: MOVED 16287 127.0.0.1:7002")
    );
    assert_eq!(run(&mut c, 2, src, "MIGRATE 127.0.0.1 7001 {x}none 0 1000", 2), vec![Reply::status("NOKEY")]);
    assert_eq!(run(&mut c, 2, src, "MIGRATE 127.0.0.1 7099 {x}m 0 1000", 2), err("IOERR error or timeout writing to target instance"));
    assert_eq!(run(&mut c, 2, src, "MIGRATE 127.0.0.1 7002 {x}m 0 1000", 2), err("IOERR error or timeout reading to target instance"));
    assert_eq!(run(&mut c, 2, src, "MIGRATE nosuch 7001 {x}m 0 1000", 2), err("IOERR error or timeout connecting to the client"));
    run(&mut c, 1, dst, &alloc::format!("CLUSTER SETSLOT 16287 IMPORTING {}", src_id), 3);
    run(&mut c, 2, src, &alloc::format!("CLUSTER SETSLOT 16287 MIGRATING {}", dst_id), 3);
    assert_eq!(run(&mut c, 2, src, "MIGRATE 127.0.0.1 7001 {x}m 0 1000 COPY", 4), vec![Reply::ok()]);
    let argv: Vec<&[u8]> = vec![b"MIGRATE", b"127.0.0.1", b"7001", b"", b"0", b"1000", b"KEYS", b"{x}n", b"{x}m"];
    assert_eq!(
        c.call(2, src, &argv, 4),
        err("ERR Target instance replied with error: BUSYKEY Target key name already exists.")
    );
    // {x}n went over (and left the source); {x}m stayed on both.
    assert_eq!(run(&mut c, 2, src, "CLUSTER COUNTKEYSINSLOT 16287", 5), vec![Reply::Integer(1)]);
    assert_eq!(run(&mut c, 2, src, "GET {x}n", 5), err("ASK 16287 127.0.0.1:7001"));
    assert_eq!(run(&mut c, 2, src, "MIGRATE 127.0.0.1 7001 {x}m 0 1000 REPLACE", 5), vec![Reply::ok()]);
    run(&mut c, 1, dst, "ASKING", 6);
    assert_eq!(run(&mut c, 1, dst, "MGET {x}m {x}n", 6), bulks(&["hello", "world"]));
    // The target's replica got the keys; the source's replica lost them.
    assert_eq!(c.topology().replicas_of(1).collect::<Vec<_>>(), vec![5]);
    assert_eq!(c.topology().replicas_of(2).collect::<Vec<_>>(), vec![3]);
    assert_eq!(c.node(5).map(|n| n.dbs[0].len()), Some(2));
    assert_eq!(c.node(3).map(|n| n.dbs[0].len()), Some(0));
    assert_eq!(
        run(&mut c, 2, src, "MIGRATE 127.0.0.1 7001 {x}m 3 1000", 6),
        vec![Reply::status("NOKEY")]
    );
    // A target with a password: nothing moves until AUTH succeeds.
    run(&mut c, 1, dst, &alloc::format!("CLUSTER SETSLOT 12182 IMPORTING {}", src_id), 7);
    run(&mut c, 2, src, "SET {foo}p 1", 7);
    assert_eq!(run(&mut c, 1, dst, "CONFIG SET requirepass pw", 7), vec![Reply::ok()]);
    assert_eq!(
        run(&mut c, 2, src, "MIGRATE 127.0.0.1 7001 {foo}p 0 1000", 7),
        err("ERR Target instance replied with error: NOAUTH Authentication required.")
    );
    assert_eq!(
        run(&mut c, 2, src, "MIGRATE 127.0.0.1 7001 {foo}p 0 1000 AUTH bad", 7),
        err("ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is disabled.")
    );
    assert_eq!(run(&mut c, 2, src, "EXISTS {foo}p", 7), vec![Reply::Integer(1)]);
    assert_eq!(run(&mut c, 2, src, "MIGRATE 127.0.0.1 7001 {foo}p 0 1000 AUTH pw", 7), vec![Reply::ok()]);
    assert_eq!(run(&mut c, 2, src, "EXISTS {foo}p", 7), vec![Reply::Integer(0)]);
}
