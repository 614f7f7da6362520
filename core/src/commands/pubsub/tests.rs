//! Pub/sub with several clients, RESP2 and RESP3. Every expectation was
//! checked against redis-server 7.0.15 over raw connections.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::node::ClientId;
use crate::reply::Reply;
use crate::Node;

fn b(s: &str) -> Reply {
    Reply::bulk(s.as_bytes())
}

fn int(n: i64) -> Reply {
    Reply::Integer(n)
}

/// A frame as a RESP2 client receives it.
fn arr(items: &[Reply]) -> Reply {
    Reply::Array(items.to_vec())
}

/// A frame as a RESP3 client receives it.
fn push(items: &[Reply]) -> Reply {
    Reply::Push(items.to_vec())
}

fn conf(kind: &str, channel: &str, count: i64) -> Reply {
    arr(&[b(kind), b(channel), int(count)])
}

fn msg(channel: &str, payload: &str) -> Reply {
    arr(&[b("message"), b(channel), b(payload)])
}

fn pmsg(pattern: &str, channel: &str, payload: &str) -> Reply {
    arr(&[b("pmessage"), b(pattern), b(channel), b(payload)])
}

fn err(text: &str) -> Reply {
    Reply::error(text)
}

fn context_error(command: &str) -> Reply {
    err(&alloc::format!(
        "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
        command
    ))
}

