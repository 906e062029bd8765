using System.Globalization;

namespace CollabEdit.LoadDriver;

/// <summary>
/// Whether the driver kept its schedule, so that a figure limited by the driver is never read as
/// the server's. The same rules as the ShareDB peer's driver (bench/peers/sharedb/lib/measure.js):
/// its timer ran late (lag p99 over 10 ms); it was saturated (CPU over 90% of the cores it may
/// use); or it took the server's CPU (on cores both may use, the two together over 90% of them
/// and the driver using more than the server; without that contention a driver using more CPU
/// than the server does not limit it, since every client applies every op).
/// </summary>
/// <param name="TimerLagMs">How late each scheduled edit left the driver's timer (open loop; null when closed loop).</param>
/// <param name="CpuCores">The driver process's CPU over the window, in cores.</param>
/// <param name="CoresAvailable">How many cores the driver may run on (its CPU affinity).</param>
/// <param name="SharedCores">How many of those the server may run on too (0 when pinned apart).</param>
/// <param name="DriverBound">True when any rule holds: then the run's figures are the driver's limit, not the server's.</param>
/// <param name="Reasons">Which rules held.</param>
internal sealed record DriverCheck(LatencySummary? TimerLagMs, double CpuCores, int CoresAvailable, int SharedCores, bool DriverBound, IReadOnlyList<string> Reasons)
{
    public const double MaxTimerLagP99Ms = 10;

    public const double MaxCoreShare = 0.9;

    public static DriverCheck Judge(LatencySummary? timerLag, double driverCores, double? serverCores, int? serverPid)
    {
        var mine = AllowedCpus("self");
        int shared = serverPid is { } pid ? AllowedCpus(pid.ToString(CultureInfo.InvariantCulture)).Count(mine.Contains) : mine.Count;
        var reasons = new List<string>();
        if (timerLag is { } lag && lag.P99 > MaxTimerLagP99Ms)
        {
            reasons.Add($"timer lag p99 {lag.P99} ms > {MaxTimerLagP99Ms} ms");
        }

        if (driverCores > MaxCoreShare * mine.Count)
        {
            reasons.Add($"driver CPU {driverCores} cores > {MaxCoreShare * 100}% of the {mine.Count} it may use");
        }

        if (serverCores is { } server && shared > 0 && driverCores > server && driverCores + server > MaxCoreShare * shared)
        {
            reasons.Add($"driver CPU {driverCores} cores > server CPU {server} cores on {shared} shared cores, together over {MaxCoreShare * 100}%");
        }

        return new DriverCheck(timerLag, driverCores, mine.Count, shared, reasons.Count > 0, reasons);
    }

    /// <summary>The CPUs a process may run on (Cpus_allowed_list in /proc/PID/status), or every core.</summary>
    private static HashSet<int> AllowedCpus(string pid)
    {
        var cpus = new HashSet<int>();
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (string part in line["Cpus_allowed_list:".Length..].Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    string[] range = part.Split('-');
                    int from = int.Parse(range[0], CultureInfo.InvariantCulture);
                    int to = range.Length == 2 ? int.Parse(range[1], CultureInfo.InvariantCulture) : from;
                    for (int c = from; c <= to; c++)
                    {
                        cpus.Add(c);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // Not Linux, or the process is gone: every core.
        }

        if (cpus.Count == 0)
        {
            for (int c = 0; c < Environment.ProcessorCount; c++)
            {
                cpus.Add(c);
            }
        }

        return cpus;
    }
}
