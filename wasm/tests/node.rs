//! Runs the facade under Node through `wasm-pack test --node`.

use redplay_wasm::Engine;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn lines_print_like_redis_cli() {
    let mut engine = Engine::new();
    let client = engine.connect(0.0);
    assert_eq!(engine.run_line(client, "PING", 1.0).output, "PONG\n");
    assert_eq!(engine.run_line(client, "SET k \"hello world\"", 2.0).output, "OK\n");
    assert_eq!(engine.run_line(client, "GET k", 3.0).output, "\"hello world\"\n");
    assert_eq!(
        engine.run_line(client, "GET", 4.0).output,
        "(error) ERR wrong number of arguments for 'get' command\n"
    );
    assert_eq!(engine.run_line(client, "quit", 5.0).effect, "exit");
}

#[wasm_bindgen_test]
fn call_returns_js_values_and_throws_reply_errors() {
    let mut engine = Engine::new();
    let client = engine.connect(0.0);
    let ok = engine.call(client, vec!["SET".into(), "k".into(), "v".into()], 1.0).unwrap();
    assert_eq!(ok.as_string().as_deref(), Some("OK"));
    let binary: JsValue = js_sys::Uint8Array::from(&[0u8, 255][..]).into();
    engine.call(client, vec!["SET".into(), "b".into(), binary], 2.0).unwrap();
    let back = engine.call(client, vec!["GET".into(), "b".into()], 3.0).unwrap();
    assert_eq!(js_sys::Uint8Array::new(&back).to_vec(), vec![0u8, 255]);
    let missing = engine.call(client, vec!["GET".into(), "nope".into()], 4.0).unwrap();
    assert!(missing.is_null());
    let error = engine.call(client, vec!["GET".into()], 5.0).unwrap_err();
    let error: js_sys::Error = error.into();
    assert_eq!(String::from(error.message()), "ERR wrong number of arguments for 'get' command");
    assert_eq!(String::from(error.name()), "ReplyError");
    assert!(engine.call(client, vec![JsValue::from_f64(1.0)], 6.0).is_err());
}

