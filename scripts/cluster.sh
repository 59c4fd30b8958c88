#!/usr/bin/env bash
# `make cluster`: three Kursi instances (CLUSTER_INSTANCES) on one
# PostgreSQL database, behind nginx round robin on http://127.0.0.1:8080
# (CLUSTER_PORT). The database (CLUSTER_DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/kursi_cluster) is created when
# missing; the first instance migrates it and seeds the demo trips.
# Ctrl-C stops them all.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh --cluster
source scripts/setup.sh --cluster

cargo leptos build $LEPTOS_RELEASE_FLAGS

N="${CLUSTER_INSTANCES:-3}"
PORT="${CLUSTER_PORT:-8080}"
URL="${CLUSTER_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kursi_cluster}"
SERVER="${URL%/*}"
NAME="${URL##*/}"
if ! psql "$SERVER/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$NAME'" | grep -q 1; then
  echo "creating database $NAME"
  psql "$SERVER/postgres" -qc "CREATE DATABASE \"$NAME\""
fi

RUN="$(mktemp -d)"
PIDS=()
stop() {
  trap - EXIT INT TERM
  echo "stopping"
  kill -TERM "${PIDS[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$RUN"
}
trap stop EXIT INT TERM

UPSTREAMS=""
for i in $(seq 1 "$N"); do
  port=$((PORT + i))
  LEPTOS_OUTPUT_NAME=kursi LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" DATABASE_URL="$URL" \
    TRUST_PROXY=true PUBLIC_URL="http://127.0.0.1:$PORT" \
    "$CARGO_TARGET_DIR/release/kursi" >"$RUN/kursi-$i.log" 2>&1 &
  PIDS+=($!)
  UPSTREAMS+="        server 127.0.0.1:$port max_fails=1 fail_timeout=10s;"$'\n'
done
for i in $(seq 1 "$N"); do
  for _ in $(seq 1 200); do
    curl -fs "http://127.0.0.1:$((PORT + i))/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
done

python3 - "$RUN" "$PORT" "$UPSTREAMS" <<'PY'
import sys
run, port, upstreams = sys.argv[1:4]
conf = open("scripts/cluster/nginx.conf.in").read()
conf = conf.replace("@DIR@", run).replace("@PORT@", port).replace("@UPSTREAMS@", upstreams.rstrip("\n"))
open(f"{run}/nginx.conf", "w").write(conf)
PY
nginx -p "$RUN" -c "$RUN/nginx.conf" &
PIDS+=($!)
echo "Kursi: http://127.0.0.1:$PORT  ($N instances on $URL; logs in $RUN; Ctrl-C stops all)"
wait -n "${PIDS[@]}" || true
