#!/usr/bin/env bash
# Benchmarks releasegate's source map parsing and lookups against @jridgewell/trace-mapping on
# the same maps, and prints one table with MB/s, lookups/s and the ratios (releasegate ÷
# trace-mapping: above 1 means releasegate is faster).
#
#   bash bench/tracemapping/run.sh            # from the repository root
#
# It makes what it needs below bench/out (ignored by git): the real esbuild, webpack and rollup
# builds of internal/testbundles, a 60 MB esbuild build from bench/genbuild, and the combined
# index and flat maps from prepare.mjs. Needs Go, node and the peers (bash .ci/install-peers).
# Both sides report their best of several runs (COUNT, default 5, for go test -count; ROUNDS,
# default 5, for node), since noise on a shared machine only ever slows a run. BENCHTIME
# (default 1s) is passed to go test -benchtime.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out="$root/bench/out"
nm="${RELEASEGATE_PEERS:-$root/.peers}/node_modules"
[ -d "$nm/@jridgewell/trace-mapping" ] || { echo "run: bash .ci/install-peers first" >&2; exit 2; }

for b in esbuild webpack rollup; do
  d="$out/bundles/$b"
  if [ ! -d "$d/dist" ]; then
    rm -rf "$d" && mkdir -p "$d" && cp -r internal/testbundles/app "$d/src"
    node internal/testbundles/build.mjs --bundler "$b" --src "$d/src" --out "$d/dist" --node-modules "$nm"
  fi
done
[ -d "$out/large" ] || go run ./bench/genbuild -out "$out/large" -size 60MB
[ -f "$out/combined/flat.map" ] || node bench/tracemapping/prepare.mjs "$out/large" "$out/combined" "$nm"

gores=$(mktemp)
trap 'rm -f "$gores"' EXIT
echo "go test -bench (sourcemaps), $(go version | cut -d' ' -f3), GOMAXPROCS=${GOMAXPROCS:-$(nproc)}" >&2
RELEASEGATE_BENCH_DIR="$out" go test ./sourcemaps -run '^$' -bench '^Benchmark(Parse|Lookup)' \
  -benchtime "${BENCHTIME:-1s}" -count "${COUNT:-5}" | tee "$gores" >&2
echo >&2
node bench/tracemapping/bench.mjs --out "$out" --node-modules "$nm" --go "$gores"
