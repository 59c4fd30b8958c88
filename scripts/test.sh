#!/usr/bin/env bash
# Command 2: every check, in order: format, clippy (ssr and hydrate, warnings
# are errors), the release build, cargo test (its crash, shutdown and backup
# tests drive that release binary), cargo test again on PostgreSQL, then
# the Playwright suite in headless
# Chromium and schemathesis against a release server on a free port with a
# fresh temporary database.
# Ends with one summary line; exits non-zero on any failure.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# Run the setup on its own first: inside `source … ||` bash would ignore its
# failures. Sourcing it afterwards (everything is installed by then) only
# brings its environment (PATH, CARGO_TARGET_DIR) into this shell.
bash scripts/setup.sh --test || { echo "SUMMARY: FAIL at 'setup'"; exit 1; }
source scripts/setup.sh --test
set +e

START=$(date +%s)
PASSED=()
step() {
  local name="$1"
  shift
  printf '\n\033[1m==> %s\033[0m\n' "$name"
  if "$@"; then
    PASSED+=("$name")
  else
    echo "SUMMARY: FAIL at '$name' after $(($(date +%s) - START))s (passed: ${PASSED[*]:-none})"
    exit 1
  fi
}

# Schemathesis fuzzes the API from its OpenAPI document: examples, coverage,
# random and stateful sequences, with a bounded number of cases per operation;
# no 5xx, and every response must match the document. (The event stream never
# ends, so it is left out.)
schemathesis() {
  local base="$1"
  "$KURSI_VENV/bin/st" run "$base/api/openapi.json" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
    --exclude-path '/api/trips/{id}/events/' \
    -H "X-ADMIN-KEY: e2e-admin-key" \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-40}" --seed "${SCHEMATHESIS_SEED:-$RANDOM}" \
    --request-timeout 10 --no-color --report ndjson --report-dir "$2"
}

# Each failed Playwright test's title and the start of its error, last in the
# output (a CI log is often read from its tail).
playwright_failures() {
  [ -f "$1" ] || return 0
  echo "--- Playwright failures ---"
  python3 - "$1" <<'PY'
import json, re, sys
def walk(suite, path):
    for s in suite.get("suites", []):
        yield from walk(s, path + [s.get("title", "")])
    for spec in suite.get("specs", []):
        for test in spec.get("tests", []):
            for result in test.get("results", []):
                if result.get("status") not in ("passed", "skipped"):
                    yield " > ".join(p for p in path + [spec["title"]] if p), result
for title, result in walk(json.load(open(sys.argv[1])), []):
    print(f"* {title} [{result.get('status')}]")
    for err in result.get("errors", []):
        text = re.sub(r"\x1b\[[0-9;]*m", "", err.get("message", ""))
        print("  " + "\n  ".join(text.splitlines()[:25]))
PY
}

e2e() {
  local port tmp pid rc
  # Every admin journey signs in from 127.0.0.1 within the same minute; the
  # sign-in limit (5 a minute, tested in tests/admin_api.rs) would refuse the
  # sixth, so this server allows more. Holds and claims keep their limits.
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  tmp=$(mktemp -d)
  LEPTOS_OUTPUT_NAME=kursi LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" DATABASE_URL="sqlite://$tmp/kursi.db" RECEIPTS_DIR="$tmp/receipts" \
    MAX_HELD_SEATS_PER_IP=0 LOGIN_RATE_PER_MINUTE=60 \
    ADMIN_USERNAME=admin ADMIN_PASSWORD=e2e-password-123 ADMIN_API_KEY=e2e-admin-key \
    RUST_LOG=warn "$CARGO_TARGET_DIR/release/kursi" >"$tmp/server.log" 2>&1 &
  pid=$!
  # A second server whose holds last 12 seconds, for the expiry journey.
  sport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  LEPTOS_OUTPUT_NAME=kursi LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
    LEPTOS_SITE_ADDR="127.0.0.1:$sport" DATABASE_URL="sqlite://$tmp/short.db" RECEIPTS_DIR="$tmp/short-receipts" \
    HOLD_MINUTES=0.2 CONTACT_HOLD_MINUTES=0.3 SWEEP_SECONDS=0.5 SEED_DEMO=false \
    ADMIN_USERNAME=admin ADMIN_PASSWORD=e2e-password-123 ADMIN_API_KEY=e2e-admin-key \
    RUST_LOG=warn "$CARGO_TARGET_DIR/release/kursi" >"$tmp/short.log" 2>&1 &
  spid=$!
  for p in "$port" "$sport"; do
    for _ in $(seq 1 100); do
      curl -fs "http://127.0.0.1:$p/healthz" >/dev/null 2>&1 && break
      sleep 0.1
    done
  done
  # The boarding journey's crew account, made as an operator would.
  printf 'crew-password-123\n' | DATABASE_URL="sqlite://$tmp/kursi.db" RUST_LOG=warn \
    "$CARGO_TARGET_DIR/release/kursi" staff crew --crew >/dev/null
  (cd end2end && BASE_URL="http://127.0.0.1:$port" SHORT_BASE_URL="http://127.0.0.1:$sport" \
    ADMIN_API_KEY=e2e-admin-key npx playwright test)
  rc=$?
  if [ $rc -eq 0 ]; then
    printf '\n\033[1m==> %s\033[0m\n' "schemathesis"
    schemathesis "http://127.0.0.1:$port" "$tmp/schemathesis"
    rc=$?
  fi
  kill -TERM "$pid" "$spid" 2>/dev/null
  wait "$pid" "$spid" 2>/dev/null
  if [ $rc -ne 0 ]; then
    echo "--- server log (last 40 lines) ---"
    tail -n 40 "$tmp/server.log" "$tmp/short.log"
    playwright_failures end2end/test-results/report.json
  fi
  rm -rf "$tmp"
  return $rc
}

step "cargo fmt --check" cargo fmt --check
step "clippy (ssr)" cargo clippy --all-targets --features ssr -- -D warnings
step "clippy (hydrate)" cargo clippy --lib --no-default-features --features hydrate --target wasm32-unknown-unknown -- -D warnings
step "release build" cargo leptos build $LEPTOS_RELEASE_FLAGS
# A test binary stuck for 10 minutes gets its stacks printed and is killed
# (see scripts/watchdog.sh), so a hang fails its step with the place in the log.
bash scripts/watchdog.sh 600 "$CARGO_TARGET_DIR/debug/deps" &
WATCHDOG=$!
trap 'kill "$WATCHDOG" 2>/dev/null' EXIT
step "cargo test" env KURSI_BIN="$CARGO_TARGET_DIR/release/kursi" cargo test --features ssr
# The same service, API, OpenAPI, property and hostile-input tests again on
# PostgreSQL (each test makes and drops a database of its own). The unit,
# process and schema tests above are not database-specific, or already
# cover both (tests/schema.rs, tests/postgres.rs).
step "cargo test (PostgreSQL)" env KURSI_TEST_DB=postgres KURSI_BIN="$CARGO_TARGET_DIR/release/kursi" \
  cargo test --features ssr --test booking --test concurrency --test api --test admin_api \
  --test openapi --test api_fuzz --test hostile --test security --test webhooks --test receipts --test schedules --test passengers --test reports --test boarding --test stops
step "playwright + schemathesis" e2e

echo "SUMMARY: PASS — ${#PASSED[@]} steps (${PASSED[*]}) in $(($(date +%s) - START))s"
