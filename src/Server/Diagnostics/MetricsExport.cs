using OpenTelemetry.Metrics;

namespace CollabEdit.Server.Diagnostics;

/// <summary>
/// Exports the server's metrics through OpenTelemetry with a Prometheus scrape endpoint at
/// <c>/metrics</c>, when <c>CollabEdit:Metrics:Prometheus</c> is true (off by default): CollabEdit's
/// own meter beside the runtime's (GC, thread pool, memory) and ASP.NET Core's (requests, Kestrel
/// connections, SignalR connections), all built into .NET, so no instrumentation package is needed.
/// </summary>
internal static class MetricsExport
{
    public const string EnabledKey = "CollabEdit:Metrics:Prometheus";

    private static readonly string[] Meters =
    [
        CollabEditMetrics.MeterName,
        "System.Runtime",
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.SignalR",
    ];

    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue<bool>(EnabledKey);

    public static void AddMetricsExport(this IServiceCollection services) =>
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(Meters).AddPrometheusExporter());

    public static void MapMetrics(this WebApplication app) => app.MapPrometheusScrapingEndpoint("/metrics");
}
