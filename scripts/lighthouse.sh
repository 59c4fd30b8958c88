#!/usr/bin/env bash
# Lighthouse (mobile profile) on / and /trips/1 of a release build, with
# Debian's Chromium. Prints performance and accessibility scores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh --test
cargo leptos build $LEPTOS_RELEASE_FLAGS
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tmp=$(mktemp -d)
LEPTOS_OUTPUT_NAME=kursi LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
  LEPTOS_SITE_ADDR="127.0.0.1:$port" DATABASE_URL="sqlite://$tmp/kursi.db" RUST_LOG=warn \
  "$CARGO_TARGET_DIR/release/kursi" >"$tmp/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
for page in "" "trips/1"; do
  (cd end2end && npx lighthouse "http://127.0.0.1:$port/$page" --chrome-path=/usr/bin/chromium \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync" \
    --only-categories=performance,accessibility --output=json --output-path="$tmp/lh.json" --quiet)
  python3 - "$tmp/lh.json" "/$page" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c = r["categories"]; a = r["audits"]
print(f"{sys.argv[2]:10} performance {round(c['performance']['score']*100)}  accessibility {round(c['accessibility']['score']*100)}  "
      f"FCP {a['first-contentful-paint']['displayValue']}  LCP {a['largest-contentful-paint']['displayValue']}  "
      f"TBT {a['total-blocking-time']['displayValue']}  CLS {a['cumulative-layout-shift']['displayValue']}")
PY
done
