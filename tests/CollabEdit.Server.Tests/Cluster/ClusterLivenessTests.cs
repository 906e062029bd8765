using CollabEdit.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests.Cluster;

/// <summary>
/// What must keep moving on PostgreSQL whatever the load: a burst on one document converges, and
/// a delete through one process reaches the clients of every other. Checked by counting, not timing.
/// </summary>
public sealed class ClusterLivenessTests
{
    private const string Initial = "a burst on one document\n";

    [SkippableFact]
    public async Task OneProcess_S3ShapedBurst_EveryEditCommitsAndConverges()
    {
        await using var cluster = await PostgresCluster.StartAsync(processes: 1);
        string id = await cluster.CreateDocumentAsync(0, Initial);
        var documents = new List<CollabEdit.Client.CollabDocument>();
        for (int c = 0; c < 8; c++)
        {
            documents.Add(await cluster.OpenAsync(0, id, $"burst{c}"));
        }

        // As S3: eight clients typing as fast as they can, each with one op in flight and the
        // rest composed behind it, so every batch the session takes holds several submits.
        await Task.WhenAll(documents.Select((document, i) => Task.Run(() =>
        {
            var random = new Random(3000 + i);
            for (int e = 0; e < 400; e++)
            {
                ConvergenceTests.EditAtRandom(document, random);
            }
        }))).WaitAsync(Timeouts.Converge);

        await cluster.AssertConsistentAsync(0, id, Initial, documents);
    }

    [SkippableFact]
    public async Task TwoProcesses_DeleteThroughOne_ClientsOfTheOtherAreTold()
    {
        await using var cluster = await PostgresCluster.StartAsync(processes: 2);
        string id = await cluster.CreateDocumentAsync(0, Initial);
        await using var reader = await CollabEdit.Client.CollabConnection.ConnectAsync(cluster.Processes[1].BaseUri, json: true, accessToken: cluster.OwnerToken).WaitAsync(Timeouts.Call);
        var deleted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        reader.On<string>(HubMessages.DocumentDeleted, doc => deleted.TrySetResult(doc));

        // A delete moves the document to its owner's trash (its rows stay): the other process learns
        // it as an access change (collabedit_access) and closes the document on its connections.
        reader.On<string>(HubMessages.AccessRevoked, doc => deleted.TrySetResult(doc));
        await reader.InvokeAsync<OpenResult>(HubMessages.Open, id, "reader").WaitAsync(Timeouts.Call);

        using var http = cluster.Http(0);
        var response = await http.DeleteAsync($"/api/documents/{id}").WaitAsync(Timeouts.Http);

        response.EnsureSuccessStatusCode();
        Assert.Equal(id, await deleted.Task.WaitAsync(Timeouts.Call));
        var error = await Assert.ThrowsAsync<HubException>(() =>
            reader.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "c", 1L, 0, new object[] { 7, "!" }).WaitAsync(Timeouts.Call));
        Assert.Contains(ErrorCodes.NotFound + ":", error.Message, StringComparison.Ordinal);
    }
}
