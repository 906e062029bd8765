namespace CollabEdit.Server.Hubs;

/// <summary>A token bucket on an injected clock: <c>rate</c> tokens a second, at most <c>burst</c> saved up.</summary>
internal sealed class TokenBucket(double rate, double burst, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly double _burst = burst;
    private double _tokens = burst;
    private long _last = time.GetTimestamp();

    public bool TryTake() => TryTake(1);

    /// <summary>
    /// Takes <paramref name="tokens"/> if there are that many, or if the bucket is full (so a
    /// request larger than the burst passes once, leaving a debt that is refilled before the next).
    /// </summary>
    public bool TryTake(double tokens)
    {
        lock (_lock)
        {
            long now = time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (time.GetElapsedTime(_last, now).TotalSeconds * rate));
            _last = now;
            if (_tokens < Math.Min(tokens, _burst))
            {
                return false;
            }

            _tokens -= tokens;
            return true;
        }
    }
}
