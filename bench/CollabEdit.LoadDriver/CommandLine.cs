using System.Globalization;

namespace CollabEdit.LoadDriver;

/// <summary>Scenario presets (docs/benchmarks.md) and the options that override them.</summary>
internal static class CommandLine
{
    public const string Usage = """
        usage: CollabEdit.LoadDriver [SCENARIO] [options]
               CollabEdit.LoadDriver report --dir DIR [--write docs/benchmarks.md]

        Scenarios (each a preset; options override it):
          S1     one doc, one client replaying automerge-paper as fast as acks allow
          S2     one doc, 50 clients at 10 edits/s each (trace slices), 20 s
          S3     one doc, 8 clients at 5,000 edits/s each: 40,000 edits/s offered (trace slices),
                 10 s; saturation = raise --rate until latency breaks
          S4     1,000 docs x 4 clients at 2 edits/s (trace slices), 30 s after 30 s warm-up
          S5     open a document with 100,000 ops of history cold, after a server restart
          smoke  2 docs x 3 clients typing at 20 edits/s for 3 s: convergence check only
          soak   1 doc x 12 clients at 3 edits/s beside 40 docs x 2 clients at 1 edit/s (random
                 typing), 1,800 s, one restart and one disk-full episode (data on a tmpfs; root)
                 in the middle; the server sampled every few seconds; every ack checked at the end
          abuse  an honest client's p99 ack alone, then (--duration s each) beside slow readers,
                 15 MB messages, a presence flood and a client opening 120 documents; server RSS
          custom (default) 1 doc, 1 client, trace, as fast as acks allow, 10 s

        Load:
          --docs N               documents
          --clients N            clients per document (each its own connection and section)
          --rate R|max           edits per second per client (open loop), or max: the next
                                 edit as soon as the previous one is acked
          --duration S           measured seconds (0: until the workloads end)
          --warmup S             seconds of load before measuring
          --edits N              edits per client at most (the trace slice's length)
          --workload trace|random
          --trace NAME           automerge-paper, seph-blog1, rustcode, sveltecomponent, json-crdt-patch
          --slices from-start|consecutive   every client replays the trace from its start in
                                 its own section (default), or client k the k-th consecutive slice
          --seed N
        Server:
          --url URL              target a running server (default: start one on a fresh data dir);
                                 repeat it for several processes on one database: clients are
                                 spread over them round robin (CPU/RSS are the first one's)
          --server-pid PID       its pid, for CPU and RSS figures
          --server-dll PATH      the server to start (default: src/Server/bin/CONFIG/net10.0)
          --server-cpus LIST     start it under taskset -c LIST (pin the driver with taskset yourself)
          --server-configuration Debug|Release   (default: the driver's own)
          --no-build             never build the server
          --keep-data            keep the temporary data folder
          --no-auth              do not sign in (a server from before accounts existed)
        S5:
          --history N            ops of history (100000)
          --restarts N           cold opens measured (5)
          --populate-clients N   clients writing the history (16)
        Output:
          --json PATH            write the report as JSON
          --quiet                print only the verdict
          --drain-timeout S      how long to wait for convergence (120)
          --connect-parallelism N
        Exit code: 0 converged, 1 did not converge or failed, 2 bad usage.
        """;

    public static LoadSettings Preset(string scenario) => scenario.ToUpperInvariant() switch
    {
        "S1" => new LoadSettings
        {
            Scenario = "S1",
            Description = "1 doc, 1 client replaying automerge-paper as fast as acks allow",
            Rate = null,
            DurationSeconds = 0,
        },
        "S2" => new LoadSettings
        {
            Scenario = "S2",
            Description = "1 doc, 50 clients at 10 edits/s each",
            ClientsPerDocument = 50,
            Rate = 10,
            DurationSeconds = 20,
            WarmupSeconds = 5,
        },
        "S3" => new LoadSettings
        {
            Scenario = "S3",
            Description = "1 doc, 8 clients at 5,000 edits/s each (40,000 edits/s offered, open loop)",
            ClientsPerDocument = 8,
            Rate = 5000,
            DurationSeconds = 10,
            WarmupSeconds = 5,
        },
        "S4" => new LoadSettings
        {
            Scenario = "S4",
            Description = "1,000 docs x 4 clients at 2 edits/s each",
            Documents = 1000,
            ClientsPerDocument = 4,
            Rate = 2,
            DurationSeconds = 30,

            // Connecting 4,000 clients and the server's tiered JIT leave a 10-15 s transient
            // (docs/benchmarks.md); "sustained" is measured after it.
            WarmupSeconds = 30,
        },
        "S5" => new LoadSettings
        {
            Scenario = "S5",
            Description = "open a document with 100,000 ops of history, cold, after a server restart",
        },
        "SMOKE" => new LoadSettings
        {
            Scenario = "smoke",
            Description = "2 docs x 3 clients typing at 20 edits/s for 3 s: convergence check",
            Documents = 2,
            ClientsPerDocument = 3,
            Rate = 20,
            DurationSeconds = 3,
            Workload = WorkloadKind.Random,
            DrainTimeoutSeconds = 60,
            Quiet = true,
        },
        "SOAK" => new LoadSettings
        {
            Scenario = "soak",
            Description = "1 doc x 12 clients at 3 edits/s + 40 docs x 2 clients at 1 edit/s, a restart and a full disk",
            Documents = 40,
            ClientsPerDocument = 2,
            Rate = 1,
            DurationSeconds = 1800,
            Workload = WorkloadKind.Random,
            DrainTimeoutSeconds = 120,
        },
        "ABUSE" => new LoadSettings
        {
            Scenario = "abuse",
            Description = "an honest client's ack alone, then beside slow readers, oversized messages, a presence flood and open-many",
            DurationSeconds = 30,
        },
        "CUSTOM" => new LoadSettings { Scenario = "custom", Description = "custom" },
        _ => throw new UsageException($"Unknown scenario '{scenario}'."),
    };

