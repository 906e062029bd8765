namespace CollabEdit.Server.Tests.Cluster;

/// <summary>nginx in front of two processes on one database, round robin with no sticky sessions: clients connect through it and converge.</summary>
public sealed class NginxTests
{
    private const string Initial = "behind nginx\n";

    [SkippableFact]
    public async Task TwoProcessesBehindNginx_NoStickySessions_ClientsThroughTheProxyConverge()
    {
        await using var cluster = await PostgresCluster.StartAsync(processes: 2);
        using var nginx = await NginxProxy.StartAsync(cluster.Processes.Select(p => p.BaseUri));
        string id = await cluster.CreateDocumentAsync(0, Initial);
        var documents = new List<CollabEdit.Client.CollabDocument>();
        for (int c = 0; c < 6; c++)
        {
            documents.Add(await cluster.OpenAsync(nginx.BaseUri, id, $"typist{c}"));
        }

        await PostgresCluster.TypeAsync(documents, edits: 40, seed: 11).WaitAsync(Timeouts.Converge);

        await cluster.AssertConsistentAsync(0, id, Initial, documents);
        // Round robin spread the clients: the document was opened in both processes.
        Assert.All(cluster.Processes, p => Assert.Contains($"Document {id} loaded", p.Output, StringComparison.Ordinal));
    }
}
