#!/usr/bin/env bash
# Installs everything redplay's build and tests need, once. Safe to run again:
# each step checks first and does nothing when its tool is already in place.
#
# Writes .cache/toolchain.env, which the Makefile sources for wasm builds: it
# says whether rustup's own wasm32 target works here or whether Debian's
# rustc-web toolchain with -Zbuild-std is used instead.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' wasm/Cargo.toml)
WASM_PACK_VERSION=0.15.1
mkdir -p .cache

say() { printf 'setup: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_updated = 0 ]; then
    say "apt-get update"
    as_root apt-get update -qq
    apt_updated=1
  fi
  say "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Browser for end-to-end tests and the oracle for differential tests.
apt_install chromium redis-server redis-tools python3-venv

# redis-py from PyPI for the client tests (tests/npm), in a project venv.
REDIS_PY_VERSION=8.1.0
if ! .cache/venv/bin/python -c "import redis, sys; sys.exit(redis.__version__ != '$REDIS_PY_VERSION')" 2>/dev/null; then
  say "redis-py $REDIS_PY_VERSION into .cache/venv"
  rm -rf .cache/venv
  python3 -m venv .cache/venv
  .cache/venv/bin/pip install --quiet --disable-pip-version-check "redis==$REDIS_PY_VERSION"
fi

# Rust toolchain for wasm32: rustup's target where it can be fetched, otherwise
# Debian's web toolchain building std from source.
if [ ! -f .cache/toolchain.env ]; then
  # REDPLAY_WASM_TOOLCHAIN=debian forces the fallback (to test it where rustup works).
  if [ "${REDPLAY_WASM_TOOLCHAIN:-}" != debian ] && { rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
     || timeout 20 rustup target add wasm32-unknown-unknown >/dev/null 2>&1; }; then
    say "using rustup's wasm32-unknown-unknown target"
    cat > .cache/toolchain.env <<'ENV'
WASM_ENV=
WASM_BUILD_STD=
WASM_NOSTD_BUILD_STD=
ENV
  else
    say "rustup cannot fetch wasm32 here; using Debian's rustc-web with -Zbuild-std"
    apt_install rustc-web cargo-web rust-web-src rust-web-llvm lld-22
    cat > .cache/toolchain.env <<'ENV'
WASM_ENV="RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1"
WASM_BUILD_STD=std,panic_abort
WASM_NOSTD_BUILD_STD=core,alloc
ENV
  fi
fi
if grep -q '/usr/bin/rustc' .cache/toolchain.env; then
  apt_install rustc-web cargo-web rust-web-src rust-web-llvm lld-22
fi

# wasm-pack and wasm-bindgen-cli (the latter must equal the crate's version).
if ! wasm-pack --version 2>/dev/null | grep -q "$WASM_PACK_VERSION"; then
  say "cargo install wasm-pack $WASM_PACK_VERSION"
  cargo install --quiet wasm-pack --version "=$WASM_PACK_VERSION"
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install --quiet --force wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi

# Node packages, from the committed lock file; reinstalled only when it changes.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat .cache/npm.stamp 2>/dev/null)" != "$lock_sum" ]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > .cache/npm.stamp
fi
