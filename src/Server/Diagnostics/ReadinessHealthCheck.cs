using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CollabEdit.Server.Diagnostics;

/// <summary>
/// Part of /readyz only: unhealthy once the process is stopping, so a load balancer sends it no
/// new connections while it drains (its storage checks are in /healthz and /readyz alike).
/// </summary>
internal sealed class ReadinessHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public const string Tag = "ready";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("The server is stopping.")
            : HealthCheckResult.Healthy("The server takes new connections."));
}
