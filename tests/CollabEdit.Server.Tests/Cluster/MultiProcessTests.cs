namespace CollabEdit.Server.Tests.Cluster;

/// <summary>Two and three server processes on one PostgreSQL database, clients spread over them: one order per document, whichever process commits.</summary>
public sealed class MultiProcessTests
{
    private const string Initial = "shared by several processes\n";

    [SkippableFact]
    public async Task TwoProcesses_OneDocument_ClientsOnBoth_ConvergeOnOneGaplessLog()
    {
        await using var cluster = await PostgresCluster.StartAsync(processes: 2);
        string id = await cluster.CreateDocumentAsync(0, Initial);
        var documents = new List<CollabEdit.Client.CollabDocument>();
        for (int c = 0; c < 6; c++)
        {
            documents.Add(await cluster.OpenAsync(c % 2, id, $"typist{c}"));
        }

        await PostgresCluster.TypeAsync(documents, edits: 60, seed: 1).WaitAsync(Timeouts.Converge);

        await cluster.AssertConsistentAsync(1, id, Initial, documents);
        Assert.True(cluster.Acked.Count > 0);
    }

    [SkippableFact]
    public async Task ThreeProcesses_ManyDocuments_ClientsSpread_EachDocumentConverges()
    {
        await using var cluster = await PostgresCluster.StartAsync(processes: 3);
        var ids = new List<string>();
        for (int d = 0; d < 4; d++)
        {
            ids.Add(await cluster.CreateDocumentAsync(d % 3, Initial));
        }

        var byDocument = ids.ToDictionary(id => id, _ => new List<CollabEdit.Client.CollabDocument>());
        int next = 0;
        foreach (string id in ids)
        {
            for (int c = 0; c < 3; c++)
            {
                byDocument[id].Add(await cluster.OpenAsync(next++ % 3, id, $"typist{c}"));
            }
        }

        await PostgresCluster.TypeAsync(byDocument.Values.SelectMany(d => d), edits: 40, seed: 2).WaitAsync(Timeouts.Converge);

        foreach (var (id, documents) in byDocument)
        {
            await cluster.AssertConsistentAsync(2, id, Initial, documents);
        }
    }
}
