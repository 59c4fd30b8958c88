#!/usr/bin/env bash
# Installs what building and testing Kursi needs, skipping what is there.
# Sourced by scripts/run.sh and scripts/test.sh; `--test` also installs a
# browser. Build caches live outside the clone so fresh clones build fast.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kursi/target}"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "installing cargo-leptos 0.3.10 (takes ~13 minutes once)"
  cargo install cargo-leptos --version 0.3.10 --locked --features no_downloads
fi

# How every script builds the release: the admin islands split off into WASM
# chunks of their own (`--split`, see `#[island(lazy)]`), and the bundle
# precompressed with gzip and brotli at their best levels (`--precompress`),
# which the server sends as they are.
export LEPTOS_RELEASE_FLAGS="--release --split --precompress"

# cargo-leptos uses the wasm-bindgen on PATH; it must match Cargo.lock.
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' "$ROOT/Cargo.lock")"
if [ -z "$WB_VERSION" ]; then
  echo "could not read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_VERSION\$"; then
  say "installing wasm-bindgen-cli $WB_VERSION"
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

# Node packages: Playwright, axe-core and binaryen (a current wasm-opt).
if [ ! -x "$ROOT/end2end/node_modules/.bin/wasm-opt" ] \
  || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
  say "installing node packages"
  (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
fi

# Schemathesis (API fuzzing from the OpenAPI document) in its own venv.
export KURSI_VENV="${KURSI_VENV:-$HOME/.cache/kursi/venv}"
if [ "${1:-}" = "--test" ] && ! "$KURSI_VENV/bin/st" --version 2>/dev/null | grep -q ' 4\.32\.5$'; then
  say "installing schemathesis 4.32.5 into $KURSI_VENV"
  python3 -m venv "$KURSI_VENV"
  "$KURSI_VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==4.32.5"
fi

if [ "${1:-}" = "--test" ]; then
  if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's chromium"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  # gdb: the test run's watchdog prints a stuck test's stacks with it.
  if ! command -v gdb >/dev/null 2>&1; then
    say "installing Debian's gdb"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gdb >/dev/null
  fi
fi

# nginx for `make cluster` and `make bench` (several instances behind one
# address).
if [ "${1:-}" = "--cluster" ] && ! command -v nginx >/dev/null 2>&1; then
  say "installing Debian's nginx-light"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
fi
