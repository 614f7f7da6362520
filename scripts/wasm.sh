#!/usr/bin/env bash
# Runs the wasm32 builds with the toolchain scripts/setup.sh chose
# (.cache/toolchain.env): rustup's target, or Debian's rustc-web + build-std.
#   scripts/wasm.sh pkg     build the npm package into wasm/pkg (wasm-pack, --target web, then wasm-opt and the JS API)
#   scripts/wasm.sh test    run the #[wasm_bindgen_test] tests under Node
#   scripts/wasm.sh nostd   prove redplay-core builds without std for wasm32
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
. .cache/toolchain.env
export CARGO_TARGET_DIR="$PWD/target/wasm"
# build-std goes through cargo's config environment so that every cargo run
# wasm-pack makes (build and test) gets it.
run() { env $WASM_ENV ${WASM_BUILD_STD:+CARGO_UNSTABLE_BUILD_STD=$WASM_BUILD_STD} "$@"; }

case "${1:-}" in
  pkg)
    # The page downloads this file: it must stay within 250 KB gzipped. The
    # engine (redplay-core, where the time goes) is built at opt-level s and
    # everything else (std, wasm-bindgen glue, the facade) at z; wasm-opt -O3
    # then runs on the whole. Measured on the bench: core at s is ~1.5x the
    # speed of core at z for +20 KB gzipped; opt-level 3 is no faster than s
    # and 70 KB bigger; z with wasm-opt -Oz is smallest but a third of the speed.
    CARGO_PROFILE_RELEASE_OPT_LEVEL=z run wasm-pack --quiet build wasm --target web --mode force --release \
      --out-dir pkg --out-name redplay -- --config "profile.release.package.redplay-core.opt-level=\"s\""
    node scripts/finalize-pkg.mjs
    # wasm-opt from the npm package binaryen (package-lock.json), run on the
    # fresh wasm-pack output each time, so running this again gives the same file.
    wasm_opt=node_modules/binaryen/bin/wasm-opt
    if [ -f "$wasm_opt" ]; then
      before=$(wc -c < wasm/pkg/redplay_bg.wasm)
      # REDPLAY_WASM_NAMES=1 keeps function names (for profiling; a bigger file).
      node "$wasm_opt" -O3 ${REDPLAY_WASM_NAMES:+-g} wasm/pkg/redplay_bg.wasm -o wasm/pkg/redplay_bg.wasm
      echo "wasm-opt -O3: $before -> $(wc -c < wasm/pkg/redplay_bg.wasm) bytes"
    else
      echo "wasm-opt skipped: run npm ci (scripts/setup.sh) to install binaryen" >&2
    fi
    # The root package depends on file:wasm/pkg; on a fresh clone `npm ci`
    # ran before the package existed, so link its `redplay` bin now (this is
    # what makes `npx --no-install redplay serve` work from the repository).
    npm rebuild redplay --no-audit --no-fund --loglevel=error >/dev/null
    size=$(gzip -9c wasm/pkg/redplay_bg.wasm | wc -c)
    echo "wasm: wasm/pkg/redplay_bg.wasm is $(wc -c < wasm/pkg/redplay_bg.wasm) bytes, $size gzipped"
    # The page's download budget: a build past it fails here, not in a browser test later.
    budget=$((250 * 1024))
    if [ "$size" -gt "$budget" ]; then
      echo "wasm: $size bytes gzipped is over the budget of $budget (250 KB)" >&2
      exit 1
    fi
    ;;
  test)
    run wasm-pack test --node --mode force wasm
    ;;
  nostd)
    # Only core and alloc are built for the target: any use of std fails to link.
    CARGO_TARGET_DIR="$PWD/target/wasm-nostd" env $WASM_ENV ${WASM_NOSTD_BUILD_STD:+CARGO_UNSTABLE_BUILD_STD=$WASM_NOSTD_BUILD_STD} \
      cargo build --quiet -p redplay-core --no-default-features --release --target wasm32-unknown-unknown
    echo "no_std: redplay-core builds for wasm32-unknown-unknown without std"
    ;;
  *)
    echo "usage: scripts/wasm.sh pkg|test|nostd" >&2
    exit 2
    ;;
esac
