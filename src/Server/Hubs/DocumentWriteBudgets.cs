using System.Runtime.CompilerServices;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Documents;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// How many bytes of history each loaded document may add a second, whoever submits: every
/// committed op stays on disk for good (as committed and as sent), so one client typing into a
/// document as fast as the wire allows would otherwise write gigabytes a minute. A token bucket
/// per session, dropped with it.
/// </summary>
internal sealed class DocumentWriteBudgets(IOptions<EditLimits> options, TimeProvider time)
{
    private readonly ConditionalWeakTable<DocumentSession, TokenBucket> _budgets = [];

    /// <summary>Spends the bytes <paramref name="bytes"/> of <paramref name="session"/>'s budget; false if it has not got them.</summary>
    public bool TryTake(DocumentSession session, long bytes)
    {
        var settings = options.Value;
        var bucket = _budgets.GetValue(session, _ => new TokenBucket(settings.DocumentWriteBytesPerSecond, settings.DocumentWriteBurstBytes, time));
        return bucket.TryTake(bytes);
    }
}
