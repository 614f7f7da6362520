//! Runs the facade under Node through `wasm-pack test --node`.

use redplay_wasm::Engine;
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
