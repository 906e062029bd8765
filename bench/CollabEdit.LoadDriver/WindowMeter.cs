namespace CollabEdit.LoadDriver;

/// <summary>
/// A process's CPU and RSS over the measured window only: utime + stime read at the window's
/// start and end (so neither start-up nor warm-up counts), VmRSS sampled every 100 ms in between
/// for the peak, and VmRSS at the end.
/// </summary>
internal sealed class WindowMeter : IAsyncDisposable
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(100);

    private readonly int _pid;
    private readonly ProcessStats? _atStart;
    private readonly long _startedAt;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private long _peakRss;

    private WindowMeter(int pid)
    {
        _pid = pid;
        _atStart = ProcessStats.Read(pid);
        _startedAt = RunClock.Now;
        _peakRss = _atStart?.RssBytes ?? 0;
        _sampler = SampleAsync(_stop.Token);
    }

    /// <summary>Starts measuring <paramref name="pid"/> now.</summary>
    public static WindowMeter Start(int pid) => new(pid);

    /// <summary>Ends the window: the CPU used since <see cref="Start"/>, per second of it, and the RSS figures; null when /proc could not be read.</summary>
    public async Task<ResourceUsage?> StopAsync()
    {
        var atEnd = ProcessStats.Read(_pid);
        long endedAt = RunClock.Now;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sampler.ConfigureAwait(false);
        if (_atStart is not { } start || atEnd is not { } end)
        {
            return null;
        }

        double cpu = (end.CpuTime - start.CpuTime).TotalSeconds;
        double window = RunClock.Seconds(endedAt - _startedAt);
        long peak = Math.Max(Interlocked.Read(ref _peakRss), end.RssBytes);
        return new ResourceUsage(Math.Round(cpu, 3), Math.Round(cpu / window, 3), MiB(peak), MiB(end.RssBytes));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sampler.ConfigureAwait(false);
        _stop.Dispose();
    }

    public static double MiB(long bytes) => Math.Round(bytes / (1024.0 * 1024.0), 1);

    private async Task SampleAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(SampleInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                if (ProcessStats.Read(_pid) is { } now && now.RssBytes > Interlocked.Read(ref _peakRss))
                {
                    Interlocked.Exchange(ref _peakRss, now.RssBytes);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The window closed.
        }
    }
}
