using System.Diagnostics;

namespace CollabEdit.LoadDriver;

/// <summary>
/// The measurement window, in Stopwatch ticks. Latencies count for edits made from
/// <see cref="Start"/> on (warm-up edits are made but not measured); throughput counts acks
/// received inside the window.
/// </summary>
internal sealed class RunClock
{
    private long _start = long.MaxValue;
    private long _end = long.MaxValue;
    private long _lastAck;

    public long Start => Volatile.Read(ref _start);

    /// <summary>long.MaxValue until the window is closed.</summary>
    public long End => Volatile.Read(ref _end);

    /// <summary>The latest ack seen by any client.</summary>
    public long LastAck => Volatile.Read(ref _lastAck);

    public static long Now => Stopwatch.GetTimestamp();

    public void Open(long start) => Volatile.Write(ref _start, start);

    public void Close(long end) => Interlocked.CompareExchange(ref _end, end, long.MaxValue);

    public bool IsMeasured(long madeAt) => madeAt >= Start;

    public bool InWindow(long at) => at >= Start && at <= End;

    public void SawAck(long at)
    {
        long seen = Volatile.Read(ref _lastAck);
        while (at > seen)
        {
            long previous = Interlocked.CompareExchange(ref _lastAck, at, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    public static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
}
