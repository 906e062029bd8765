using System.Net;

namespace CollabEdit.Server.Tests;

/// <summary>The Prometheus scrape endpoint: off by default; on, it serves CollabEdit's, the runtime's and Kestrel's metrics.</summary>
public sealed class MetricsExportTests
{
    [Fact]
    public async Task Metrics_WhenEnabled_ServeCollabEditRuntimeAndConnectionSeries()
    {
        // The setting is CollabEdit:Metrics:Prometheus; RunningServer prefixes "CollabEdit:".
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Metrics:Prometheus"] = "true" });
        var document = await server.OpenAsync(await server.CreateDocumentAsync("metrics"));
        document.Splice(0, 0, "counted ");
        await document.WhenSynchronizedAsync().WaitAsync(Timeouts.Call);

        string scraped = "";
        await Eventually.TrueAsync(
            () =>
            {
                scraped = server.Http.GetStringAsync("/metrics").WaitAsync(Timeouts.Http).GetAwaiter().GetResult();
                return scraped.Contains("collabedit_", StringComparison.Ordinal) && scraped.Contains("kestrel_active_connections", StringComparison.Ordinal);
            },
            "the scrape has CollabEdit's and Kestrel's series");

        Assert.Contains("dotnet_gc_", scraped, StringComparison.Ordinal);
        Assert.Contains("dotnet_thread_pool_", scraped, StringComparison.Ordinal);
        Assert.Contains("kestrel_active_connections", scraped, StringComparison.Ordinal);
        Assert.Contains("collabedit_", scraped, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ByDefault_AreNotServed()
    {
        await using var server = await RunningServer.StartAsync();

        var response = await server.Http.GetAsync("/metrics").WaitAsync(Timeouts.Http);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
