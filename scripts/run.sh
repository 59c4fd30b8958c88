#!/usr/bin/env bash
# Command 1: build a release and serve Kursi on http://127.0.0.1:3000 with a
# SQLite database under data/ (migrated, demo trips seeded when empty).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/setup.sh

cargo leptos build $LEPTOS_RELEASE_FLAGS

mkdir -p data
export DATABASE_URL="${DATABASE_URL:-sqlite://data/kursi.db}"
export LEPTOS_OUTPUT_NAME=kursi
export LEPTOS_SITE_ROOT=target/site
export LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export LEPTOS_ENV=PROD
echo "Kursi on http://$LEPTOS_SITE_ADDR (Ctrl-C to stop)"
exec "$CARGO_TARGET_DIR/release/kursi"
