#!/usr/bin/env bash
# The timeslider's cost on a long history: one document with N edits of automerge-paper written
# through the server (the load driver's S1 against a server this script starts, Release build, a
# fresh LiteDB data folder), then each timeslider position timed as the page loads it: the text
# at the revision (GET /revisions/{n}) and its authorship (GET /authorship?revision=n), at
# random revisions and in steps of one edit near r0 and near the end.
# Prints p50/p95/p99/max per kind of position; figures and method are in docs/benchmarks.md.
#
#   bash bench/scrub.sh [--edits N] [--samples K] [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

edits=100000
samples=200
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --edits) edits=$2; shift 2 ;;
    --samples) samples=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "unknown option $1 (see the header of $0)"; exit 2 ;;
  esac
done

if [ "$build" = 1 ]; then
  dotnet build src/Server -c Release --nologo -v q >/dev/null
  dotnet build bench/CollabEdit.LoadDriver -c Release --nologo -v q >/dev/null
fi
server_dll=src/Server/bin/Release/net10.0/CollabEdit.Server.dll
driver=bench/CollabEdit.LoadDriver/bin/Release/net10.0/CollabEdit.LoadDriver.dll

data=$(mktemp -d /tmp/collabedit-scrub-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
server_pid=""
cleanup() {
  [ -z "$server_pid" ] || { kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; }
  rm -rf "$data"
}
trap cleanup EXIT

dotnet "$server_dll" --urls "$base" --CollabEdit:DataPath="$data/db" --Logging:LogLevel:Default=Warning >"$data/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done

echo "writing $edits edits of automerge-paper through the server (S1)..."
dotnet "$driver" S1 --url "$base" --server-pid "$server_pid" --edits "$edits" --no-build --quiet

token=$(curl -sf -H 'content-type: application/json' -d '{"userName":"loaddriver","password":"load driver password"}' \
  "$base/api/account/signin?token=true" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])')
auth=(-H "authorization: Bearer $token")
read -r doc head < <(curl -sf "${auth[@]}" "$base/api/documents" | python3 -c '
import json, sys
d = max(json.load(sys.stdin), key=lambda d: d["revision"])
print(d["id"], d["revision"])')
echo "document $doc at r$head"

# One position: both requests as the page makes them (one after the other), in milliseconds.
position() {
  local a b
  a=$(curl -sf -o /dev/null -w '%{time_total}' "${auth[@]}" "$base/api/documents/$doc/revisions/$1")
  b=$(curl -sf -o /dev/null -w '%{time_total}' "${auth[@]}" "$base/api/documents/$doc/authorship?revision=$1")
  python3 -c "print(round(($a + $b) * 1000, 2))"
}
summary() {
  python3 -c '
import sys
name = sys.argv[1]
v = sorted(float(x) for x in sys.stdin.read().split())
q = lambda p: v[min(len(v) - 1, int(p * len(v)))]
print(f"{name:<28} n={len(v):<4} p50={q(0.50):7.2f} ms  p95={q(0.95):7.2f} ms  p99={q(0.99):7.2f} ms  max={v[-1]:7.2f} ms")' "$1"
}

position "$head" >/dev/null  # warm-up
{ for _ in $(seq "$samples"); do position $(((RANDOM * 32768 + RANDOM) % (head + 1))); done; } | summary "random revisions"
{ for r in $(seq 0 $((samples - 1))); do position "$r"; done; } | summary "steps from r0"
{ for r in $(seq $((head - samples + 1)) "$head"); do position "$r"; done; } | summary "steps to r$head"
echo "server RSS: $(awk '/VmRSS/ {print $2 / 1024 " MiB"}' /proc/$server_pid/status)"
