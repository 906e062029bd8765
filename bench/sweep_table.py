#!/usr/bin/env python3
"""The table of bench/sweep.sh: medians of the runs in a sweep's manifest, as markdown.

    python3 bench/sweep_table.py --manifest DIR/manifest.tsv --command "..." [--write docs/benchmarks.md] [--table FILE]

The manifest has one line per run: point, system, run, JSON path, load average before it,
pinned (0/1), exit code. Both drivers write the same JSON shape (RunReport.cs).
"""
import argparse
import json
import statistics
from datetime import datetime, timezone

BEGIN = "<!-- sweep:begin (written by bench/sweep.sh; edits inside are overwritten) -->"
END = "<!-- sweep:end -->"
SYSTEMS = {
    "collabedit": "CollabEdit (LiteDB, durable)",
    "sharedb-mem": "ShareDB in memory (NOT durable)",
    "sharedb-pg": "ShareDB on PostgreSQL (durable)",
    "floor": "transport floor (no storage)",
}
POINTS = {
    "8x20": "1 doc, 8 clients x 20 edits/s",
    "32x10": "1 doc, 32 x 10/s",
    "8x200": "1 doc, 8 x 200/s",
    "8x1000": "1 doc, 8 x 1,000/s",
    "S2": "S2: 1 doc, 50 x 10/s",
    "S4-100": "S4: 100 docs x 4 x 2/s",
    "S4-250": "S4: 250 docs x 4 x 2/s",
    "S4-500": "S4: 500 docs x 4 x 2/s",
    "S4-1000": "S4: 1,000 docs x 4 x 2/s",
}


def get(report, path):
    value = report
    for key in path.split("."):
        if not isinstance(value, dict) or value.get(key) is None:
            return None
        value = value[key]
    return value


def median(reports, path):
    values = [v for v in (get(r, path) for r in reports) if isinstance(v, (int, float))]
    return statistics.median(values) if values else None


def fmt(value):
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def load_runs(manifest):
    runs = []
    with open(manifest) as f:
        for line in f:
            point, system, run, path, load, pinned, rc = line.rstrip("\n").split("\t")
            try:
                with open(path) as j:
                    report = json.load(j)
            except (OSError, ValueError):
                report = None
            runs.append({"point": point, "system": system, "run": int(run), "report": report,
                         "load": load, "pinned": pinned == "1", "rc": int(rc)})
    return runs


