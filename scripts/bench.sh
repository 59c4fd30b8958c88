#!/usr/bin/env bash
# `make bench`: builds the release, then measures Kursi over real HTTP next
# to this machine's ceilings (see benches/load.rs), plus the bundle and the
# binary sizes. Prints a table and writes bench-results.json. Not part of
# `make test`: it asserts nothing, it measures.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
source scripts/setup.sh
cargo leptos build $LEPTOS_RELEASE_FLAGS
export KURSI_BIN="$CARGO_TARGET_DIR/release/kursi"
export BENCH_OUT="$ROOT/bench-results.json"
cargo bench --features ssr --bench load -- --bench

gz() { gzip -9 -c "$1" | wc -c; }
pkg="target/site/pkg"
wasm="$pkg/kursi.wasm"
js="$pkg/kursi.js"
# The loader of the WASM chunks (`--split`), which kursi.js imports.
split=$(ls "$pkg"/__wasm_split.*.js)
css="$pkg/kursi.css"
printf '\n%-44s %10s %10s\n' "first page load (/)" "bytes" "gzip -9"
for f in "$wasm" "$js" "$split" "$css"; do
  printf '%-44s %10d %10d\n' "${f#"$pkg"/}" "$(wc -c <"$f")" "$(gz "$f")"
done
home=$(( $(gz "$wasm") + $(gz "$js") + $(gz "$split") ))
printf '%-44s %10s %10d  (target < 204800)\n' "WASM + JS of /" "" "$home"
# A trip page also loads the seat map island and the chunks it shares with
# other islands: the split manifest lists them.
chunks=$(python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))
print(" ".join(next(v for k, v in m.items() if k.startswith("seat_map_page_loader"))))' \
  "$pkg/__wasm_split_manifest.json")
trip=$home
for c in $chunks; do trip=$(( trip + $(gz "$pkg/$c.wasm") )); done
printf '%-44s %10s %10d  (target < 204800)\n' "WASM + JS of /trips/{id} (+ seat map chunks)" "" "$trip"
printf '%-44s %10d\n' "server binary ($KURSI_BIN)" "$(wc -c <"$KURSI_BIN")"
python3 - "$BENCH_OUT" "$home" "$trip" "$(wc -c <"$KURSI_BIN")" <<'PY'
import json, sys
path, home, trip, binary = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
data = json.load(open(path))
data["bundle_gzip_bytes"] = home
data["bundle_trip_page_gzip_bytes"] = trip
data["server_binary_bytes"] = binary
json.dump(data, open(path, "w"), indent=2)
PY
echo "results: $BENCH_OUT"
