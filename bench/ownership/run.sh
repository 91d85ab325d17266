#!/usr/bin/env bash
# Times `releasegate ownership check --offline` on a generated monorepo of 100,000 files and
# 2,000 rules (bench/ownership/main.go) and writes bench/results/ownership.md.
#
#   bash bench/ownership/run.sh          # from the repository root; REPS=5 by default
#
# Wall time, CPU time and peak RSS come from GNU time (apt-get install -y time). No other tool
# checks Sentry ownership rules, so there is no peer to compare with; the issue's budget is
# 2 seconds.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
reps=${REPS:-5}
repo="$root/bench/out/monorepo"
gtime=/usr/bin/time
[ -x "$gtime" ] || { echo "run: apt-get install -y time (GNU time measures peak memory)" >&2; exit 2; }
[ -d "$repo" ] || go run ./bench/ownership -out "$repo"
mkdir -p "$root/bench/out"
go build -o "$root/bench/out/releasegate" ./cmd/releasegate
rg="$root/bench/out/releasegate"

"$rg" ownership check --offline "$repo" > "$root/bench/out/ownership-check.txt" || true
summary=$(tail -n 1 "$root/bench/out/ownership-check.txt")
echo "check says: $summary" >&2

results=()
for i in $(seq "$reps"); do
  line=$("$gtime" -f '%e %U %S %M' "$rg" ownership check --offline "$repo" 2>&1 >/dev/null | tail -n 1)
  results+=("$line")
  echo "run $i: $line (wall s, user s, sys s, peak KiB)" >&2
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
wall=$(printf '%s\n' "${results[@]}" | awk '{print $1}' | median)
cpu=$(printf '%s\n' "${results[@]}" | awk '{printf "%.2f\n", $2+$3}' | median)
rss=$(printf '%s\n' "${results[@]}" | awk '{print $4}' | median)

{
  echo "# ownership check on 100,000 files and 2,000 rules"
  echo
  echo "\`REPS=$reps bash bench/ownership/run.sh\` on $(nproc) CPUs, $(date -u +%Y-%m-%d)."
  echo
  echo "| measure | median of $reps |"
  echo "|---|---|"
  echo "| wall time | ${wall} s |"
  echo "| CPU time (user + sys) | ${cpu} s |"
  echo "| peak RSS | $((rss / 1024)) MiB |"
  echo
  echo "The run lists the files with git (untracked, not ignored), reads 40 sentry.properties,"
  echo "and checks every rule for files it matches, shadowing and duplicates. Its verdict:"
  echo
  echo "    $summary"
} > "$root/bench/results/ownership.md"
cat "$root/bench/results/ownership.md"
