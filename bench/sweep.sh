#!/usr/bin/env bash
# One command, one table: the server-bound sweep of issue 17 (docs/benchmarks.md, "Server-bound
# sweep"). For each load point and each system it applies to, N runs interleaved (run 1 of every
# system, then run 2, …) so a drift in the machine's load hits every system alike; medians into one
# markdown table between the sweep markers of docs/benchmarks.md.
#
#   bash bench/sweep.sh [--runs N] [--duration S] [--warmup S] [--s4-warmup S]
#                       [--systems "collabedit sharedb-mem sharedb-pg floor"] [--points "..."]
#                       [--pin] [--csharp-driver] [--idle-k K] [--out DIR] [--no-write] [--table FILE] [--quick]
#
# Every system is driven by one driver, bench/peers/sharedb/driver.js: the same schedule, worker
# threads and measurements, one client library per server (ShareDB's client; for CollabEdit and
# the floor @microsoft/signalr with MessagePack and the browser's OT client).
#
#   --runs N        runs per system and point (default 3); the table shows medians
#   --duration S    measured seconds per run (default 20)
#   --warmup S      seconds of load before measuring, one-document points (default 5)
#   --s4-warmup S   the same for S4 (default 30: thousands of connections settle first)
#   --systems LIST  collabedit (the server, LiteDB, durable), sharedb-mem (ShareDB in memory, NOT
#                   durable), sharedb-pg (ShareDB on PostgreSQL, synchronous_commit on), floor
#                   (CollabEdit.TransportFloor: SignalR + MessagePack + OT in memory, no storage)
#   --points LIST   a subset of: 8x20 32x10 8x200 8x1000 S2 S4-100 S4-250 S4-500 S4-1000 idle
#   --pin           one-document points too: server (and its PostgreSQL) on CPU 0, driver on CPU 1
#                   (S4 is always pinned so; the issue asks for the server's capacity on one core)
#   --csharp-driver CollabEdit and the floor driven by bench/CollabEdit.LoadDriver instead (same
#                   rules and JSON; not the same driver as ShareDB's, the table says which)
#   --idle-k K      documents / connections opened for the idle cost (default 200)
#   --out DIR       keep JSON reports and logs there (default: a temporary folder, printed)
#   --no-write      print the table, leave docs/benchmarks.md alone
#   --table FILE    also write the table to FILE
#   --quick         a check that every system starts, runs and converges: 1 run, 3 s, 1 s
#                   warm-ups, S4 at 100 documents only, idle K 20; implies --no-write
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
duration=20
warmup=5
s4_warmup=30
systems="collabedit sharedb-mem sharedb-pg floor"
points="8x20 32x10 8x200 8x1000 S2 S4-100 S4-250 S4-500 S4-1000 idle"
pin=0
csharp=0
idle_k=200
out=""
write=1
table_file=""
quick=0
command_line="bash bench/sweep.sh $*"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --s4-warmup) s4_warmup=$2; shift 2 ;;
    --systems) systems=$2; shift 2 ;;
    --points) points=$2; shift 2 ;;
    --pin) pin=1; shift ;;
    --csharp-driver) csharp=1; shift ;;
    --idle-k) idle_k=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-write) write=0; shift ;;
    --table) table_file=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    *) echo "unknown option $1 (see the header of $0)"; exit 2 ;;
  esac
done
if [ "$quick" = 1 ]; then
  runs=1; duration=3; warmup=1; s4_warmup=1; idle_k=20; write=0
  points=$(sed -E 's/S4-(250|500|1000)//g' <<<"$points")
fi
out=${out:-$(mktemp -d /tmp/collabedit-sweep-XXXXXX)}
mkdir -p "$out"
[ "$(nproc)" -ge 2 ] || { echo "pinning needs 2 cores"; exit 1; }

