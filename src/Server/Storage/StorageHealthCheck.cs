using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CollabEdit.Server.Storage;

/// <summary>Unhealthy while the last durable write failed: acks have stopped until one succeeds.</summary>
internal sealed class StorageHealthCheck(IDocumentStorage store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(store.LastError is { } error
            ? HealthCheckResult.Unhealthy($"Storage writes are failing: {error}")
            : HealthCheckResult.Healthy($"Storage {store.Location} accepts durable writes."));
}
