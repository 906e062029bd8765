#!/usr/bin/env bash
# What access control costs under load: today's server (accounts, one authorizer on every call,
# sessions checked) against the last server before access control, built from git history.
# S2 and S4 on each, alternating old, new, old, new (so a drift in the shared machine's load hits
# both alike), --runs times each; prints the medians of p50 and p99 ack latency and server CPU.
# The old server has no accounts: the driver runs against it with --no-auth.
#
#   bash bench/auth-overhead.sh [--runs N] [--scenarios "S2 S4"] [--duration S] [--warmup S]
#                               [--s4-docs N] [--before COMMIT] [--out DIR]
#
#   --runs N        runs per server and scenario (default 3)
#   --duration S    measured seconds per run (default: the scenario's own, 20 s S2, 30 s S4)
#   --warmup S      warm-up seconds per run (default: the scenario's own)
#   --s4-docs N     documents in S4 (default: the scenario's 1,000)
#   --before COMMIT the old server's commit (default: the parent of the first commit on this
#                   branch's first-parent history that touched src/Server/Access)
#   --out DIR       keep the JSON reports there (default: a temporary folder, printed)
#
# A quick check that the script works (not figures): --runs 1 --duration 5 --warmup 1 --s4-docs 20
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
scenarios="S2 S4"
duration=""
warmup=""
s4_docs=""
before=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --s4-docs) s4_docs=$2; shift 2 ;;
    --before) before=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)"; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/collabedit-auth-overhead-XXXXXX)}
mkdir -p "$out"

if [ -z "$before" ]; then
  first_access=$(git rev-list --first-parent --reverse HEAD -- src/Server/Access | sed -n 1p)
  [ -n "$first_access" ] || { echo "no commit touches src/Server/Access: give --before"; exit 2; }
  before=$(git rev-parse "$first_access^1")
fi
echo "old server: $(git log --format='%h %s' -1 "$before" | cut -c1-100)"
echo "new server: $(git log --format='%h %s' -1 HEAD | cut -c1-100)$(git diff --quiet HEAD -- src || echo ' (plus uncommitted changes)')"

build() {
  for attempt in 1 2 3; do
    dotnet build "$1" -c Release --nologo -v q >/dev/null 2>&1 && return 0
    echo "build of $1 failed (attempt $attempt; a file lock clears up after a while)"; sleep $((10 * attempt))
  done
  return 1
}

# The old server from git history, in a folder of its own (its own wwwroot bundle and obj/).
old_tree="$out/old-server-src"
if [ ! -f "$old_tree/.commit" ] || [ "$(cat "$old_tree/.commit")" != "$before" ]; then
  rm -rf "$old_tree"
  mkdir -p "$old_tree"
  git archive "$before" | tar -x -C "$old_tree"
  echo "$before" > "$old_tree/.commit"
fi
build "$old_tree/src/Server/CollabEdit.Server.csproj" || { echo "the old server does not build"; exit 1; }
build src/Server/CollabEdit.Server.csproj || { echo "today's server does not build"; exit 1; }
build bench/CollabEdit.LoadDriver/CollabEdit.LoadDriver.csproj || { echo "the load driver does not build"; exit 1; }

driver=bench/CollabEdit.LoadDriver/bin/Release/net10.0/CollabEdit.LoadDriver.dll
old_dll="$old_tree/src/Server/bin/Release/net10.0/CollabEdit.Server.dll"
new_dll=src/Server/bin/Release/net10.0/CollabEdit.Server.dll

failed=0
for run in $(seq "$runs"); do
  for scenario in $scenarios; do
    extra=(--no-build)
    [ -n "$duration" ] && extra+=(--duration "$duration")
    [ -n "$warmup" ] && extra+=(--warmup "$warmup")
    [ "$scenario" = S4 ] && [ -n "$s4_docs" ] && extra+=(--docs "$s4_docs")
    for system in old new; do
      echo "== run $run of $runs: $scenario on the $system server (load average $(cut -d' ' -f1-3 /proc/loadavg))"
      if [ "$system" = old ]; then
        args=(--server-dll "$old_dll" --no-auth)
      else
        args=(--server-dll "$new_dll")
      fi
      dotnet "$driver" "$scenario" "${extra[@]}" "${args[@]}" --json "$out/$system-$scenario-$run.json" \
        | grep -E 'acked/s|ack latency|server CPU|FAILED|converged' || failed=1
    done
  done
done

python3 - "$out" "$runs" $scenarios <<'EOF'
import json, os, statistics, sys

out, runs, scenarios = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
print()
print(f"Medians of {runs} run(s) each (ack latency in ms, server CPU in cores over the window):")
print(f"{'scenario':<9}{'server':<8}{'runs':>5}{'p50 ack':>10}{'p99 ack':>10}{'CPU':>8}")
for scenario in scenarios:
    for system in ("old", "new"):
        reports = []
        for run in range(1, runs + 1):
            path = os.path.join(out, f"{system}-{scenario}-{run}.json")
            if os.path.exists(path):
                with open(path) as f:
                    reports.append(json.load(f))
        ok = [r for r in reports if r.get("converged") and r.get("ackLatencyMs")]
        def median(values):
            values = [v for v in values if v is not None]
            return f"{statistics.median(values):.2f}" if values else "-"
        p50 = median([r["ackLatencyMs"]["p50"] for r in ok])
        p99 = median([r["ackLatencyMs"]["p99"] for r in ok])
        cpu = median([(r.get("server") or {}).get("cpuCores") for r in ok])
        print(f"{scenario:<9}{system:<8}{len(ok):>5}{p50:>10}{p99:>10}{cpu:>8}")
EOF
echo "JSON reports: $out"
exit $failed
