#!/usr/bin/env bash
# `make bench`: builds the release, then measures Kursi over real HTTP next
# to this machine's ceilings (see benches/load.rs), plus the bundle and the
# binary sizes. Prints a table and writes bench-results.json. Not part of
# `make test`: it asserts nothing, it measures.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh --cluster
source scripts/setup.sh --cluster
cargo leptos build $LEPTOS_RELEASE_FLAGS
export KURSI_BIN="$CARGO_TARGET_DIR/release/kursi"
export BENCH_OUT="$ROOT/bench-results.json"
cargo bench --features ssr --bench load -- --bench

# The bundle: what a first visit downloads, gzip -9. Every page loads the
# main WASM, its JS and the chunk loader; a page with a lazy island (the
# admin pages) also loads the chunks the split manifest lists for it.
python3 - "$BENCH_OUT" target/site/pkg "$KURSI_BIN" <<'PY'
import glob, gzip, json, os, sys
out, pkg, binary = sys.argv[1], sys.argv[2], sys.argv[3]
gz = lambda f: len(gzip.compress(open(f, "rb").read(), 9))
files = [f"{pkg}/kursi.wasm", f"{pkg}/kursi.js", *glob.glob(f"{pkg}/__wasm_split.*.js")]
print(f"\n{'first page load':52} {'bytes':>9} {'gzip -9':>9}")
for f in files:
    print(f"{os.path.basename(f):52} {os.path.getsize(f):9} {gz(f):9}")
main = sum(gz(f) for f in files)
print(f"{'WASM + JS of /, /trips/{id}, /claim, /ticket':52} {'':9} {main:9}  (target < 204800)")
manifest = json.load(open(f"{pkg}/__wasm_split_manifest.json"))
lazy = {}
for loader, chunks in sorted(manifest.items()):
    island = loader.split("_loader")[0]
    lazy[island] = main + sum(gz(f"{pkg}/{c}.wasm") for c in chunks)
    print(f"{'  with the lazy island ' + island:52} {'':9} {lazy[island]:9}")
print(f"{'server binary':52} {os.path.getsize(binary):9}")
# (`BENCH_ONLY=sqlite` or `postgres` stops before the results are written.)
data = json.load(open(out)) if os.path.exists(out) else {}
data["bundle_gzip_bytes"] = main
data["bundle_with_lazy_island_gzip_bytes"] = lazy
data["server_binary_bytes"] = os.path.getsize(binary)
json.dump(data, open(out, "w"), indent=2)
PY
echo "results: $BENCH_OUT"
