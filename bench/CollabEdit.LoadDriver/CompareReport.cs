using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CollabEdit.LoadDriver;

/// <summary>
/// <c>report --dir DIR [--write FILE]</c>: reads the JSON reports of CollabEdit and ShareDB runs
/// in DIR, takes the median of each figure over the runs that converged, and prints a markdown
/// comparison (with the ratio CollabEdit / ShareDB). With <c>--write</c> it replaces the text
/// between the markers below in FILE (docs/benchmarks.md).
/// </summary>
internal static class CompareReport
{
    public const string Begin = "<!-- load-compare:begin (written by bench/compare.sh; edits inside are overwritten) -->";
    public const string End = "<!-- load-compare:end -->";

    private static readonly (string Name, Func<RunReport, double?> Value)[] Figures =
    [
        ("edits acked/s", r => r.EditsPerSecond),
        ("commits/s", r => r.CommitsPerSecond),
        ("ack latency p50 (ms)", r => r.AckLatencyMs?.P50),
        ("ack latency p95 (ms)", r => r.AckLatencyMs?.P95),
        ("ack latency p99 (ms)", r => r.AckLatencyMs?.P99),
        ("ack latency max (ms)", r => r.AckLatencyMs?.Max),
        ("remote latency p50 (ms)", r => r.RemoteLatencyMs?.P50),
        ("remote latency p95 (ms)", r => r.RemoteLatencyMs?.P95),
        ("remote latency p99 (ms)", r => r.RemoteLatencyMs?.P99),
        ("remote latency max (ms)", r => r.RemoteLatencyMs?.Max),
        ("driver schedule lag p99 (ms)", r => r.ScheduleLagMs?.P99),
        ("server CPU (cores)", r => r.Server?.CpuCores),
        ("server CPU-µs per commit", r => r.ServerCost?.CpuMicrosPerCommit),
        ("server CPU-µs per delivered message", r => r.ServerCost?.CpuMicrosPerDeliveredMessage),
        ("server peak RSS in the window (MiB)", r => r.Server?.PeakRssMiB),
        ("driver CPU (cores)", r => r.Driver?.CpuCores),
        ("runs driver-bound (figures are the driver's)", r => r.DriverCheck is { } check ? (check.DriverBound ? 1 : 0) : null),
        ("measured window (s)", r => r.WindowSeconds),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        string? dir = null;
        string? write = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--dir" when i + 1 < args.Length:
                    dir = args[++i];
                    break;
                case "--write" when i + 1 < args.Length:
                    write = args[++i];
                    break;
                default:
                    throw new UsageException($"report: unknown argument '{args[i]}'.");
            }
        }

        if (dir is null)
        {
            throw new UsageException("report needs --dir DIR (the JSON reports).");
        }

        var reports = new List<RunReport>();
        foreach (string file in Directory.EnumerateFiles(dir, "*.json").Order())
        {
            await using var stream = File.OpenRead(file);
            if (await JsonSerializer.DeserializeAsync<RunReport>(stream, ReportPrinter.Json).ConfigureAwait(false) is { } report)
            {
                reports.Add(report);
            }
        }

        if (reports.Count == 0)
        {
            output.WriteLine($"No reports in {dir}.");
            return 1;
        }

        string markdown = Markdown(reports);
        output.WriteLine(markdown);
        if (write is not null)
        {
            await WriteSectionAsync(write, markdown).ConfigureAwait(false);
            output.WriteLine($"Written to {write}.");
        }

        return reports.All(r => r.Converged) ? 0 : 1;
    }

    private static string Markdown(List<RunReport> reports)
    {
        var text = new StringBuilder();
        var machine = reports[0].Machine;
        var runs = reports.GroupBy(r => (r.Scenario, r.System)).ToDictionary(g => g.Key, g => g.ToList());
        int perCell = runs.Values.Max(v => v.Count);
        text.AppendLine(CultureInfo.InvariantCulture, $"Medians of {perCell} runs per system and scenario, {reports.Min(r => r.StartedAt):yyyy-MM-dd}. Each run starts its own server on a fresh data folder (CollabEdit) or a fresh in-memory database (ShareDB).");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine.Cpu}, {machine.Cores} cores, {machine.Os}, Linux {machine.Kernel}, {machine.Runtime}; node for ShareDB: {reports.FirstOrDefault(r => r.System == "sharedb")?.Machine.Runtime ?? "—"}. Load averages at the start of the runs: {string.Join(", ", reports.Select(r => r.Machine.LoadAverageAtStart.Split(' ')[0]).Distinct().Take(8))} (shared machine; the driver runs on the same 2 cores).");
        text.AppendLine();
        text.AppendLine("**ShareDB's figures are with its default in-memory database: NOT durable (an ack means the op is in the server's memory). CollabEdit acks only after the op is on disk (its write journal fdatasynced; the LiteDB file gets it in a row of ops soon after, and from the journal after a crash).**");
        foreach (string scenario in runs.Keys.Select(k => k.Scenario).Distinct().Order())
        {
            runs.TryGetValue((scenario, "collabedit"), out var ours);
            runs.TryGetValue((scenario, "sharedb"), out var theirs);
            runs.TryGetValue((scenario, "sharedb-postgres"), out var durable);
            var description = (ours ?? theirs ?? durable)![0];
            text.AppendLine();
            string span = description.Config.DurationSeconds > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{description.Config.DurationSeconds} s measured after {description.Config.WarmupSeconds} s warm-up")
                : string.Create(CultureInfo.InvariantCulture, $"until each client's {description.Config.EditsPerClient:N0} edits are acked");
            text.AppendLine(CultureInfo.InvariantCulture, $"**{scenario}** — {description.Description}; {description.Config.Workload}, rate {description.Config.Rate}, {span}.");
            text.AppendLine();
            bool withPostgres = durable is not null;
            text.AppendLine(withPostgres
                ? "| figure | CollabEdit (durable) | ShareDB (in-memory, not durable) | CollabEdit / ShareDB | ShareDB on PostgreSQL (durable) |"
                : "| figure | CollabEdit (durable) | ShareDB (in-memory, not durable) | CollabEdit / ShareDB |");
            text.AppendLine(withPostgres ? "|---|---:|---:|---:|---:|" : "|---|---:|---:|---:|");
            text.AppendLine(CultureInfo.InvariantCulture, $"| runs converged | {Converged(ours)} | {Converged(theirs)} | |{(withPostgres ? $" {Converged(durable)} |" : "")}");
            foreach (var (name, value) in Figures)
            {
                bool count = name.StartsWith("runs ", StringComparison.Ordinal);
                double? a = count ? Sum(ours, value) : Median(ours, value);
                double? b = count ? Sum(theirs, value) : Median(theirs, value);
                double? c = count ? Sum(durable, value) : Median(durable, value);
                if (a is null && b is null && c is null)
                {
                    continue;
                }

                string ratio = !count && a is { } x && b is { } y && y != 0 ? (x / y).ToString("0.00", CultureInfo.InvariantCulture) : "—";
                Func<double?, string> show = count ? v => v?.ToString("0", CultureInfo.InvariantCulture) ?? "—" : Format;
                text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {show(a)} | {show(b)} | {ratio} |{(withPostgres ? $" {show(c)} |" : "")}");
            }
        }

        return text.ToString().TrimEnd();
    }

    private static async Task WriteSectionAsync(string path, string markdown)
    {
        string document = await File.ReadAllTextAsync(path).ConfigureAwait(false);
        string generated = $"{Begin}\n{markdown}\n{End}";
        int begin = document.IndexOf(Begin, StringComparison.Ordinal);
        int end = document.IndexOf(End, StringComparison.Ordinal);
        document = begin >= 0 && end > begin
            ? document[..begin] + generated + document[(end + End.Length)..]
            : document.TrimEnd() + "\n\n## Server under load: CollabEdit vs ShareDB\n\n" + generated + "\n";
        await File.WriteAllTextAsync(path, document).ConfigureAwait(false);
    }

    private static string Converged(List<RunReport>? runs) =>
        runs is null ? "—" : $"{runs.Count(r => r.Converged)} of {runs.Count}";

    private static double? Sum(List<RunReport>? runs, Func<RunReport, double?> value) =>
        runs?.Where(r => r.Converged).Select(value).OfType<double>().Sum() is { } sum && runs.Any(r => r.Converged && value(r) is not null) ? sum : null;

    private static double? Median(List<RunReport>? runs, Func<RunReport, double?> value)
    {
        var values = runs?.Where(r => r.Converged).Select(value).OfType<double>().Order().ToList();
        if (values is null || values.Count == 0)
        {
            return null;
        }

        int mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    private static string Format(double? value) => value switch
    {
        null => "—",
        >= 100 => value.Value.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => value.Value.ToString("N1", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("0.00", CultureInfo.InvariantCulture),
    };
}
