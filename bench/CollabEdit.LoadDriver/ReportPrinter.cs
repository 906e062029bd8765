using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CollabEdit.LoadDriver;

/// <summary>The report as a table on the console and as JSON for comparing runs.</summary>
internal static class ReportPrinter
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static void Print(RunReport report, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"{report.System} {report.Scenario}: {report.Description}");
        output.WriteLine(report.Scenario == "S5"
            ? $"  history written by {report.Config.ClientsPerDocument} closed-loop clients ({report.Config.Workload}), one commit per edit"
            : $"  load: {report.Config.Documents} doc(s) x {report.Config.ClientsPerDocument} client(s), {report.Config.Workload}, rate {report.Config.Rate}, "
                + $"{F(report.Config.DurationSeconds)} s measured after {F(report.Config.WarmupSeconds)} s warm-up, up to {report.Config.EditsPerClient:N0} edits per client");
        output.WriteLine($"  server: {report.Config.Server}{(report.Durable ? "" : " — NOT durable: acks come before anything is on disk")}");
        output.WriteLine($"  machine: {report.Machine}");
        if (!report.Converged)
        {
            output.WriteLine("  FAILED: the run did not converge; no figures.");
            foreach (string failure in report.Failures)
            {
                output.WriteLine($"    {failure}");
            }

            return;
        }

        var rows = new List<(string, string)>();
        if (report.ColdOpen is { } cold)
        {
            rows.Add(("history", $"{cold.HistoryOps:N0} ops, text {cold.DocumentLength:N0} units (populated in {F(cold.PopulateSeconds)} s)"));
            rows.Add(("first Open after restart (median)", $"{F(cold.FirstOpenMedianMs)} ms   [{string.Join(", ", cold.FirstOpenMs.Select(v => F(v)))}]"));
            rows.Add(("Open after a warm-up doc (median)", $"{F(cold.WarmOpenMedianMs)} ms   [{string.Join(", ", cold.WarmOpenMs.Select(v => F(v)))}]"));
            rows.Add(("page cache evicted", cold.PageCacheEvicted ? "yes (posix_fadvise DONTNEED on the LiteDB file)" : "no"));
        }
        else
        {
            rows.Add(("window", $"{F(report.WindowSeconds)} s"));
            rows.Add(("edits acked/s", $"{F(report.EditsPerSecond)}  ({report.EditsAcked:N0} edits; {report.EditsMade:N0} made in all)"));
            rows.Add(("commits/s", $"{F(report.CommitsPerSecond)}  ({report.Commits:N0} commits; {Ratio(report.EditsAcked, report.Commits)} edits per commit)"));
            rows.Add(("ack latency p50/p95/p99/max", Latency(report.AckLatencyMs)));
            rows.Add(("remote latency p50/p95/p99/max", Latency(report.RemoteLatencyMs)));
            if (report.ScheduleLagMs is { } lag)
            {
                rows.Add(("driver schedule lag p99/max", $"{F(lag.P99)} / {F(lag.Max)} ms"));
            }

            rows.Add(("connections opened/held/dropped", $"{report.Connections?.Opened} / {report.Connections?.HeldAtEnd} / {report.Connections?.Dropped}"));
            rows.Add(("final text", $"{report.FinalLength:N0} units (longest document)"));
        }

        if (report.Server is { } server)
        {
            rows.Add(("server CPU", $"{F(server.CpuSeconds)} s = {F(server.CpuCores)} cores over the window"));
            rows.Add(("server RSS peak / at end (window)", $"{F(server.PeakRssMiB)} / {F(server.RssMiB)} MiB"));
        }

        if (report.ServerCost is { } cost)
        {
            rows.Add(("server CPU per commit / per message", $"{F(cost.CpuMicrosPerCommit)} / {F(cost.CpuMicrosPerDeliveredMessage)} µs  ({cost.DeliveredMessages:N0} messages delivered)"));
            rows.Add(("server RSS fresh / connected", $"{F(cost.FreshRssMiB)} / {F(cost.ConnectedRssMiB)} MiB"));
        }

        if (report.Driver is { } driver)
        {
            rows.Add(("driver CPU", $"{F(driver.CpuSeconds)} s = {F(driver.CpuCores)} cores (same machine)"));
        }

        if (report.DriverCheck is { } check)
        {
            rows.Add(("driver kept its schedule", check.DriverBound
                ? $"NO: driver-bound ({string.Join("; ", check.Reasons)}): these figures are the driver's limit, not the server's"
                : $"yes (timer lag p99 {F(check.TimerLagMs?.P99)} ms, driver CPU {F(check.CpuCores)} of {check.CoresAvailable} cores)"));
        }

        int width = rows.Max(r => r.Item1.Length);
        foreach (var (name, value) in rows)
        {
            output.WriteLine($"  {name.PadRight(width)}  {value}");
        }

        foreach (string note in report.Notes)
        {
            output.WriteLine($"  note: {note}");
        }
    }

    public static async Task WriteJsonAsync(RunReport report, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, report, Json).ConfigureAwait(false);
    }

    private static string Latency(LatencySummary? s) =>
        s is null ? "—" : $"{F(s.P50)} / {F(s.P95)} / {F(s.P99)} / {F(s.Max)} ms  (n = {s.Count:N0})";

    private static string Ratio(long? a, long? b) => b is > 0 ? F((double)a!.Value / b.Value) : "—";

    private static string F(double? value) => value switch
    {
        null => "—",
        >= 100 => value.Value.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => value.Value.ToString("N1", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("0.##", CultureInfo.InvariantCulture),
    };
}
