using System.Globalization;

namespace CollabEdit.Server.Tests.Cluster;

/// <summary>
/// A batch refused by the fence (another process committed first) is taken back and transformed
/// again on top of the ops it missed, read from the log: the document is not read whole again.
/// Counted through each process's own metrics (collabedit.document.loads, collabedit.commit.retries).
/// </summary>
public sealed class ConflictCatchupTests
{
    private const string Initial = "one hot document on two processes\n";

    [SkippableFact]
    public async Task CommitConflicts_ReadOnlyTheMissedOps_EachProcessLoadsTheDocumentOnce()
    {
        await using var cluster = await PostgresCluster.StartAsync(processes: 2, settings: "--CollabEdit:Metrics:Prometheus=true");
        string id = await cluster.CreateDocumentAsync(0, Initial);
        var documents = new List<CollabEdit.Client.CollabDocument>();
        for (int c = 0; c < 12; c++)
        {
            documents.Add(await cluster.OpenAsync(c % 2, id, $"typist{c}"));
        }

        // As fast as they can, from both processes at once: commits collide at the fence.
        await Task.WhenAll(documents.Select((document, i) => Task.Run(() =>
        {
            var random = new Random(5000 + i);
            for (int e = 0; e < 300; e++)
            {
                ConvergenceTests.EditAtRandom(document, random);
            }
        }))).WaitAsync(Timeouts.Converge);
        await Eventually.SynchronizedAsync(documents);

        double retries = 0;
        for (int p = 0; p < 2; p++)
        {
            string scraped = await ScrapeAsync(cluster, p);
            retries += Sum(scraped, "collabedit_commit_retries");
            Assert.Equal(1, Sum(scraped, "collabedit_document_loads"));
        }

        Assert.True(retries > 0, "no commit conflict happened: the test did not exercise the catch-up");
        await cluster.AssertConsistentAsync(0, id, Initial, documents);
    }

    private static async Task<string> ScrapeAsync(PostgresCluster cluster, int process)
    {
        using var http = cluster.Http(process);
        return await http.GetStringAsync("/metrics").WaitAsync(Timeouts.Http);
    }

    /// <summary>The sum of every sample of a Prometheus series (any labels, <c>_total</c> or not).</summary>
    private static double Sum(string scraped, string series) =>
        scraped.Split('\n')
            .Where(line => line.StartsWith(series, StringComparison.Ordinal) && !line.StartsWith('#'))
            .Where(line => line.Length > series.Length && line[series.Length] is '_' or '{' or ' ')
            .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))
            .Sum();
}