# Build once, so every run measures the same binaries (others may edit src/ meanwhile).
build() {
  for attempt in 1 2 3; do
    dotnet build "$1" -c Release --nologo -v q >/dev/null 2>&1 && return 0
    echo "build of $1 failed (attempt $attempt; a file lock clears up after a while)"; sleep $((10 * attempt))
  done
  return 1
}
build bench/CollabEdit.LoadDriver/CollabEdit.LoadDriver.csproj || { echo "the load driver does not build"; exit 1; }
build src/Server/CollabEdit.Server.csproj || { echo "the server does not build"; exit 1; }
build bench/CollabEdit.TransportFloor/CollabEdit.TransportFloor.csproj || { echo "the transport floor does not build"; exit 1; }
[ -d bench/peers/sharedb/node_modules/@microsoft/signalr-protocol-msgpack ] || (cd bench/peers/sharedb && npm ci --no-audit --no-fund)

driver_dll=bench/CollabEdit.LoadDriver/bin/Release/net10.0/CollabEdit.LoadDriver.dll
server_dll=src/Server/bin/Release/net10.0/CollabEdit.Server.dll
floor_dll=bench/CollabEdit.TransportFloor/bin/Release/net10.0/CollabEdit.TransportFloor.dll

# Everything this script starts is stopped on the way out: the driver of the run under way (it
# stops its server and PostgreSQL on SIGINT), what that driver left, and a transport floor.
driver_pid=""
floor_pid=""
stop_pid() { # pid: SIGINT, then SIGTERM, then SIGKILL
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -INT "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  if [ -n "$driver_pid" ]; then
    local children; children=$(ps -o pid= --ppid "$driver_pid" 2>/dev/null || true)
    stop_pid "$driver_pid"
    for child in $children; do stop_pid "$child"; done
  fi
  [ -z "$floor_pid" ] || stop_pid "$floor_pid"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A point: docs clients rate warm-up pinned?
point_shape() {
  case "$1" in
    8x20) echo "1 8 20 $warmup $pin" ;;
    32x10) echo "1 32 10 $warmup $pin" ;;
    8x200) echo "1 8 200 $warmup $pin" ;;
    8x1000) echo "1 8 1000 $warmup $pin" ;;
    S2) echo "1 50 10 $warmup $pin" ;;
    S4-*) echo "${1#S4-} 4 2 $s4_warmup 1" ;;
    *) return 1 ;;
  esac
}

# Runs one driver in the background (so the trap can stop it) and waits for it.
run_driver() { # log, then the command
  local log=$1; shift
  "$@" >"$log" 2>&1 &
  driver_pid=$!
  local rc=0
  wait "$driver_pid" || rc=$?
  driver_pid=""
  return $rc
}

start_floor() { # cpus-or-empty; sets floor_pid, floor_url
  local port; port=$(free_port)
  local prefix=()
  [ -z "$1" ] || prefix=(taskset -c "$1")
  "${prefix[@]}" dotnet "$floor_dll" --urls "http://127.0.0.1:$port" >"$out/floor-$port.log" 2>&1 &
  floor_pid=$!
  floor_url="http://127.0.0.1:$port"
  for _ in $(seq 300); do
    curl -fs "$floor_url/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the transport floor did not start: $(tail -5 "$out/floor-$port.log")" >&2
  return 1
}

