using System.Net;
using System.Threading.RateLimiting;
using CollabEdit.Protocol;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Documents;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// Every hub call (Open, Catchup, SetPresence, Submit, Close) spends a token of its connection and
/// one of its client address: a limit per connection alone lets one client open many connections.
/// A call over either is <c>rate-limited</c> and changes nothing. (Submit and SetPresence also
/// spend from their own per-connection bucket, <see cref="ConnectionLimits.SubmitsPerSecond"/>.)
/// A singleton: the address buckets are the process's, and idle ones are dropped by the limiter.
/// </summary>
internal sealed class CallRateLimitFilter : IHubFilter, IDisposable
{
    private readonly PartitionedRateLimiter<IPAddress> _perAddress;

    public CallRateLimitFilter(IOptions<ConnectionLimits> options)
    {
        var settings = options.Value;
        _perAddress = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address =>
            RateLimitPartition.GetTokenBucketLimiter(address, _ => Bucket(settings.CallsPerSecondPerAddress, settings.CallBurstPerAddress)));
    }

    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (context.Context.Items[typeof(ConnectionState)] is ConnectionState state && !state.Calls.TryTake())
        {
            throw new CollabException(ErrorCodes.RateLimited, "Too many calls on this connection; slow down and retry.");
        }

        var address = context.Context.GetHttpContext()?.Connection.RemoteIpAddress ?? IPAddress.None;
        using var lease = _perAddress.AttemptAcquire(address);
        if (!lease.IsAcquired)
        {
            throw new CollabException(ErrorCodes.RateLimited, "Too many calls from this address; slow down and retry.");
        }

        return next(context);
    }

    public void Dispose() => _perAddress.Dispose();

    /// <summary>A token bucket refilled ten times a second (so a burst recovers smoothly).</summary>
    internal static TokenBucketRateLimiterOptions Bucket(int perSecond, int burst) => new()
    {
        TokenLimit = Math.Max(1, burst),
        TokensPerPeriod = Math.Max(1, perSecond / 10),
        ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
