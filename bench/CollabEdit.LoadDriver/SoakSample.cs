using System.Globalization;

namespace CollabEdit.LoadDriver;

/// <summary>
/// One look at the server process during a soak: resident memory, threads and open handles from
/// <c>/proc/PID</c>, and the runtime's total GC pause time from its <c>/metrics</c> scrape.
/// </summary>
/// <param name="Seconds">Since the load began.</param>
/// <param name="Pid">The server process sampled (a restart makes a new one).</param>
/// <param name="RssMiB">VmRSS.</param>
/// <param name="Threads">The <c>Threads:</c> line of /proc/PID/status.</param>
/// <param name="Handles">Entries of /proc/PID/fd.</param>
/// <param name="GcPauseSeconds">Total GC pause time of this process (<c>dotnet_gc_pause_time</c>); null if /metrics did not answer.</param>
/// <param name="Acks">Acks the clients had received so far, all documents.</param>
/// <param name="Phase">What the run was doing: load, restart, disk full.</param>
internal sealed record SoakSample(double Seconds, int Pid, double RssMiB, int Threads, int Handles, double? GcPauseSeconds, long Acks, string Phase)
{
    /// <summary>The process's figures now, or null when it is gone.</summary>
    public static async Task<SoakSample?> ReadAsync(double seconds, int pid, Uri server, HttpClient http, long acks, string phase, CancellationToken cancellationToken)
    {
        long rss = 0;
        int threads = 0;
        int handles;
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    threads = int.Parse(line.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                }
            }

            handles = Directory.GetFiles($"/proc/{pid}/fd").Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }

        return new SoakSample(Math.Round(seconds, 1), pid, Math.Round(rss / (1024.0 * 1024.0), 1), threads, handles, await GcPauseAsync(server, http, cancellationToken).ConfigureAwait(false), acks, phase);
    }

    /// <summary>Sums <c>dotnet_gc_pause_time…</c> in the Prometheus text (one series; a sum if the exporter splits it).</summary>
    private static async Task<double?> GcPauseAsync(Uri server, HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            string text = await http.GetStringAsync(new Uri(server, "/metrics"), cancellationToken).ConfigureAwait(false);
            double? total = null;
            foreach (string line in text.Split('\n'))
            {
                if (line.StartsWith("dotnet_gc_pause_time", StringComparison.Ordinal))
                {
                    string value = line[(line.LastIndexOf(' ') + 1)..];
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                    {
                        total = (total ?? 0) + v;
                    }
                }
            }

            return total;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}