# One run of one system at one load: docs clients rate warmup duration pinned json log
run_one() {
  local system=$1 docs=$2 clients=$3 rate=$4 wu=$5 dur=$6 pinned=$7 json=$8 log=$9
  local driver_prefix=() server_cpus=()
  if [ "$pinned" = 1 ]; then driver_prefix=(taskset -c 1); server_cpus=(--server-cpus 0); fi
  local load=(--docs "$docs" --clients "$clients" --rate "$rate" --duration "$dur" --warmup "$wu" --json "$json")
  local node_driver=(node bench/peers/sharedb/driver.js)
  case "$system" in
    collabedit)
      if [ "$csharp" = 1 ]; then
        run_driver "$log" "${driver_prefix[@]}" dotnet "$driver_dll" "${load[@]}" --no-build --server-dll "$server_dll" "${server_cpus[@]}"
      else
        run_driver "$log" "${driver_prefix[@]}" "${node_driver[@]}" --system collabedit "${load[@]}" --server-dll "$server_dll" "${server_cpus[@]}"
      fi ;;
    floor)
      start_floor "$([ "$pinned" = 1 ] && echo 0 || true)" || return 1
      local rc=0
      if [ "$csharp" = 1 ]; then
        run_driver "$log" "${driver_prefix[@]}" dotnet "$driver_dll" "${load[@]}" --url "$floor_url" --server-pid "$floor_pid" || rc=$?
      else
        run_driver "$log" "${driver_prefix[@]}" "${node_driver[@]}" --system collabedit "${load[@]}" --url "$floor_url" --server-pid "$floor_pid" || rc=$?
      fi
      stop_pid "$floor_pid"; floor_pid=""
      # The JSON names the system the driver saw; this one is the floor.
      [ ! -f "$json" ] || python3 - "$json" <<'PY'
import json, sys
p = sys.argv[1]; r = json.load(open(p)); r["system"] = "floor"; r["durable"] = False
json.dump(r, open(p, "w"), indent=2)
PY
      return $rc ;;
    sharedb-mem)
      run_driver "$log" "${driver_prefix[@]}" "${node_driver[@]}" "${load[@]}" "${server_cpus[@]}" ;;
    sharedb-pg)
      run_driver "$log" "${driver_prefix[@]}" "${node_driver[@]}" "${load[@]}" --db postgres "${server_cpus[@]}" ;;
    *) echo "unknown system $system" >&2; return 2 ;;
  esac
}

manifest="$out/manifest.tsv"
: >"$manifest"
failed=0
started=$(date +%s)
for run in $(seq "$runs"); do
  for point in $points; do
    for system in $systems; do
      if [ "$point" = idle ]; then
        # Idle cost: a fresh server's RSS, then K documents with one client each, then one
        # document with K clients; RSS read once connected, before any edit (serverCost).
        for shape in docs conns; do
          if [ "$shape" = docs ]; then d=$idle_k; c=1; else d=1; c=$idle_k; fi
          json="$out/idle-$shape-$system-$run.json"
          load=$(cut -d' ' -f1-3 /proc/loadavg)
          echo "== run $run/$runs idle ($shape, K=$idle_k) $system (load average $load)"
          rc=0; run_one "$system" "$d" "$c" 0.2 0 1 "$pin" "$json" "${json%.json}.log" || rc=$?
          [ "$rc" = 0 ] || { failed=1; echo "   FAILED (exit $rc): see ${json%.json}.log"; }
          printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "idle-$shape" "$system" "$run" "$json" "$load" "$pin" "$rc" >>"$manifest"
        done
        continue
      fi
      read -r docs clients rate wu pinned < <(point_shape "$point") || { echo "unknown point $point"; exit 2; }
      json="$out/$point-$system-$run.json"
      load=$(cut -d' ' -f1-3 /proc/loadavg)
      echo "== run $run/$runs $point ($docs doc(s) x $clients clients x $rate/s$([ "$pinned" = 1 ] && echo ", pinned")) $system (load average $load)"
      rc=0; run_one "$system" "$docs" "$clients" "$rate" "$wu" "$duration" "$pinned" "$json" "${json%.json}.log" || rc=$?
      [ "$rc" = 0 ] || { failed=1; echo "   FAILED (exit $rc): see ${json%.json}.log"; }
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$point" "$system" "$run" "$json" "$load" "$pinned" "$rc" >>"$manifest"
    done
  done
done
echo "sweep took $(( $(date +%s) - started )) s"

report=(python3 bench/sweep_table.py --manifest "$manifest" --command "$command_line" --runs "$runs" --duration "$duration")
[ -z "$table_file" ] || report+=(--table "$table_file")
[ "$write" = 0 ] || report+=(--write docs/benchmarks.md)
"${report[@]}" || failed=1
echo "JSON reports and logs: $out"
exit $failed
