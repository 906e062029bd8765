#!/usr/bin/env bash
# CollabEdit vs ShareDB, back to back: S1-S3, N runs of each (interleaved, so a drift in the
# shared machine's load hits both alike), medians and the ratio CollabEdit/ShareDB written into
# docs/benchmarks.md between the load-compare markers. See docs/benchmarks.md, "Server under load".
#
#   bash bench/compare.sh [--runs N] [--scenarios "S1 S2 S3"] [--s1-edits N] [--with-postgres] [--out DIR] [--no-write]
#
# The server-bound figures of issue 17 (CPU per commit, driver-bound marks, pinning, S4, idle
# cost) come from bench/sweep.sh; this script keeps the S1-S3 comparison.
#
#   --runs N        runs per system and scenario (default 3); the table shows medians
#   --s1-edits N    replay only the first N edits of automerge-paper in S1 (default: the whole
#                   trace, 259,778 edits: about 10 minutes per CollabEdit run on 2 cores)
#   --with-postgres also ShareDB on PostgreSQL (sharedb-postgres, durable; a PostgreSQL the ShareDB
#                   driver starts and stops per run), a third column
#   --out DIR       keep the JSON reports there (default: a temporary folder, printed)
#   --no-write      print the table only
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
scenarios="S1 S2 S3"
s1_edits=""
out=""
write=1
postgres=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --s1-edits) s1_edits=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-write) write=0; shift ;;
    --with-postgres) postgres=1; shift ;;
    *) echo "unknown option $1 (see the header of $0)"; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/collabedit-compare-XXXXXX)}
mkdir -p "$out"

# Build once, so every run measures the same binaries (others may edit src/ meanwhile).
build() {
  for attempt in 1 2 3; do
    dotnet build "$1" -c Release --nologo -v q >/dev/null 2>&1 && return 0
    echo "build of $1 failed (attempt $attempt; a file lock clears up after a while)"; sleep $((10 * attempt))
  done
  return 1
}
build bench/CollabEdit.LoadDriver/CollabEdit.LoadDriver.csproj || { echo "the load driver does not build"; exit 1; }
build src/Server/CollabEdit.Server.csproj || echo "warning: the server did not build; measuring its previous build"
[ -d bench/peers/sharedb/node_modules/sharedb-postgres ] || (cd bench/peers/sharedb && npm ci --no-audit --no-fund)

driver=bench/CollabEdit.LoadDriver/bin/Release/net10.0/CollabEdit.LoadDriver.dll
failed=0
for run in $(seq "$runs"); do
  for scenario in $scenarios; do
    extra=()
    if [ "$scenario" = S1 ] && [ -n "$s1_edits" ]; then extra=(--edits "$s1_edits"); fi
    echo "== run $run of $runs: $scenario, CollabEdit then ShareDB$([ "$postgres" = 1 ] && echo " then ShareDB on PostgreSQL") (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    dotnet "$driver" "$scenario" "${extra[@]}" --no-build --json "$out/collabedit-$scenario-$run.json" | grep -E 'acked/s|commits/s|ack latency|remote latency|FAILED' || failed=1
    node bench/peers/sharedb/driver.js "$scenario" "${extra[@]}" --json "$out/sharedb-$scenario-$run.json" | grep -E 'acked/s|commits/s|ack latency|remote latency|FAILED' || failed=1
    if [ "$postgres" = 1 ]; then
      node bench/peers/sharedb/driver.js "$scenario" "${extra[@]}" --db postgres --json "$out/sharedb-postgres-$scenario-$run.json" | grep -E 'acked/s|commits/s|ack latency|remote latency|FAILED' || failed=1
    fi
  done
done

if [ "$write" = 1 ]; then
  dotnet "$driver" report --dir "$out" --write docs/benchmarks.md || failed=1
else
  dotnet "$driver" report --dir "$out" || failed=1
fi
echo "JSON reports: $out"
exit $failed