def load_table(runs):
    rows = [
        "| load | system | runs ok | ack p50 (ms) | ack p99 (ms) | edits acked/s | commits/s | server CPU (cores) "
        "| server CPU-µs / commit | server CPU-µs / delivered msg | server RSS end / peak (MiB) "
        "| driver timer lag p99 (ms) | driver CPU (cores) | driver kept schedule? |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    order = [p for p in POINTS if any(r["point"] == p for r in runs)]
    systems = [s for s in SYSTEMS if any(r["system"] == s for r in runs)]
    for point in order:
        for system in systems:
            mine = [r for r in runs if r["point"] == point and r["system"] == system]
            if not mine:
                continue
            ok = [r["report"] for r in mine if r["report"] and r["report"].get("converged")]
            bound = [r for r in ok if get(r, "driverCheck.driverBound")]
            # A figure from a run where the driver was the limit is the driver's: marked †.
            mark = " †" if bound else ""
            pinned = " (pinned)" if mine[0]["pinned"] else ""
            verdict = "yes" if not bound else f"**driver-bound** in {len(bound)} of {len(ok)}: " + "; ".join(
                sorted({reason for r in bound for reason in get(r, "driverCheck.reasons") or []}))
            rows.append(
                f"| {POINTS[point]}{pinned} | {SYSTEMS[system]} | {len(ok)} of {len(mine)} "
                f"| {fmt(median(ok, 'ackLatencyMs.p50'))}{mark} | {fmt(median(ok, 'ackLatencyMs.p99'))}{mark} "
                f"| {fmt(median(ok, 'editsPerSecond'))}{mark} | {fmt(median(ok, 'commitsPerSecond'))}{mark} "
                f"| {fmt(median(ok, 'server.cpuCores'))}"
                + (f" + {fmt(median(ok, 'database.cpuCores'))} PostgreSQL" if median(ok, 'database.cpuCores') is not None else "")
                + f" | {fmt(median(ok, 'serverCost.cpuMicrosPerCommit'))} | {fmt(median(ok, 'serverCost.cpuMicrosPerDeliveredMessage'))} "
                f"| {fmt(median(ok, 'server.rssMiB'))} / {fmt(median(ok, 'server.peakRssMiB'))} "
                f"| {fmt(median(ok, 'driverCheck.timerLagMs.p99'))} | {fmt(median(ok, 'driverCheck.cpuCores'))} | {verdict} |")
    return rows


def idle_table(runs):
    systems = [s for s in SYSTEMS if any(r["system"] == s and r["point"].startswith("idle-") for r in runs)]
    if not systems:
        return []
    rows = [
        "| system | fresh server RSS (MiB) | per open document, with its one connection (KiB) | per connection to one document (KiB) | K |",
        "|---|---:|---:|---:|---:|",
    ]
    for system in systems:
        def per(shape):
            values = []
            fresh = []
            k = None
            for r in runs:
                report = r["report"]
                if r["system"] != system or r["point"] != f"idle-{shape}" or not report or not report.get("converged"):
                    continue
                config = report["config"]
                k = config["documents"] if shape == "docs" else config["clientsPerDocument"]
                a, b = get(report, "serverCost.freshRssMiB"), get(report, "serverCost.connectedRssMiB")
                if a is not None and b is not None:
                    values.append((b - a) * 1024 / k)
                    fresh.append(a)
            return (statistics.median(values) if values else None), fresh, k
        per_doc, fresh_a, k = per("docs")
        per_conn, fresh_b, _ = per("conns")
        fresh = fresh_a + fresh_b
        rows.append(f"| {SYSTEMS[system]} | {fmt(statistics.median(fresh) if fresh else None)} | {fmt(per_doc)} | {fmt(per_conn)} | {k or '—'} |")
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--command", default="bash bench/sweep.sh")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", default="20")
    parser.add_argument("--write")
    parser.add_argument("--table")
    args = parser.parse_args()
    runs = load_runs(args.manifest)
    if not runs:
        print("no runs in the manifest")
        return 1
    machines = [r["report"]["machine"] for r in runs if r["report"] and r["report"].get("machine")]
    runtimes = sorted({m["runtime"] for m in machines})
    drivers = sorted({f'{SYSTEMS.get(r["system"], r["system"])}: {"node driver" if r["report"].get("driverName") == "node" else "C# driver (bench/CollabEdit.LoadDriver)"}'
                      for r in runs if r["report"]})
    m = machines[0] if machines else {"cpu": "?", "cores": "?", "os": "?", "kernel": "?"}
    day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    lines = [
        f"Medians of {args.runs} run(s) per system and point, {day}; {args.duration} s measured per run. Command: `{args.command}`.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['os']}, Linux {m['kernel']}; {'; '.join(runtimes)}.",
        "",
        "Drivers: " + "; ".join(drivers) + ".",
        "",
        "Load average before each run, in order: " + ", ".join(r["load"].split()[0] for r in runs) + ".",
        "",
        "(pinned): the server (and ShareDB's PostgreSQL) on CPU 0 with `taskset`, the driver on CPU 1. "
        "Server CPU counts the server process only over the measured window; for ShareDB on PostgreSQL the CPU-µs "
        "per commit and per message count node and PostgreSQL together. † marks a figure from runs where the driver "
        "was the limit (see the last column): the driver's number, not the server's.",
        "",
        *load_table(runs),
        "",
        *idle_table(runs),
    ]
    failed = [r for r in runs if r["rc"] != 0 or not (r["report"] and r["report"].get("converged"))]
    if failed:
        lines += ["", "Runs that failed or did not converge (no figures): " + ", ".join(
            f"{r['point']} {r['system']} run {r['run']}" for r in failed) + "."]
    text = "\n".join(lines).rstrip() + "\n"
    print(text)
    if args.table:
        with open(args.table, "w") as f:
            f.write(text)
    if args.write:
        with open(args.write) as f:
            doc = f.read()
        if BEGIN not in doc or END not in doc:
            print(f"no sweep markers in {args.write}")
            return 1
        before, rest = doc.split(BEGIN, 1)
        _, after = rest.split(END, 1)
        with open(args.write, "w") as f:
            f.write(before + BEGIN + "\n" + text + END + after)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
