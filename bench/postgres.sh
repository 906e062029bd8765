#!/usr/bin/env bash
# PostgreSQL vs LiteDB, and one hot document shared by two processes: S1-S3 with the load
# driver, against servers this script starts (Release build) on a throwaway PostgreSQL
# (scripts/postgres.sh). Prints one line per run; figures and method are in docs/benchmarks.md.
#
#   bash bench/postgres.sh [--s1-edits N] [--out DIR]
#
# Runs, in order: LiteDB (the driver's own server) S1 S2 S3; PostgreSQL, one process, S1 S2 S3;
# PostgreSQL, two processes with the clients of the one document spread over both, S2 S3.
# Retries per commit come from the servers' Debug log of DocumentSession (one line per commit
# and per commit refused by the fence), which the two-process runs turn on.
set -euo pipefail
cd "$(dirname "$0")/.."

s1_edits=20000
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --s1-edits) s1_edits=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown option $1 (see the header of $0)"; exit 2 ;;
  esac
done
out=${out:-$(mktemp -d /tmp/collabedit-pg-bench-XXXXXX)}
mkdir -p "$out"

dotnet build src/Server -c Release --nologo -v q >/dev/null
dotnet build bench/CollabEdit.LoadDriver -c Release --nologo -v q >/dev/null
server_dll=src/Server/bin/Release/net10.0/CollabEdit.Server.dll
driver="dotnet bench/CollabEdit.LoadDriver/bin/Release/net10.0/CollabEdit.LoadDriver.dll"

pgdata=""
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -z "$pgdata" ] || bash scripts/postgres.sh stop "$pgdata"
}
trap cleanup EXIT
eval "$(bash scripts/postgres.sh start)"
pgdata=$COLLABEDIT_TEST_PGDATA

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts one server on database $1 with log $2 (extra args after); sets $started_pid and $started_url.
start_server() {
  local db=$1 log=$2; shift 2
  local port; port=$(free_port)
  # The limits per client address lifted as the driver's own server has them (ServerHost.OneAddressForAll):
  # every simulated client comes from 127.0.0.1, and S3 offers 40,000 edits/s to one document on purpose.
  dotnet "$server_dll" --urls "http://127.0.0.1:$port" --CollabEdit:Storage=Postgres \
    "--ConnectionStrings:Postgres=$COLLABEDIT_TEST_POSTGRES;Database=$db" \
    --CollabEdit:CallsPerSecondPerAddress=100000000 --CollabEdit:CallBurstPerAddress=100000000 \
    --CollabEdit:RequestsPerSecondPerAddress=100000000 --CollabEdit:RequestBurstPerAddress=100000000 \
    --CollabEdit:DocumentCreatesPerSecondPerAddress=100000000 --CollabEdit:DocumentCreateBurstPerAddress=100000000 \
    --CollabEdit:DocumentWriteBytesPerSecond=2000000000 --CollabEdit:DocumentWriteBurstBytes=2000000000 \
    "$@" >"$log" 2>&1 &
  started_pid=$!
  started_url="http://127.0.0.1:$port"
  pids+=("$started_pid")
  for _ in $(seq 1 300); do
    curl -fs "$started_url/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server did not start: $(tail -20 "$log")" >&2
  return 1
}

new_database() {
  local db="bench_$1_$RANDOM"
  runuser -u postgres -- "$COLLABEDIT_TEST_PGBIN/psql" -h 127.0.0.1 -p "$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$COLLABEDIT_TEST_POSTGRES")" -U postgres -qc "CREATE DATABASE $db" postgres
  echo "$db"
}

summary() { # scenario label json
  python3 - "$@" <<'PY'
import json, sys
scenario, label, path = sys.argv[1:4]
r = json.load(open(path))
ack = r.get("ackLatencyMs") or {}
print(f"{scenario:3} {label:34} converged={r['converged']} commits/s={r.get('commitsPerSecond')} edits/s={r.get('editsPerSecond')} "
      f"ack p50={ack.get('p50')} p99={ack.get('p99')} ms")
PY
}

scenario_args() { [ "$1" = S1 ] && echo "--edits $s1_edits" || true; }

for s in S1 S2 S3; do
  $driver "$s" $(scenario_args "$s") --no-build --server-dll "$server_dll" --json "$out/litedb-$s.json" >"$out/litedb-$s.log" 2>&1 || true
  summary "$s" "LiteDB, one process" "$out/litedb-$s.json"
done

for s in S1 S2 S3; do
  db=$(new_database one)
  start_server "$db" "$out/pg1-$s.server.log"; pid=$started_pid; url=$started_url
  $driver "$s" $(scenario_args "$s") --url "$url" --server-pid "$pid" --json "$out/pg1-$s.json" >"$out/pg1-$s.log" 2>&1 || true
  kill "$pid"; wait "$pid" 2>/dev/null || true
  summary "$s" "PostgreSQL, one process" "$out/pg1-$s.json"
done

debug=(--Logging:LogLevel:CollabEdit.Server.Documents.DocumentSession=Debug)
for s in S2 S3; do
  db=$(new_database two)
  start_server "$db" "$out/pg2-$s.a.log" "${debug[@]}"; pid1=$started_pid; url1=$started_url
  start_server "$db" "$out/pg2-$s.b.log" "${debug[@]}"; pid2=$started_pid; url2=$started_url
  $driver "$s" --url "$url1" --url "$url2" --server-pid "$pid1" --json "$out/pg2-$s.json" >"$out/pg2-$s.log" 2>&1 || true
  kill "$pid1" "$pid2"; wait "$pid1" "$pid2" 2>/dev/null || true
  summary "$s" "PostgreSQL, two processes, hot doc" "$out/pg2-$s.json"
  commits=$(cat "$out/pg2-$s.a.log" "$out/pg2-$s.b.log" | grep -c "committed up to revision" || true)
  retries=$(cat "$out/pg2-$s.a.log" "$out/pg2-$s.b.log" | grep -c "another process committed first" || true)
  echo "    commits $commits, retries $retries, retries per commit $(python3 -c "print(round($retries/max($commits,1),3))")"
done
echo "reports in $out"
