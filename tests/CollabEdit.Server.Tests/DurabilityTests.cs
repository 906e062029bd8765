using System.Net;
using System.Net.Http.Json;
using CollabEdit.Ot;
using CollabEdit.Ot.Sync;
using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using CollabEdit.Server.Documents;
using CollabEdit.Server.Storage;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Server.Tests;

/// <summary>Restarts, storage failures and unloading: nothing acknowledged is ever lost.</summary>
public sealed class DurabilityTests
{
    [Fact]
    public async Task Restart_BringsBackEveryDocumentOpSnapshotAndNamedVersion()
    {
        string dataPath = RunningServer.NewDataPath();
        var settings = new Dictionary<string, string> { ["SnapshotInterval"] = "5" };
        var before = new Dictionary<string, (DocumentDetails Details, HistoryEntry[] History, VersionInfo[] Versions)>();
        await using (var server = await RunningServer.StartAsync(dataPath, settings))
        {
            server.KeepData = true;
            for (int d = 0; d < 3; d++)
            {
                string id = await server.CreateDocumentAsync($"doc {d}\n", $"Title {d}");
                var client = await server.OpenAsync(id, $"author{d}");
                for (int i = 0; i < 12; i++)
                {
                    client.Splice(client.Text.Length, 0, $"line {i} 😀\n");
                    await client.WhenSynchronizedAsync().WaitAsync(Timeouts.Call);
                }

                if (d > 0)
                {
                    var created = await server.Http.PostAsJsonAsync($"/api/documents/{id}/versions", new CreateVersionRequest("Submitted draft", 7));
                    Assert.Equal(HttpStatusCode.Created, created.StatusCode);
                    await server.Http.PostAsJsonAsync($"/api/documents/{id}/versions", new CreateVersionRequest("Final", null));
                }

                before[id] = (await server.GetDocumentAsync(id), await server.GetAllHistoryAsync(id),
                    (await server.Http.GetFromJsonAsync<VersionInfo[]>($"/api/documents/{id}/versions"))!);
            }
        }

        await using var restarted = await RunningServer.StartAsync(dataPath, settings);
        var listed = await restarted.Http.GetFromJsonAsync<DocumentSummary[]>("/api/documents");
        Assert.Equal(before.Keys.Order(), listed!.Select(d => d.Id).Order());
        var store = restarted.App.Services.GetRequiredService<DocumentStore>();
        foreach (var (id, (details, history, versions)) in before)
        {
            Assert.Equal(details, await restarted.GetDocumentAsync(id));
            Assert.Equal(history.Select(h => (h.Revision, h.Op, h.Author, h.Timestamp)), (await restarted.GetAllHistoryAsync(id)).Select(h => (h.Revision, h.Op, h.Author, h.Timestamp)));
            Assert.Equal(versions, await restarted.Http.GetFromJsonAsync<VersionInfo[]>($"/api/documents/{id}/versions"));

            // Snapshots every 5 ops and one at unload (the server's shutdown): opening replays nothing.
            Assert.Equal(5, store.LatestSnapshot(id, 9)!.Revision);
            Assert.Equal(10, store.LatestSnapshot(id, 11)!.Revision);
            Assert.Equal(12, store.LatestSnapshot(id, 12)!.Revision);
            Assert.Equal(12, store.GetDocument(id)!.SnapshotRevision); // opening fetches it by key
            var reopened = await restarted.OpenAsync(id);
            Assert.Equal(details.Text, reopened.Text);
            Assert.Equal(12, reopened.Revision);
        }
    }

