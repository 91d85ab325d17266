#!/usr/bin/env bash
# Times `sentry-cli sourcemaps inject` against `releasegate sourcemaps validate` followed by
# `releasegate sourcemaps inject` on the same large build, and writes bench/results/inject.md.
#
#   bash bench/inject/run.sh            # from the repository root; REPS=5 by default
#
# The build is bench/out/large (made by bench/genbuild, 60 MB of minified esbuild chunks and
# maps; shared with bench/tracemapping). Every run gets its own fresh copy. Wall time, CPU time
# and peak RSS come from GNU time (apt-get install -y time). The JS both tools write is compared
# byte for byte after every run.
#
# SETTLE (default 35) is how many seconds to wait after making the copies before timing. On
# ext4, creating a file scans the inodes deleted in the last 30 seconds, so a run right after
# `rm -rf` of an earlier copy measures the file system's bookkeeping, not the tool: releasegate
# creates a temporary file per output (that is what makes its writes atomic), sentry-cli
# overwrites in place and creates none. SETTLE=0 shows that worst case.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
reps=${REPS:-5}
settle=${SETTLE:-35}
out="$root/bench/out/inject"
large="$root/bench/out/large"
# The native binary, not the npm wrapper script (which adds ~90 ms of node start-up per run).
cli="${RELEASEGATE_PEERS:-$root/.peers}/node_modules/@sentry/cli-linux-x64/bin/sentry-cli"
gtime=/usr/bin/time
[ -x "$cli" ] || { echo "run: bash .ci/install-peers first (needs sentry-cli)" >&2; exit 2; }
[ -x "$gtime" ] || { echo "run: apt-get install -y time (GNU time measures peak memory)" >&2; exit 2; }

[ -d "$large" ] || go run ./bench/genbuild -out "$large" -size 60MB
mkdir -p "$out"
go build -o "$out/releasegate" ./cmd/releasegate
rg="$out/releasegate"

files=$(find "$large" -type f | wc -l)
bytes=$(find "$large" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
echo "build: $files files, $((bytes / 1000000)) MB; $reps runs each; $(nproc) CPUs" >&2

rm -rf "$out/runs"
mkdir -p "$out/runs"
for i in $(seq "$reps"); do
  cp -r "$large" "$out/runs/sentry-$i"
  cp -r "$large" "$out/runs/releasegate-$i"
done
sleep "$settle"

# timed RESULT_FILE CMD...: runs CMD under GNU time; appends "wall user sys maxrss_kb".
timed() {
  local res=$1
  shift
  "$gtime" -f '%e %U %S %M' -o "$out/time.txt" "$@" >/dev/null 2>"$out/stderr.txt" || {
    echo "failed: $*" >&2
    cat "$out/stderr.txt" >&2
    exit 1
  }
  cat "$out/time.txt" >>"$res"
}

: >"$out/sentry.txt"
: >"$out/validate.txt"
: >"$out/inject.txt"
for i in $(seq "$reps"); do
  timed "$out/sentry.txt" "$cli" sourcemaps inject "$out/runs/sentry-$i"
  timed "$out/validate.txt" "$rg" sourcemaps validate "$out/runs/releasegate-$i"
  timed "$out/inject.txt" "$rg" sourcemaps inject "$out/runs/releasegate-$i"
  if ! diff -rq --exclude='*.map' "$out/runs/sentry-$i" "$out/runs/releasegate-$i" >&2; then
    echo "the injected JS differs between the tools" >&2
    exit 1
  fi
  echo "run $i: sentry-cli $(cut -d' ' -f1 <(tail -1 "$out/sentry.txt"))s, validate $(cut -d' ' -f1 <(tail -1 "$out/validate.txt"))s + inject $(cut -d' ' -f1 <(tail -1 "$out/inject.txt"))s" >&2
done
rm -rf "$out/runs"

# median FILE COLUMN
median() { awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
maxcol() { awk -v c="$2" 'BEGIN {m=0} $c>m {m=$c} END {print m}' "$1"; }

s_wall=$(median "$out/sentry.txt" 1)
v_wall=$(median "$out/validate.txt" 1)
i_wall=$(median "$out/inject.txt" 1)
s_cpu=$(awk '{print $2+$3}' "$out/sentry.txt" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
v_cpu=$(awk '{print $2+$3}' "$out/validate.txt" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
i_cpu=$(awk '{print $2+$3}' "$out/inject.txt" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
s_rss=$(maxcol "$out/sentry.txt" 4)
v_rss=$(maxcol "$out/validate.txt" 4)
i_rss=$(maxcol "$out/inject.txt" 4)
ours=$(awk -v a="$v_wall" -v b="$i_wall" 'BEGIN {printf "%.2f", a+b}')
ratio=$(awk -v s="$s_wall" -v o="$ours" 'BEGIN {printf "%.2f", s/o}')
load=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p bench/results
{
  echo "# Benchmark: debug-ID injection, releasegate vs sentry-cli 3.8.0"
  echo
  echo "Command: \`REPS=$reps SETTLE=$settle bash bench/inject/run.sh\` ($(date -u +%Y-%m-%d))."
  echo
  echo "Build: \`go run ./bench/genbuild -out bench/out/large -size 60MB\`: $files files (JS + maps),"
  echo "$((bytes / 1000000)) MB. Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
  echo "$(go version | cut -d' ' -f3), $("$cli" --version), load average before timing $load."
  echo "Each tool ran $reps times, each time on a fresh copy; medians of wall and CPU (user + system)"
  echo "time, and the largest peak RSS. The injected JS was byte-identical between the tools in every run."
  echo
  echo "| step | wall (median) | CPU (median) | peak RSS |"
  echo "| --- | --- | --- | --- |"
  echo "| \`sentry-cli sourcemaps inject\` | ${s_wall} s | ${s_cpu} s | $((s_rss / 1024)) MiB |"
  echo "| \`releasegate sourcemaps validate\` | ${v_wall} s | ${v_cpu} s | $((v_rss / 1024)) MiB |"
  echo "| \`releasegate sourcemaps inject\` | ${i_wall} s | ${i_cpu} s | $((i_rss / 1024)) MiB |"
  echo "| releasegate validate + inject | ${ours} s | | |"
  echo
  echo "sentry-cli inject alone ÷ releasegate validate + inject (wall): **${ratio}×** (above 1: releasegate is faster)."
} >bench/results/inject.md
cat bench/results/inject.md
