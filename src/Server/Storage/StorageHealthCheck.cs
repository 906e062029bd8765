using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CollabEdit.Server.Storage;

/// <summary>Unhealthy while the last durable write failed (a full disk, a read-only start): acks have stopped until one succeeds.</summary>
internal sealed class StorageHealthCheck(IDocumentStorage store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(store.LastError is { } error
            ? HealthCheckResult.Unhealthy($"Storage is read-only, writes are refused: {error}{DiskState(store.Location)}")
            : HealthCheckResult.Healthy($"Storage {store.Location} accepts durable writes."));

    /// <summary>The <c>/healthz</c> body: the status alone while healthy; otherwise then each failing check's reason, so an operator sees why at once.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => $"\n{e.Key}: {e.Value.Status}: {e.Value.Description}");
        return context.Response.WriteAsync($"{report.Status}{string.Concat(lines)}");
    }

    /// <summary>The free space of the data's disk, when storage is a local file: the first thing an operator asks of a failing writer.</summary>
    private static string DiskState(string location)
    {
        string? folder = File.Exists(location) ? Path.GetDirectoryName(Path.GetFullPath(location)) : null;
        return folder is not null && DiskSpace.FreeBytes(folder) is { } free
            ? $" (free space on the data folder's disk: {free:N0} bytes)"
            : "";
    }
}