    [Fact]
    public async Task Restart_RetriesOfOpsOlderThanTheSnapshot_AreStillRecognised()
    {
        // Opening reads only the ops after the snapshot; the rest of the 1,000-op window is read
        // later, but before any submit is checked against it.
        string dataPath = RunningServer.NewDataPath();
        var settings = new Dictionary<string, string> { ["SnapshotInterval"] = "5" };
        string first, second;
        await using (var server = await RunningServer.StartAsync(dataPath, settings))
        {
            server.KeepData = true;
            first = await server.CreateDocumentAsync("abc");
            second = await server.CreateDocumentAsync("abc");
            var connection = await server.ConnectAsync();
            foreach (string id in new[] { first, second })
            {
                await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "Ann").WaitAsync(Timeouts.Call);
                for (int seq = 1; seq <= 12; seq++)
                {
                    Assert.Equal(seq, (await Submit(connection, id, seq, seq - 1, [2 + seq, "x"])).Revision);
                }
            }
        }

        await using var restarted = await RunningServer.StartAsync(dataPath, settings);
        Assert.Equal(12, restarted.App.Services.GetRequiredService<DocumentStore>().GetDocument(first)!.SnapshotRevision);

        // A submit as the session's very first command: the window is read before it is checked.
        var registry = restarted.App.Services.GetRequiredService<DocumentRegistry>();
        var retry = new SubmitRequest("client-a", 3, 2, TextOperation.Splice(5, 5, 0, "x"), "Ann", "peer", null);
        Assert.Equal(3, await registry.RunAsync(first, session => session.SubmitAsync(retry)));

        // After an Open, over the hub: a retry, and a late submit transformed through old ops.
        var reconnected = await restarted.ConnectAsync();
        await reconnected.InvokeAsync<OpenResult>(HubMessages.Open, second, "Ann").WaitAsync(Timeouts.Call);
        Assert.Equal(4, (await Submit(reconnected, second, 4, 3, [6, "x"])).Revision);
        var late = await reconnected.InvokeAsync<SubmitAck>(HubMessages.Submit, second, "client-b", 1L, 2, new object[] { "<", 5 }).WaitAsync(Timeouts.Call);
        Assert.Equal(13, late.Revision);

