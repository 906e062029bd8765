using System.Collections.Concurrent;
using CollabEdit.Ot;
using CollabEdit.Protocol;
using CollabEdit.Server.Storage;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Server.Tests;

/// <summary>
/// Failed writes in a row, then healing (DocumentSession.AnnounceHealed): the ops a failed write
/// left in the store reach the other clients once a write succeeds, each revision once and as the
/// store holds it, never as a failed attempt transformed it in memory.
/// </summary>
public sealed class HealedWriteTests
{
    private const string Initial = "abc";

    [Fact]
    public async Task FailedWritesInARow_ThenHealed_ClientsGetEachStoredRevisionOnce_AsStored()
    {
        var faults = new ScriptedFaults();
        await using var server = await RunningServer.StartAsync(services: s => s.AddSingleton<IWriteFaultInjector>(faults));
        string id = await server.CreateDocumentAsync(Initial);
        var watcher = await server.OpenAsync(id, "watcher");
        var raw = await server.ConnectAsync();
        var received = new ConcurrentQueue<(int Revision, TextOperation Op)>();
        raw.On<string, int, TextOperation, string>(HubMessages.Op, (documentId, revision, op, _) => received.Enqueue((revision, op)));
        await raw.InvokeAsync<OpenResult>(HubMessages.Open, id, "raw").WaitAsync(Timeouts.Call);
        var p = await ConnectAsync(server, id, "p");
        var x = await ConnectAsync(server, id, "x");
        var a = await ConnectAsync(server, id, "a");
        var y = await ConnectAsync(server, id, "y");

        // 1. P's write is held in the writer while X and A queue behind it, so they share the next
        //    write, which fails and is rolled back: in memory X was revision 2 and A revision 3,
        //    transformed against P and X.
        faults.HoldNextCommit();
        var pAck = Submit(p, id, "p", 0, [3, "p"]);
        await faults.Held.WaitAsync(Timeouts.Call);
        var xFirst = Submit(x, id, "x", 0, ["X", 3]);
        await Task.Delay(200);
        var aFirst = Submit(a, id, "a", 0, [1, "A", 2]);
        await Task.Delay(300);
        faults.FailCommits = true;
        faults.Release();
        Assert.Equal(1, await pAck);
        await AssertUnavailableAsync(xFirst);
        await AssertUnavailableAsync(aFirst);

        // 2. Writes fail after LiteDB took them (the journal append fails): the store keeps them, and
        //    healing will make them durable. Y becomes revision 2, and A's retry revision 3, now
        //    transformed against P and Y.
        faults.FailCommits = false;
        faults.FailJournalAppends = true;
        await AssertUnavailableAsync(Submit(y, id, "y", 0, [3, "Y"]));
        await AssertUnavailableAsync(Submit(a, id, "a", 0, [1, "A", 2]));

        // 3. Healed: X's retry commits as revision 4 and the kept revisions 2 and 3 are announced.
        faults.FailJournalAppends = false;
        Assert.Equal(4, await Submit(x, id, "x", 0, ["X", 3]));

        var history = await server.GetAllHistoryAsync(id);
        Assert.Equal([1, 2, 3, 4], history.Select(h => h.Revision));
        await Eventually.TrueAsync(() => received.Count >= 4 && watcher.Revision == 4, "the watchers receive every revision");
        await Task.Delay(200); // a duplicate, if any, would arrive right behind
        var got = received.ToArray();
        Assert.Equal([1, 2, 3, 4], got.Select(r => r.Revision).Order());
        Assert.All(got, r => Assert.Equal(history[r.Revision - 1].Op, r.Op));
        var stored = await server.GetDocumentAsync(id);
        Assert.Equal(stored.Text, watcher.Text);
        Assert.Equal(stored.Text, Replay.Apply(Initial, history));
    }

    private static async Task<HubConnection> ConnectAsync(RunningServer server, string id, string name)
    {
        var connection = await server.ConnectAsync();
        await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, name).WaitAsync(Timeouts.Call);
        return connection;
    }

    private static async Task<int> Submit(HubConnection connection, string id, string clientId, int baseRevision, object[] op) =>
        (await connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, clientId, 1L, baseRevision, op).WaitAsync(Timeouts.Call)).Revision;

    private static async Task AssertUnavailableAsync(Task<int> submit)
    {
        var refused = await Assert.ThrowsAsync<HubException>(() => submit);
        Assert.Equal(ErrorCodes.Unavailable, ErrorCodes.Of(refused.Message));
    }

    /// <summary>Holds one LiteDB commit until released, and fails commits (rolled back) or journal appends (kept) while told to.</summary>
    private sealed class ScriptedFaults : IWriteFaultInjector
    {
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _release = new();
        private volatile bool _holdNext;

        public volatile bool FailCommits;

        public volatile bool FailJournalAppends;

        public Task Held => _held.Task;

        public void HoldNextCommit() => _holdNext = true;

        public void Release() => _release.Set();

        public void BeforeCommit()
        {
            if (_holdNext)
            {
                _holdNext = false;
                _held.TrySetResult();
                _release.Wait(Timeouts.Call);
                return;
            }

            if (FailCommits)
            {
                throw new IOException("Injected: the commit failed.");
            }
        }

        public void BeforeJournalAppend()
        {
            if (FailJournalAppends)
            {
                throw new IOException("Injected: the journal append failed.");
            }
        }
    }
}
