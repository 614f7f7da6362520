# redplay — the two commands a newcomer needs:
#   make play   build everything and serve the playground on 127.0.0.1
#   make test   run every test layer
# Both install what is missing first (scripts/setup.sh, idempotent).
SHELL := /bin/bash
PORT ?= 5173

WASM_SOURCES := $(shell find core/src wasm/src -name '*.rs') Cargo.toml Cargo.lock core/Cargo.toml wasm/Cargo.toml \
	scripts/wasm.sh scripts/finalize-pkg.mjs package-lock.json $(shell find wasm/js -type f)
WWW_SOURCES := $(shell find www/src -type f) www/index.html www/demos.html www/vite.config.ts www/tsconfig.json package-lock.json

.PHONY: play test bench setup wasm www test-rust test-nostd test-wasm test-unit test-browser test-npm

play: www
	node scripts/serve.mjs $(PORT)

test: setup test-rust test-nostd test-wasm test-unit www test-browser test-npm
	@echo "make test: every layer passed"

# Prints redplay's ops/s (native and wasm under Node) next to redis-server's, then
# redplay's RESP server (`redplay serve`) vs redis-server under redis-benchmark.
bench: wasm
	cargo run --quiet --release -p redplay-bench

setup:
	@bash scripts/setup.sh

wasm: setup wasm/pkg/redplay.js

wasm/pkg/redplay.js: $(WASM_SOURCES)
	scripts/wasm.sh pkg

www: wasm www/dist/index.html

www/dist/index.html: wasm/pkg/redplay.js $(WWW_SOURCES)
	npx tsc --noEmit -p www
	npx vite build --config www/vite.config.ts --logLevel warn

test-rust: setup
	cargo test --workspace

test-nostd: setup
	scripts/wasm.sh nostd

test-wasm: setup
	scripts/wasm.sh test

# The page's DOM-free TypeScript modules, compiled by tsc (against the built
# package's generated types), under node's test runner.
test-unit: wasm
	npx tsc -p www/tsconfig.unit.json
	node --test tests/unit/

test-browser: www
	node --test tests/e2e/

# The npm package: types, JS API, RESP server with redis-cli, ioredis,
# node-redis and redis-py, and the packed tarball in fresh projects.
test-npm: wasm
	node --test --test-concurrency=1 tests/npm/