#[wasm_bindgen_test]
fn sessions_speak_resp() {
    let mut engine = Engine::new();
    let id = engine.open_session(0.0);
    let out = engine.feed_session(id, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\nGET k\r\n", 1.0);
    assert_eq!(out, b"+OK\r\n$1\r\nv\r\n");
    assert!(!engine.session_closed(id));
    assert_eq!(engine.feed_session(id, b"QUIT\r\n", 2.0), b"+OK\r\n");
    assert!(engine.session_closed(id));
}

#[wasm_bindgen_test]
fn console_helpers_come_from_core() {
    let mut engine = Engine::new();
    let client = engine.connect(0.0);
    assert_eq!(engine.prompt(client), "127.0.0.1:6379> ");
    engine.run_line(client, "SELECT 2", 1.0);
    engine.run_line(client, "MULTI", 1.0);
    assert_eq!(engine.prompt(client), "127.0.0.1:6379[2](TX)> ");
    assert_eq!(engine.hint("get").as_deref(), Some(" key"));
    assert_eq!(engine.completions("client l"), vec!["CLIENT LIST".to_string()]);
    assert_eq!(engine.drain_output(client), "");
    assert_eq!(engine.blocked_since(client), None);
    assert_eq!(engine.next_deadline(), None);
    assert!(engine.is_connected(client));
    engine.disconnect(client);
    assert!(!engine.is_connected(client));
}

#[wasm_bindgen_test]
fn engines_start_with_a_memory_limit() {
    let mut engine = Engine::new();
    let client = engine.connect(0.0);
    let reply = engine.call(client, vec!["CONFIG".into(), "GET".into(), "maxmemory".into()], 1.0).unwrap();
    let pair: js_sys::Array = reply.into();
    assert_eq!(pair.get(1).as_string(), Some(redplay_wasm::DEFAULT_MAXMEMORY_BYTES.to_string()));
}

fn get(value: &JsValue, path: &[&str]) -> JsValue {
    path.iter().fold(value.clone(), |v, name| js_sys::Reflect::get(&v, &JsValue::from_str(name)).unwrap())
}

#[wasm_bindgen_test]
fn inspector_views_are_plain_objects() {
    let mut engine = Engine::new();
    let client = engine.connect(0.0);
    engine.run_line(client, "RPUSH q a b c", 1.0);
    engine.run_line(client, "XADD s 1-1 f v", 1.0);
    engine.run_line(client, "XGROUP CREATE s g 0", 1.0);
    engine.run_line(client, "XREADGROUP GROUP g alice STREAMS s >", 2.0);
    let list = engine.inspect(0, "q".into(), 1, 10, 3.0).unwrap();
    assert_eq!(get(&list, &["type"]).as_string().as_deref(), Some("list"));
    assert_eq!(get(&list, &["length"]).as_f64(), Some(3.0));
    assert_eq!(js_sys::Array::from(&get(&list, &["items"])).length(), 2);
    let stream = engine.inspect(0, "s".into(), 0, 10, 1002.0).unwrap();
    let consumer = js_sys::Array::from(&get(&js_sys::Array::from(&get(&stream, &["groups"])).get(0), &["consumers"])).get(0);
    let pending = js_sys::Array::from(&get(&consumer, &["pending"])).get(0);
    assert_eq!(get(&pending, &["id"]).as_string().as_deref(), Some("1-1"));
    assert_eq!(get(&pending, &["idleMs"]).as_f64(), Some(1000.0));
    assert!(engine.inspect(0, "missing".into(), 0, 10, 3.0).unwrap().is_null());
    assert_eq!(get(&engine.keys(0, 10, 3.0), &["total"]).as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
fn snapshots_restore_into_a_new_engine() {
    let mut engine = Engine::new();
    let client = engine.connect(0.0);
    engine.run_line(client, "SET k v PX 5000", 1000.0);
    let bytes = engine.snapshot(2000.0);
    let mut fresh = Engine::new();
    assert_eq!(fresh.restore(&bytes).unwrap(), 1);
    let other = fresh.connect(2000.0);
    assert_eq!(fresh.run_line(other, "PTTL k", 3000.0).output, "(integer) 3000\n");
    let error: js_sys::Error = fresh.restore(b"junk").unwrap_err().into();
    assert_eq!(String::from(error.name()), "RangeError");
}

#[wasm_bindgen_test]
fn output_for_an_idle_client_is_drained_as_redis_cli_prints_it() {
    let mut engine = Engine::new();
    let consumer = engine.connect(0.0);
    let producer = engine.connect(0.0);
    let blocked = engine.run_line(consumer, "BLPOP jobs 0", 1.0);
    assert_eq!((blocked.output.as_str(), blocked.effect.as_str()), ("", "blocked"));
    assert!(engine.is_blocked(consumer));
    assert_eq!(engine.drain_output(consumer), "");
    assert_eq!(engine.run_line(producer, "RPUSH jobs a", 2.0).output, "(integer) 1\n");
    assert!(!engine.is_blocked(consumer));
    assert_eq!(engine.drain_output(consumer), "1) \"jobs\"\n2) \"a\"\n");
    assert_eq!(engine.drain_output(consumer), "");
    assert_eq!(engine.run_line(consumer, "SUBSCRIBE news", 3.0).effect, "subscribed");
    engine.run_line(producer, "PUBLISH news hi", 4.0);
    assert_eq!(engine.drain_output(consumer), "1) \"message\"\n2) \"news\"\n3) \"hi\"\n");
}

#[wasm_bindgen_test]
fn cluster_nodes_links_and_save_cross_to_js() {
    use redplay_wasm::ClusterEngine;
    let get = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &k.into()).unwrap();
    let mut cluster = ClusterEngine::new(3, 1, 0.0).unwrap();
    let console = cluster.connect(0, true, 0.0).unwrap();
    let moved = cluster.run_line(console, "SET foo bar", 1.0).output;
    assert_eq!(moved, "-> Redirected to slot [12182] located at 127.0.0.1:7002\nOK\n");
    assert_eq!(cluster.prompt(console), "127.0.0.1:7002> ");
    cluster.run_line(console, "PUBLISH news hi", 2.0);
    // Node 2 sent one message to each of the five others.
    assert_eq!(cluster.links(), [2.0, 0.0, 1.0, 2272.0, 2.0, 1.0, 1.0, 2272.0, 2.0, 3.0, 1.0, 2272.0, 2.0, 4.0, 1.0, 2272.0, 2.0, 5.0, 1.0, 2272.0]);
    let nodes = cluster.nodes(2.0);
    assert_eq!(nodes.length(), 6);
    let third = nodes.get(2);
    assert_eq!(get(&third, "port").as_f64(), Some(7002.0));
    assert_eq!(get(&third, "keys").as_f64(), Some(1.0));
    assert!(get(&third, "primary").is_null());
    let ranges: js_sys::Array = get(&third, "ranges").into();
    assert_eq!(js_sys::Array::from(&ranges.get(0)).to_vec(), vec![JsValue::from(10923), JsValue::from(16383)]);
    assert_eq!(get(&nodes.get(3), "primary").as_f64(), Some(2.0));

    cluster.stop_node(2, 3.0);
    assert_eq!(cluster.prompt(console), "not connected> ");
    let restored = ClusterEngine::load(&cluster.save()).unwrap();
    assert_eq!(restored.node_count(), 6);
    assert!(!restored.is_running(2));
    assert!(ClusterEngine::load(b"RPC\x01").is_err());
}

#[wasm_bindgen_test]
fn command_docs_and_key_specs_ship_in_the_wasm_build() {
    let mut engine = Engine::new();
    let client = engine.connect(0.0);
    let docs = engine.run_line(client, "COMMAND DOCS lpush", 1.0).output;
    assert!(docs.contains("\"complexity\"") && docs.contains("\"history\""), "{}", docs);
    let info = engine.run_line(client, "COMMAND INFO lpush", 2.0).output;
    assert!(info.contains("\"begin_search\""), "{}", info);
}
