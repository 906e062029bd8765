using System.Diagnostics;
using HdrHistogram;

namespace CollabEdit.LoadDriver;

/// <summary>Latencies in microseconds (1 µs to 1 hour, 3 significant digits), recorded from any thread.</summary>
internal sealed class LatencyHistogram
{
    private const long MaxMicroseconds = 3_600_000_000;
    private readonly LongConcurrentHistogram _histogram = new(1, MaxMicroseconds, 3);

    public long Count => _histogram.TotalCount;

    /// <summary>Records the time from <paramref name="fromTimestamp"/> to <paramref name="toTimestamp"/> (Stopwatch ticks).</summary>
    public void Record(long fromTimestamp, long toTimestamp)
    {
        long micros = (toTimestamp - fromTimestamp) * 1_000_000 / Stopwatch.Frequency;
        _histogram.RecordValue(Math.Clamp(micros, 1, MaxMicroseconds));
    }

    public void RecordMilliseconds(double milliseconds) =>
        _histogram.RecordValue(Math.Clamp((long)(milliseconds * 1000), 1, MaxMicroseconds));

    /// <summary>p50/p95/p99/max/mean in milliseconds, or null when nothing was recorded.</summary>
    public LatencySummary? Summarize() => _histogram.TotalCount == 0
        ? null
        : new LatencySummary(
            _histogram.TotalCount,
            Milliseconds(_histogram.GetValueAtPercentile(50)),
            Milliseconds(_histogram.GetValueAtPercentile(95)),
            Milliseconds(_histogram.GetValueAtPercentile(99)),
            Milliseconds(_histogram.GetMaxValue()),
            Math.Round(_histogram.GetMean() / 1000, 3));

    private static double Milliseconds(long micros) => Math.Round(micros / 1000.0, 3);
}
