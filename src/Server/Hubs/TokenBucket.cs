namespace CollabEdit.Server.Hubs;

/// <summary>A token bucket on an injected clock: <c>rate</c> tokens a second, at most <c>burst</c> saved up.</summary>
internal sealed class TokenBucket(double rate, double burst, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly double _burst = burst;
    private double _tokens = burst;
    private long _last = time.GetTimestamp();

    public bool TryTake()
    {
        lock (_lock)
        {
            long now = time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (time.GetElapsedTime(_last, now).TotalSeconds * rate));
            _last = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }
}