/// One step of a script: client `who` sends `command` (words split on spaces;
/// `""` is an empty argument) and then has exactly `replies` in its outbox.
/// An empty command only reads the outbox (output that arrived on its own).
struct Step(usize, &'static str, Vec<Reply>);

fn words(command: &str) -> Vec<Vec<u8>> {
    command.split(' ').filter(|w| !w.is_empty()).map(|w| if w == "\"\"" { Vec::new() } else { w.as_bytes().to_vec() }).collect()
}

/// Runs the steps with `clients` connections; checks that nothing is left
/// unread at the end.
fn run(clients: usize, steps: Vec<Step>) -> Node {
    let mut node = Node::new();
    let ids: Vec<ClientId> = (0..clients).map(|_| node.connect(0)).collect();
    for (index, Step(who, command, expected)) in steps.into_iter().enumerate() {
        let id = ids[who];
        let argv = words(command);
        if !argv.is_empty() {
            node.execute(id, argv, 0);
        }
        assert_eq!(node.take_output(id), expected, "step {} (client {}: `{}`)", index, who, command);
    }
    for (who, &id) in ids.iter().enumerate() {
        assert_eq!(node.take_output(id), Vec::<Reply>::new(), "unread output for client {}", who);
    }
    node
}

#[test]
fn confirmations_count_channels_plus_patterns_and_shards_apart() {
    run(
        2,
        vec![
            Step(0, "SUBSCRIBE c1 c2 c1", vec![conf("subscribe", "c1", 1), conf("subscribe", "c2", 2), conf("subscribe", "c1", 2)]),
            Step(0, "SSUBSCRIBE s1 s2", vec![conf("ssubscribe", "s1", 1), conf("ssubscribe", "s2", 2)]),
            Step(0, "PSUBSCRIBE p* c*", vec![conf("psubscribe", "p*", 3), conf("psubscribe", "c*", 4)]),
            Step(1, "PUBLISH c1 hello", vec![int(2)]),
            Step(0, "", vec![msg("c1", "hello"), pmsg("c*", "c1", "hello")]),
            Step(1, "SPUBLISH s1 shello", vec![int(1)]),
            Step(0, "", vec![arr(&[b("smessage"), b("s1"), b("shello")])]),
            Step(1, "PUBSUB NUMSUB c1 x", vec![arr(&[b("c1"), int(1), b("x"), int(0)])]),
            Step(1, "PUBSUB NUMPAT", vec![int(2)]),
            Step(1, "PUBSUB CHANNELS", vec![arr(&[b("c1"), b("c2")])]),
            Step(1, "PUBSUB SHARDCHANNELS", vec![arr(&[b("s1"), b("s2")])]),
            Step(1, "PUBSUB SHARDNUMSUB s1", vec![arr(&[b("s1"), int(1)])]),
            // Leaving all: in subscription order (Redis: its hash order).
            Step(0, "UNSUBSCRIBE", vec![conf("unsubscribe", "c1", 3), conf("unsubscribe", "c2", 2)]),
            Step(0, "PUNSUBSCRIBE", vec![conf("punsubscribe", "p*", 1), conf("punsubscribe", "c*", 0)]),
            // Classic count is 0 but shard channels keep the client subscribed.
            Step(0, "GET x", vec![context_error("get")]),
            Step(0, "UNSUBSCRIBE zz", vec![conf("unsubscribe", "zz", 0)]),
            Step(0, "SUNSUBSCRIBE zz", vec![conf("sunsubscribe", "zz", 2)]),
            Step(0, "SUNSUBSCRIBE", vec![conf("sunsubscribe", "s1", 1), conf("sunsubscribe", "s2", 0)]),
            Step(0, "UNSUBSCRIBE", vec![arr(&[b("unsubscribe"), Reply::Nil, int(0)])]),
            Step(0, "PUNSUBSCRIBE", vec![arr(&[b("punsubscribe"), Reply::Nil, int(0)])]),
            Step(0, "SUNSUBSCRIBE", vec![arr(&[b("sunsubscribe"), Reply::Nil, int(0)])]),
            Step(0, "GET x", vec![Reply::Nil]),
        ],
    );
}

#[test]
fn resp2_subscriber_mode_accepts_only_a_few_commands() {
    run(
        1,
        vec![
            Step(0, "SUBSCRIBE c", vec![conf("subscribe", "c", 1)]),
            Step(0, "PING", vec![arr(&[b("pong"), b("")])]),
            Step(0, "PING hi", vec![arr(&[b("pong"), b("hi")])]),
            // Unknown commands, unknown subcommands and arity come first.
            Step(0, "NOPE x", vec![err("ERR unknown command 'NOPE', with args beginning with: 'x' ")]),
            Step(0, "CLIENT NOPE", vec![err("ERR unknown subcommand 'NOPE'. Try CLIENT HELP.")]),
            Step(0, "GET", vec![err("ERR wrong number of arguments for 'get' command")]),
            Step(0, "PING a b", vec![err("ERR wrong number of arguments for 'ping' command")]),
            Step(0, "CLIENT LIST", vec![context_error("client|list")]),
            Step(0, "PUBLISH c x", vec![context_error("publish")]),
            Step(0, "PUBSUB NUMPAT", vec![context_error("pubsub|numpat")]),
            Step(0, "MULTI", vec![context_error("multi")]),
            // No way to switch to RESP3 while subscribed in RESP2.
            Step(0, "HELLO 3", vec![context_error("hello")]),
            Step(0, "PSUBSCRIBE x", vec![conf("psubscribe", "x", 2)]),
            Step(0, "RESET", vec![Reply::status("RESET")]),
            Step(0, "PING", vec![Reply::status("PONG")]),
            Step(0, "PUBSUB NUMPAT", vec![int(0)]),
        ],
    );
}

#[test]
fn resp3_subscribers_get_pushes_and_may_run_anything() {
    let hello = |node: &mut Node, id| {
        node.call(id, &[b"HELLO", b"3"], 0);
    };
    let mut node = Node::new();
    let sub = node.connect(0);
    let publisher = node.connect(0);
    hello(&mut node, sub);
    let call = |node: &mut Node, id, line: &str| node.call(id, &words(line).iter().map(Vec::as_slice).collect::<Vec<_>>(), 0);
    assert_eq!(
        call(&mut node, sub, "SUBSCRIBE c1 c2"),
        vec![push(&[b("subscribe"), b("c1"), int(1)]), push(&[b("subscribe"), b("c2"), int(2)])]
    );
    assert_eq!(call(&mut node, sub, "PSUBSCRIBE c*"), vec![push(&[b("psubscribe"), b("c*"), int(3)])]);
    assert_eq!(call(&mut node, sub, "PING"), vec![Reply::status("PONG")]);
    assert_eq!(call(&mut node, sub, "GET x"), vec![Reply::Nil]);
    assert_eq!(call(&mut node, publisher, "PUBLISH c1 m"), vec![int(2)]);
    assert_eq!(
        node.take_output(sub),
        vec![push(&[b("message"), b("c1"), b("m")]), push(&[b("pmessage"), b("c*"), b("c1"), b("m")])]
    );
    // A subscriber may publish to itself: its message precedes the reply.
    assert_eq!(call(&mut node, sub, "PUBLISH c2 me"), vec![push(&[b("message"), b("c2"), b("me")]), push(&[b("pmessage"), b("c*"), b("c2"), b("me")]), int(2)]);
    assert_eq!(
        call(&mut node, sub, "UNSUBSCRIBE"),
        vec![push(&[b("unsubscribe"), b("c1"), int(2)]), push(&[b("unsubscribe"), b("c2"), int(1)])]
    );
    assert_eq!(call(&mut node, sub, "UNSUBSCRIBE"), vec![push(&[b("unsubscribe"), Reply::Nil, int(1)])]);
    // Back to RESP2 while still subscribed to a pattern: the gate applies again.
    call(&mut node, sub, "HELLO 2");
    assert_eq!(call(&mut node, sub, "GET x"), vec![context_error("get")]);
    assert_eq!(call(&mut node, sub, "PING"), vec![arr(&[b("pong"), b("")])]);
    assert_eq!(call(&mut node, publisher, "PUBLISH c1 m"), vec![int(1)]);
    assert_eq!(node.take_output(sub), vec![pmsg("c*", "c1", "m")]);
}

#[test]
fn publish_counts_every_delivery() {
    run(
        4,
        vec![
            Step(0, "PSUBSCRIBE h* *o h?llo x*", vec![
                conf("psubscribe", "h*", 1),
                conf("psubscribe", "*o", 2),
                conf("psubscribe", "h?llo", 3),
                conf("psubscribe", "x*", 4),
            ]),
            Step(1, "PSUBSCRIBE h*", vec![conf("psubscribe", "h*", 1)]),
            Step(0, "SUBSCRIBE hello", vec![conf("subscribe", "hello", 5)]),
            Step(2, "SSUBSCRIBE hello", vec![conf("ssubscribe", "hello", 1)]),
            Step(3, "PUBLISH hello w", vec![int(5)]),
            // The channel first, then patterns in the order first subscribed.
            Step(0, "", vec![msg("hello", "w"), pmsg("h*", "hello", "w"), pmsg("*o", "hello", "w"), pmsg("h?llo", "hello", "w")]),
            Step(1, "", vec![pmsg("h*", "hello", "w")]),
            Step(3, "PUBSUB NUMPAT", vec![int(4)]),
            Step(3, "SPUBLISH hello s", vec![int(1)]),
            Step(2, "", vec![arr(&[b("smessage"), b("hello"), b("s")])]),
            Step(3, "PUBLISH nobody x", vec![int(0)]),
            Step(3, "PUBLISH \"\" x", vec![int(0)]),
        ],
    );
}

#[test]
fn pattern_edge_cases() {
    // (pattern, channel, delivered)
    let cases: &[(&str, &str, bool)] = &[
        ("h[ae]llo", "hallo", true),
        ("h[ae]llo", "hillo", false),
        ("h[^e]llo", "hallo", true),
        ("h[^e]llo", "hello", false),
        ("h[a-b]llo", "hbllo", true),
        ("h[b-a]llo", "hbllo", true),
        ("h?llo", "hllo", false),
        ("h\\?llo", "h?llo", true),
        ("h\\?llo", "hallo", false),
        ("a\\*", "a*", true),
        ("a\\*", "ab", false),
        ("a[", "a[", false),
        ("a[", "ab", false),
        ("*", "", false),
        ("**", "x", true),
        ("ab\\", "ab\\", true),
        ("[\\]]", "]", true),
        ("news.*", "news.tech", true),
        ("news.*", "news", false),
        ("H*", "hello", false),
    ];
    for &(pattern, channel, delivered) in cases {
        let mut node = Node::new();
        let sub = node.connect(0);
        let publisher = node.connect(0);
        node.call(sub, &[b"PSUBSCRIBE", pattern.as_bytes()], 0);
        let reply = node.call(publisher, &[b"PUBLISH", channel.as_bytes(), b"m"], 0);
        assert_eq!(reply, vec![int(delivered as i64)], "{:?} on {:?}", pattern, channel);
        let expected = if delivered { vec![pmsg(pattern, channel, "m")] } else { Vec::new() };
        assert_eq!(node.take_output(sub), expected, "{:?} on {:?}", pattern, channel);
    }
}

#[test]
fn subscribing_inside_multi() {
    run(
        2,
        vec![
            Step(0, "MULTI", vec![Reply::ok()]),
            Step(0, "SUBSCRIBE c1 c2", vec![Reply::status("QUEUED")]),
            Step(0, "PING", vec![Reply::status("QUEUED")]),
            Step(0, "GET x", vec![Reply::status("QUEUED")]),
            // Three queued commands, four frames: the array ends early and
            // the last frame follows it. PING already answers as a subscriber;
            // GET ran (no gate inside EXEC).
            Step(0, "EXEC", vec![
                arr(&[conf("subscribe", "c1", 1), conf("subscribe", "c2", 2), arr(&[b("pong"), b("")])]),
                Reply::Nil,
            ]),
            Step(0, "GET x", vec![context_error("get")]),
            Step(0, "RESET", vec![Reply::status("RESET")]),
            // A message to oneself lands between the frames, before PUBLISH's count.
            Step(0, "MULTI", vec![Reply::ok()]),
            Step(0, "SUBSCRIBE c1", vec![Reply::status("QUEUED")]),
            Step(0, "PUBLISH c1 hi", vec![Reply::status("QUEUED")]),
            Step(0, "EXEC", vec![arr(&[conf("subscribe", "c1", 1), msg("c1", "hi")]), int(1)]),
            Step(0, "RESET", vec![Reply::status("RESET")]),
            Step(0, "MULTI", vec![Reply::ok()]),
            Step(0, "UNSUBSCRIBE", vec![Reply::status("QUEUED")]),
            Step(0, "PUNSUBSCRIBE", vec![Reply::status("QUEUED")]),
            Step(0, "EXEC", vec![arr(&[
                arr(&[b("unsubscribe"), Reply::Nil, int(0)]),
                arr(&[b("punsubscribe"), Reply::Nil, int(0)]),
            ])]),
            Step(1, "PUBSUB NUMSUB c1", vec![arr(&[b("c1"), int(0)])]),
        ],
    );
}

#[test]
fn resp3_exec_keeps_pushes_inside_the_array() {
    let mut node = Node::new();
    let a = node.connect(0);
    node.call(a, &[b"HELLO", b"3"], 0);
    for line in ["MULTI", "SUBSCRIBE c1 c2", "PUBLISH c1 hi", "UNSUBSCRIBE"] {
        node.call(a, &words(line).iter().map(Vec::as_slice).collect::<Vec<_>>(), 0);
    }
    assert_eq!(
        node.call(a, &[b"EXEC"], 0),
        vec![
            arr(&[
                push(&[b("subscribe"), b("c1"), int(1)]),
                push(&[b("subscribe"), b("c2"), int(2)]),
                push(&[b("message"), b("c1"), b("hi")]),
            ]),
            int(1),
            push(&[b("unsubscribe"), b("c1"), int(1)]),
            push(&[b("unsubscribe"), b("c2"), int(0)]),
        ]
    );
}

fn numsub(node: &mut Node, asker: ClientId, channel: &str) -> Vec<Reply> {
    node.call(asker, &[b"PUBSUB", b"NUMSUB", channel.as_bytes()], 0)
}

#[test]
fn leaving_clients_are_removed_everywhere() {
    let mut node = Node::new();
    let asker = node.connect(0);
    let counts = |n: i64| vec![arr(&[b("c"), int(n)])];
    let subscribe_all = |node: &mut Node, id: ClientId| {
        node.call(id, &[b"SUBSCRIBE", b"c"], 0);
        node.call(id, &[b"PSUBSCRIBE", b"p*"], 0);
        node.call(id, &[b"SSUBSCRIBE", b"s"], 0);
    };
    // QUIT: OK, then gone.
    let quitter = node.connect(0);
    subscribe_all(&mut node, quitter);
    assert_eq!(numsub(&mut node, asker, "c"), counts(1));
    assert_eq!(node.call(quitter, &[b"QUIT"], 0), vec![Reply::ok()]);
    assert_eq!(numsub(&mut node, asker, "c"), counts(0));
    // RESET: silent, and the connection stays.
    let resetter = node.connect(0);
    subscribe_all(&mut node, resetter);
    assert_eq!(node.call(resetter, &[b"RESET"], 0), vec![Reply::status("RESET")]);
    assert_eq!(numsub(&mut node, asker, "c"), counts(0));
    // A disconnect.
    let gone = node.connect(0);
    subscribe_all(&mut node, gone);
    node.disconnect(gone);
    // CLIENT KILL TYPE pubsub takes only subscribers.
    let killed = node.connect(0);
    subscribe_all(&mut node, killed);
    let only_shard = node.connect(0);
    node.call(only_shard, &[b"SSUBSCRIBE", b"s"], 0);
    assert_eq!(node.call(asker, &[b"CLIENT", b"KILL", b"TYPE", b"pubsub"], 0), vec![int(2)]);
    assert!(node.is_connected(asker) && !node.is_connected(killed) && !node.is_connected(only_shard));
    assert_eq!(numsub(&mut node, asker, "c"), counts(0));
    assert_eq!(node.call(asker, &[b"PUBSUB", b"NUMPAT"], 0), vec![int(0)]);
    assert_eq!(node.call(asker, &[b"PUBSUB", b"SHARDCHANNELS"], 0), vec![arr(&[])]);
    assert_eq!(node.call(asker, &[b"PUBLISH", b"c", b"x"], 0), vec![int(0)]);
    assert_eq!(node.pubsub().channels.len() + node.pubsub().patterns.len() + node.pubsub().shard_channels.len(), 0);
}

fn text_of(replies: Vec<Reply>) -> String {
    match replies.as_slice() {
        [Reply::Verbatim { text, .. } | Reply::Bulk(text)] => String::from_utf8_lossy(text).into_owned(),
        other => panic!("not one text reply: {:?}", other),
    }
}

#[test]
fn client_list_and_info_report_subscriptions() {
    let mut node = Node::new();
    let asker = node.connect(0);
    let sub = node.connect(0);
    let resp3 = node.connect(0);
    node.call(sub, &[b"SUBSCRIBE", b"a", b"b"], 0);
    node.call(sub, &[b"PSUBSCRIBE", b"p*"], 0);
    node.call(resp3, &[b"HELLO", b"3"], 0);
    node.call(resp3, &[b"SSUBSCRIBE", b"s"], 0);
    node.call(resp3, &[b"MULTI"], 0);
    let list = text_of(node.call(asker, &[b"CLIENT", b"LIST"], 0));
    let lines: Vec<&str> = list.lines().collect();
    assert!(lines[0].contains(" flags=N db=0 sub=0 psub=0 ssub=0 "), "{}", lines[0]);
    assert!(lines[1].contains(" flags=P db=0 sub=2 psub=1 ssub=0 "), "{}", lines[1]);
    assert!(lines[2].contains(" flags=Px db=0 sub=0 psub=0 ssub=1 multi=0 "), "{}", lines[2]);
    let pubsub_only = text_of(node.call(asker, &[b"CLIENT", b"LIST", b"TYPE", b"pubsub"], 0));
    assert_eq!(pubsub_only.lines().count(), 2);
    let normal = text_of(node.call(asker, &[b"CLIENT", b"LIST", b"TYPE", b"normal"], 0));
    assert!(normal.starts_with(&alloc::format!("id={} ", asker)) && normal.lines().count() == 1, "{}", normal);
    node.call(resp3, &[b"DISCARD"], 0);
    node.call(resp3, &[b"PSUBSCRIBE", b"p*", b"q*"], 0);
    let info = text_of(node.call(asker, &[b"INFO", b"stats"], 0));
    assert!(info.contains("pubsub_channels:2\r\npubsub_patterns:2\r\npubsubshard_channels:1\r\n"), "{}", info);
}

#[test]
fn pubsub_introspection() {
    let mut node = run(
        2,
        vec![
            Step(0, "SUBSCRIBE news.tech news.art x", vec![
                conf("subscribe", "news.tech", 1),
                conf("subscribe", "news.art", 2),
                conf("subscribe", "x", 3),
            ]),
            Step(0, "SSUBSCRIBE news.s", vec![conf("ssubscribe", "news.s", 1)]),
            Step(1, "PUBSUB CHANNELS news.*", vec![arr(&[b("news.art"), b("news.tech")])]),
            Step(1, "PUBSUB channels [x]", vec![arr(&[b("x")])]),
            Step(1, "PUBSUB SHARDCHANNELS news.*", vec![arr(&[b("news.s")])]),
            Step(1, "PUBSUB SHARDNUMSUB news.s news.tech", vec![arr(&[b("news.s"), int(1), b("news.tech"), int(0)])]),
            Step(1, "PUBSUB NUMSUB", vec![arr(&[])]),
            Step(1, "PUBSUB SHARDNUMSUB", vec![arr(&[])]),
            Step(1, "PUBSUB ChAnNeLs a b", vec![err("ERR unknown subcommand or wrong number of arguments for 'ChAnNeLs'. Try PUBSUB HELP.")]),
            Step(1, "PUBSUB SHARDCHANNELS a b", vec![err("ERR unknown subcommand or wrong number of arguments for 'SHARDCHANNELS'. Try PUBSUB HELP.")]),
            Step(1, "PUBSUB NUMPAT a", vec![err("ERR wrong number of arguments for 'pubsub|numpat' command")]),
            Step(1, "PUBSUB HELP x", vec![err("ERR wrong number of arguments for 'pubsub|help' command")]),
            Step(1, "PUBSUB foo", vec![err("ERR unknown subcommand 'foo'. Try PUBSUB HELP.")]),
            Step(1, "PUBSUB", vec![err("ERR wrong number of arguments for 'pubsub' command")]),
            Step(1, "SUBSCRIBE", vec![err("ERR wrong number of arguments for 'subscribe' command")]),
            Step(1, "SSUBSCRIBE", vec![err("ERR wrong number of arguments for 'ssubscribe' command")]),
            Step(1, "PSUBSCRIBE", vec![err("ERR wrong number of arguments for 'psubscribe' command")]),
            Step(1, "PUBLISH x", vec![err("ERR wrong number of arguments for 'publish' command")]),
            Step(1, "SPUBLISH x", vec![err("ERR wrong number of arguments for 'spublish' command")]),
        ],
    );
    let asker = 2;
    let help = node.call(asker, &[b"PUBSUB", b"HELP"], 0);
    let [Reply::Array(lines)] = help.as_slice() else { panic!("{:?}", help) };
    // Our own words, one usage and one summary line per subcommand.
    assert!(matches!(lines.first(), Some(Reply::Status(first)) if first.starts_with("PUBSUB <subcommand>")), "{:?}", lines);
    assert_eq!(lines.len(), 1 + 2 * 6);
    for name in ["CHANNELS", "NUMSUB", "NUMPAT", "SHARDCHANNELS", "SHARDNUMSUB", "HELP"] {
        assert!(lines.iter().any(|l| matches!(l, Reply::Status(t) if t.starts_with(name))), "{}", name);
    }
}

#[test]
fn dropping_shard_channels_tells_their_subscribers() {
    let mut node = Node::new();
    let a = node.connect(0);
    let bob = node.connect(0);
    node.call(a, &[b"SSUBSCRIBE", b"s1", b"s2", b"t"], 0);
    node.call(bob, &[b"SSUBSCRIBE", b"s1"], 0);
    assert_eq!(node.drop_shard_channels(|channel| channel.starts_with(b"s")), 2);
    assert_eq!(
        node.take_output(a),
        vec![conf("sunsubscribe", "s1", 2), conf("sunsubscribe", "s2", 1)]
    );
    assert_eq!(node.take_output(bob), vec![conf("sunsubscribe", "s1", 0)]);
    assert_eq!(node.call(bob, &[b"GET", b"x"], 0), vec![Reply::Nil]);
}

#[test]
fn binary_and_empty_names() {
    let mut node = Node::new();
    let a = node.connect(0);
    let p = node.connect(0);
    assert_eq!(node.call(a, &[b"SUBSCRIBE", b"", b"\x00\xff"], 0), vec![
        arr(&[b("subscribe"), b(""), int(1)]),
        arr(&[b("subscribe"), Reply::bulk(b"\x00\xff"), int(2)]),
    ]);
    assert_eq!(node.call(p, &[b"PUBLISH", b"", b"\r\n"], 0), vec![int(1)]);
    assert_eq!(node.take_output(a), vec![arr(&[b("message"), b(""), b("\r\n")])]);
}
