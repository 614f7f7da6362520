//! redplay-wasm: the JavaScript facade over redplay-core. One object, `Engine`,
//! holds a node; every method is a thin call into core. Time comes from the
//! caller as milliseconds (`Date.now()` in the page, a virtual clock in tests).

use redplay_core::cli::{self, LineEffect};
use redplay_core::Node;
use wasm_bindgen::prelude::*;

/// One redplay node and its clients.
#[wasm_bindgen]
pub struct Engine {
    node: Node,
}

/// What running a typed line produced.
#[wasm_bindgen(getter_with_clone)]
pub struct LineResult {
    /// The text redis-cli would print.
    pub output: String,
    /// `none`, `exit`, `clear`, `closed` or `blocked`.
    pub effect: String,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

#[wasm_bindgen]
impl Engine {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Engine {
        Engine { node: Node::new() }
    }

    /// Opens a client connection; returns its id.
    pub fn connect(&mut self, now_ms: f64) -> u32 {
        self.node.connect(now_ms as u64) as u32
    }

    /// Closes a client connection.
    pub fn disconnect(&mut self, client: u32) {
        self.node.disconnect(client as u64);
    }

    /// Runs a line typed at the prompt and returns redis-cli's terminal output.
    #[wasm_bindgen(js_name = runLine)]
    pub fn run_line(&mut self, client: u32, line: &str, now_ms: f64) -> LineResult {
        let result = cli::run_line(&mut self.node, client as u64, line.as_bytes(), now_ms as u64, false);
        let effect = match result.effect {
            LineEffect::None => "none",
            LineEffect::Exit => "exit",
            LineEffect::Clear => "clear",
            LineEffect::Closed => "closed",
            LineEffect::Blocked => "blocked",
        };
        LineResult { output: String::from_utf8_lossy(&result.text).into_owned(), effect: effect.into() }
    }
}