    public static LoadSettings Parse(IReadOnlyList<string> args)
    {
        int i = 0;
        var settings = Preset(args.Count > 0 && !args[0].StartsWith('-') ? args[i++] : "custom");
        while (i < args.Count)
        {
            string option = args[i++];
            string Value() => i < args.Count ? args[i++] : throw new UsageException($"{option} needs a value.");
            int Int() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 0 ? v : throw new UsageException($"{option} needs a whole number.");
            double Number() => double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 ? v : throw new UsageException($"{option} needs a number.");
            settings = option switch
            {
                "--docs" => settings with { Documents = Math.Max(1, Int()) },
                "--clients" => settings with { ClientsPerDocument = Math.Max(1, Int()) },
                "--rate" => Value() is "max" ? settings with { Rate = null } : settings with { Rate = ParseRate(args[i - 1]) },
                "--duration" => settings with { DurationSeconds = Number() },
                "--warmup" => settings with { WarmupSeconds = Number() },
                "--edits" => settings with { EditsPerClient = Int() },
                "--workload" => settings with { Workload = Value() switch { "trace" => WorkloadKind.Trace, "random" => WorkloadKind.Random, var w => throw new UsageException($"Unknown workload '{w}'.") } },
                "--trace" => settings with { Trace = Value() },
                "--slices" => settings with { Slices = Value() switch { "from-start" => SliceLayout.FromStart, "consecutive" => SliceLayout.Consecutive, var l => throw new UsageException($"Unknown slice layout '{l}'.") } },
                "--seed" => settings with { Seed = Int() },
                "--url" => settings.Url is null ? settings with { Url = new Uri(Value()) } : settings with { MoreUrls = [.. settings.MoreUrls, new Uri(Value())] },
                "--server-pid" => settings with { ServerPid = Int() },
                "--server-cpus" => settings with { ServerCpus = Value() },
                "--server-dll" => settings with { ServerDll = Path.GetFullPath(Value()) },
                "--server-configuration" => settings with { ServerConfiguration = Value() },
                "--no-build" => settings with { Build = false },
                "--keep-data" => settings with { KeepData = true },
                "--no-auth" => settings with { NoAuth = true },
                "--history" => settings with { HistoryOps = Math.Max(1, Int()) },
                "--restarts" => settings with { Restarts = Math.Max(1, Int()) },
                "--populate-clients" => settings with { PopulateClients = Math.Max(1, Int()) },
                "--json" => settings with { JsonPath = Path.GetFullPath(Value()) },
                "--quiet" => settings with { Quiet = true },
                "--drain-timeout" => settings with { DrainTimeoutSeconds = Number() },
                "--connect-parallelism" => settings with { ConnectParallelism = Math.Max(1, Int()) },
                _ => throw new UsageException($"Unknown option '{option}'."),
            };
        }

        if (settings.IsClosedLoop && settings.DurationSeconds == 0 && settings.Workload == WorkloadKind.Random && settings.EditsPerClient is null)
        {
            throw new UsageException("Random typing never ends: give --duration or --edits.");
        }

        if (!settings.IsClosedLoop && settings.DurationSeconds == 0 && settings.EditsPerClient is null)
        {
            throw new UsageException("An open-loop run needs --duration or --edits.");
        }

        return settings with { Description = Describe(settings, Preset(settings.Scenario)) };
    }

    /// <summary>The preset's description, plus what the command line changed in the load's shape.</summary>
    private static string Describe(LoadSettings settings, LoadSettings preset)
    {
        var changed = new List<string>();
        void Check<T>(string name, T actual, T original, Func<T, string> show)
        {
            if (!EqualityComparer<T>.Default.Equals(actual, original))
            {
                changed.Add($"{name} {show(actual)}");
            }
        }

        string Number(double v) => v.ToString(CultureInfo.InvariantCulture);
        Check("docs", settings.Documents, preset.Documents, v => v.ToString(CultureInfo.InvariantCulture));
        Check("clients per doc", settings.ClientsPerDocument, preset.ClientsPerDocument, v => v.ToString(CultureInfo.InvariantCulture));
        Check("rate", settings.Rate, preset.Rate, v => v is { } r ? Number(r) + " edits/s" : "max");
        Check("duration", settings.DurationSeconds, preset.DurationSeconds, v => Number(v) + " s");
        Check("warm-up", settings.WarmupSeconds, preset.WarmupSeconds, v => Number(v) + " s");
        Check("edits per client", settings.EditsPerClient, preset.EditsPerClient, v => v?.ToString(CultureInfo.InvariantCulture) ?? "default");
        Check("workload", settings.Workload, preset.Workload, v => v.ToString().ToLowerInvariant());
        Check("trace", settings.Trace, preset.Trace, v => v);
        Check("slices", settings.Slices, preset.Slices, v => v.ToString());
        Check("history", settings.HistoryOps, preset.HistoryOps, v => v.ToString(CultureInfo.InvariantCulture));
        return changed.Count == 0 ? preset.Description : $"{preset.Description} — changed: {string.Join(", ", changed)}";
    }

    private static double ParseRate(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double rate) && rate > 0
            ? rate
            : throw new UsageException("--rate needs a positive number or max.");
}
