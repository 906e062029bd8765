using System.Net;
using CollabEdit.Client;
using CollabEdit.Protocol;
using CollabEdit.Server.Tests.Storage;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests.Cluster;

/// <summary>
/// Faults of real processes on one PostgreSQL database, each its own test: a process killed, a
/// process paused and woken with a stale view, PostgreSQL restarted, a socket dying with an op in
/// flight. Each ends with <see cref="PostgresCluster.AssertConsistentAsync"/>.
/// </summary>
public sealed class ProcessFaultTests
{
    private const string Initial = "faults\n";

    [SkippableFact]
    public async Task KillDashNine_OneProcessMidBurst_ItsClientsResubmitToAnother_AndNothingAcknowledgedIsLost()
    {
        await using var cluster = await PostgresCluster.StartAsync(processes: 2);
        string id = await cluster.CreateDocumentAsync(0, Initial);
        var documents = new List<CollabDocument>();
        for (int c = 0; c < 6; c++)
        {
            documents.Add(await cluster.OpenAsync(c % 2, id, $"typist{c}"));
        }

        // Killed from inside an ack handler, the instant the 40th ack arrives: mid-burst, with ops in flight on it.
        var killed = new TaskCompletionSource();
        foreach (var document in documents)
        {
            document.Acknowledged += (_, _) =>
            {
                if (cluster.Acked.Count >= 40 && killed.TrySetResult())
                {
                    cluster.Processes[1].KillNow();
                }
            };
        }

        using var stop = new CancellationTokenSource();
        var typing = PostgresCluster.TypeUntilStoppedAsync(documents, seed: 3, stop.Token);
        await killed.Task.WaitAsync(Timeouts.Converge);
        foreach (var orphan in documents.Where((_, c) => c % 2 == 1))
        {
            await cluster.ReconnectAsync(orphan, 0);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        await typing.WaitAsync(Timeouts.Converge);

        await cluster.AssertConsistentAsync(0, id, Initial, documents);
    }

    [SkippableFact]
    public async Task Sigstop_OneProcessPastTheClientsTimeout_ThenSigcont_ItsStaleCommitsAreRefused()
    {
        await using var cluster = await PostgresCluster.StartAsync(processes: 2);
        string id = await cluster.CreateDocumentAsync(0, Initial);
        var documents = new List<CollabDocument>();
        for (int c = 0; c < 4; c++)
        {
            documents.Add(await cluster.OpenAsync(c % 2, id, $"typist{c}"));
        }

        await PostgresCluster.TypeAsync(documents, edits: 10, seed: 4).WaitAsync(Timeouts.Converge);

        // Frozen with submits arriving: they wait in its sockets and queues while the others go on.
        cluster.Processes[1].Pause();
        await PostgresCluster.TypeAsync(documents, edits: 10, seed: 5).WaitAsync(Timeouts.Converge);
        await Task.Delay(TimeSpan.FromSeconds(6)); // past the clients' patience and PostgreSQL's idle-in-transaction timeout
        foreach (var stranded in documents.Where((_, c) => c % 2 == 1))
        {
            await cluster.ReconnectAsync(stranded, 0);
        }

        await PostgresCluster.TypeAsync(documents, edits: 20, seed: 6).WaitAsync(Timeouts.Converge);
        await Eventually.SynchronizedAsync(documents);

        // Woken with a stale view and the old submits queued: the fence refuses its commits, the
        // retries are recognised, and it goes on serving from the database's order.
        cluster.Processes[1].Resume();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var late = await cluster.OpenAsync(1, id, "late");
        documents.Add(late);
        await PostgresCluster.TypeAsync(documents, edits: 10, seed: 7).WaitAsync(Timeouts.Converge);

        await cluster.AssertConsistentAsync(1, id, Initial, documents);
        Assert.False(cluster.Processes[1].HasExited);
    }

    [SkippableFact]
    public async Task PostgresRestartMidRun_SubmitsAreUnavailableMeanwhile_ThenResume_AndNothingAcknowledgedIsLost()
    {
        // A PostgreSQL of its own: restarting the shared one would break the tests running beside this one.
        await using var postgres = await OwnPostgres.StartAsync();
        string connectionString = await TestPostgres.NewSchemaAsync("restart", postgres.ConnectionString);
        await using var cluster = await PostgresCluster.StartAsync(processes: 2, connectionString);
        string id = await cluster.CreateDocumentAsync(0, Initial);
        var documents = new List<CollabDocument>();
        for (int c = 0; c < 4; c++)
        {
            documents.Add(await cluster.OpenAsync(c % 2, id, $"typist{c}"));
        }

        await PostgresCluster.TypeAsync(documents, edits: 20, seed: 8).WaitAsync(Timeouts.Converge);
        int ackedBefore = cluster.Acked.Count;

        var probe = await cluster.ConnectAsync(cluster.Processes[0].BaseUri);
        await probe.InvokeAsync<OpenResult>(HubMessages.Open, id, "probe").WaitAsync(Timeouts.Call);

        postgres.Stop();
        var typing = PostgresCluster.TypeAsync(documents, edits: 20, seed: 9);
        var refused = await Assert.ThrowsAsync<HubException>(() =>
            probe.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "probe", 1L, 0, new object[] { "?", Initial.Length }).WaitAsync(Timeouts.Call));
        Assert.Equal(ErrorCodes.Unavailable, ErrorCodes.Of(refused.Message));
        using (var http = cluster.Http(1))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/healthz").WaitAsync(Timeouts.Http)).StatusCode);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        postgres.Start();
        await typing.WaitAsync(Timeouts.Converge);
        await probe.DisposeAsync();

        await cluster.AssertConsistentAsync(1, id, Initial, documents);
        Assert.True(cluster.Acked.Count > ackedBefore);
    }

    [SkippableFact]
    public async Task SocketDiesWithAnOpInFlight_ResubmittedToTheOtherProcess_IsAppliedOnce()
    {
        await using var cluster = await PostgresCluster.StartAsync(processes: 2);
        string id = await cluster.CreateDocumentAsync(0, Initial);
        var typist = await cluster.OpenAsync(0, id, "typist");
        var watcher = await cluster.OpenAsync(1, id, "watcher");
        var documents = new List<CollabDocument> { typist, watcher };

        // Each round: an edit goes out, and its socket is dropped at once, before or after the
        // commit (both happen); the client resends it to the other process.
        for (int round = 0; round < 12; round++)
        {
            var dropped = typist;
            dropped.Splice(0, 0, $"[{round}]");
            await cluster.DropConnectionAsync(dropped);
            await cluster.ReconnectAsync(dropped, (round + 1) % 2);
            watcher.Splice(watcher.Text.Length, 0, ".");
        }

        await cluster.AssertConsistentAsync(0, id, Initial, documents);
        string text = typist.Text;
        Assert.All(Enumerable.Range(0, 12), round => Assert.Equal(1, CountOf(text, $"[{round}]")));
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