        Assert.Equal("abc" + new string('x', 12), (await restarted.GetDocumentAsync(first)).Text);
        Assert.Equal("<abc" + new string('x', 12), (await restarted.GetDocumentAsync(second)).Text);
    }

    [Fact]
    public async Task StorageFailure_StopsAcksAndHealth_ThenRecoversWithoutLosingAcknowledgedOps()
    {
        var faults = new SwitchableFaults();
        await using var server = await RunningServer.StartAsync(services: s => s.AddSingleton<IWriteFaultInjector>(faults));
        string id = await server.CreateDocumentAsync("abc");
        var connection = await server.ConnectAsync();
        await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "Ann").WaitAsync(Timeouts.Call);
        var acked = await Submit(connection, id, 1, 0, [3, "1"]);

        faults.Failing = true;
        var refused = await Assert.ThrowsAsync<HubException>(() => Submit(connection, id, 2, 1, [4, "2"]));
        var health = await server.Http.GetAsync("/healthz").WaitAsync(Timeouts.Http);

        Assert.Equal(ErrorCodes.Unavailable, ErrorCodes.Of(refused.Message));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("abc1", (await server.GetDocumentAsync(id)).Text);

        // A client typing during the outage keeps retrying; once storage is back, everything lands.
        var typist = await server.OpenAsync(id, "Bob");
        typist.Splice(0, 0, ">");
        await Task.Delay(300);
        Assert.NotEqual(ClientState.Synchronized, typist.State);

        faults.Failing = false;
        var retried = await Submit(connection, id, 2, 1, [4, "2"]);
        await Eventually.SynchronizedAsync(typist);

        Assert.Equal(1, acked.Revision);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/healthz").WaitAsync(Timeouts.Http)).StatusCode);
        var details = await server.GetDocumentAsync(id);
        Assert.Contains("abc12", details.Text, StringComparison.Ordinal);
        Assert.StartsWith(">", details.Text, StringComparison.Ordinal);
        Assert.Equal(details.Text, Replay.Apply("abc", await server.GetAllHistoryAsync(id)));
        Assert.True(retried.Revision > acked.Revision);
    }

    [Fact]
    public async Task JournalSyncFailure_AcksNothing_NotEvenARetry_UntilACheckpointMakesItDurable()
    {
        var faults = new SwitchableFaults();
        await using var server = await RunningServer.StartAsync(services: s => s.AddSingleton<IWriteFaultInjector>(faults));
        var store = server.App.Services.GetRequiredService<DocumentStore>();
        string id = await server.CreateDocumentAsync("abc");
        var connection = await server.ConnectAsync();
        await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "Ann").WaitAsync(Timeouts.Call);

        // The op reaches LiteDB (readers could see it) but its fdatasync fails: no ack.
        faults.SyncFailing = true;
        var refused = await Assert.ThrowsAsync<HubException>(() => Submit(connection, id, 1, 0, [3, "1"]));
        Assert.Equal(ErrorCodes.Unavailable, ErrorCodes.Of(refused.Message));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await server.Http.GetAsync("/healthz").WaitAsync(Timeouts.Http)).StatusCode);

        // Its retry is a duplicate of what LiteDB holds; it must not be acked while that is not durable.
        var retryRefused = await Assert.ThrowsAsync<HubException>(() => Submit(connection, id, 1, 0, [3, "1"]));
        Assert.Equal(ErrorCodes.Unavailable, ErrorCodes.Of(retryRefused.Message));

        faults.SyncFailing = false;
        var acked = await Submit(connection, id, 1, 0, [3, "1"]);
        var next = await Submit(connection, id, 2, 1, [4, "2"]);

        Assert.Equal(1, acked.Revision); // committed once, recognised on retry
        Assert.Equal(2, next.Revision);
        Assert.Equal("abc12", (await server.GetDocumentAsync(id)).Text);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/healthz").WaitAsync(Timeouts.Http)).StatusCode);
        Assert.Null(store.LastError);
    }

    [Fact]
    public async Task IdleDocuments_AreUnloadedWithASnapshot_AndReopenIntact()
    {
        var settings = new Dictionary<string, string> { ["IdleUnloadAfter"] = "00:00:00.200", ["IdleSweepInterval"] = "00:00:00.100" };
        await using var server = await RunningServer.StartAsync(settings: settings);
        var registry = server.App.Services.GetRequiredService<DocumentRegistry>();
        var store = server.App.Services.GetRequiredService<DocumentStore>();
        var connection = await server.ConnectAsync();
        var ids = new List<string>();

        // Open, edit and close many documents on one connection.
        for (int i = 0; i < 100; i++)
        {
            string id = await server.CreateDocumentAsync($"doc {i}");
            ids.Add(id);
            var document = await Client.CollabDocument.OpenAsync(connection, id).WaitAsync(Timeouts.Call);
            document.Splice(0, 0, "edited ");
            await document.WhenSynchronizedAsync().WaitAsync(Timeouts.Call);
            await document.DisposeAsync();
        }

        // A session leaves the registry before its unload snapshot is written, so wait for both.
        await Eventually.TrueAsync(
            () => registry.Count == 0 && ids.All(id => store.LatestSnapshot(id, 1)!.Revision == 1),
            "every idle document is unloaded with a snapshot at its last revision");

        var reopened = await server.OpenAsync(ids[42]);
        Assert.Equal("edited doc 42", reopened.Text);
        Assert.Equal(1, registry.Count);
    }

    private static Task<SubmitAck> Submit(HubConnection connection, string id, long seq, int baseRevision, object[] op) =>
        connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "client-a", seq, baseRevision, op).WaitAsync(Timeouts.Call);

    private sealed class SwitchableFaults : IWriteFaultInjector
    {
        public volatile bool Failing;
        public volatile bool SyncFailing;

        public void BeforeCommit()
        {
            if (Failing)
            {
                throw new IOException("Injected failure: no space left on device.");
            }
        }

        public void BeforeSync()
        {
            if (SyncFailing)
            {
                throw new IOException("Injected failure: fdatasync returned EIO.");
            }
        }
    }
}
