using System.Collections.Concurrent;
using System.Net;
using CollabEdit.Protocol;
using CollabEdit.Server.Storage;
using LiteDB;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Server.Tests;

/// <summary>
/// Exceptions of every kind thrown at each step of a durable write: the process and the writer
/// live on, nothing that is not durable is acknowledged, and writes resume once the fault stops.
/// </summary>
public sealed class StorageFaultTests
{
    public enum Step
    {
        JournalAppend,
        Sync,
        LiteDbCommit,
        Checkpoint,
        RetireSegment,
    }

    private static readonly Func<Exception>[] Kinds =
    [
        () => new IOException("Injected: no space left on device."),
        () => new LiteException(0, "Injected: LiteDB failed."),
        () => new UnauthorizedAccessException("Injected: permission denied."),
        () => new LockRecursionException("Injected: recursive read lock acquisitions not allowed in this mode."),
        () => new InvalidOperationException("Injected: invalid state."),
        () => new Exception("Injected: something else."),
    ];

    [Theory]
    [InlineData(Step.JournalAppend)]
    [InlineData(Step.Sync)]
    [InlineData(Step.LiteDbCommit)]
    [InlineData(Step.Checkpoint)]
    [InlineData(Step.RetireSegment)]
    public async Task EveryKindOfException_AtEachStep_KillsNothing_AcksNothingNotDurable_AndWritesResume(Step step)
    {
        string dataPath = RunningServer.NewDataPath();

        // A tiny checkpoint size: the journal is retired (a checkpoint, a segment deleted) every few writes.
        var settings = new Dictionary<string, string> { ["CheckpointBytes"] = "2048" };
        var faults = new StepFaults();
        var acked = new ConcurrentBag<int>();
        string id;
        await using (var server = await RunningServer.StartAsync(dataPath, settings, s => s.AddSingleton<IWriteFaultInjector>(faults)))
        {
            server.KeepData = true;
            id = await server.CreateDocumentAsync("faults\n");
            var typist = await server.OpenAsync(id, "typist");
            typist.Acknowledged += (_, revision) => acked.Add(revision);
            var connection = await server.ConnectAsync();
            var opened = await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "prober").WaitAsync(Timeouts.Call);
            long seq = 0;

            foreach (var kind in Kinds)
            {
                faults.Arm(step, kind);
                for (int i = 0; i < 5; i++)
                {
                    typist.Splice(0, 0, "t");
                    seq++;
                    try
                    {
                        var document = await server.GetDocumentAsync(id);
                        acked.Add(await SubmitAsync(connection, id, seq, document));
                    }
                    catch (HubException e)
                    {
                        Assert.Equal(ErrorCodes.Unavailable, ErrorCodes.Of(e.Message));
                    }
                }

                // The fault stops: the same writer takes writes again, health says so, and the typist's
                // edits all land (ops a failed write left committed reach the other clients too).
                faults.Disarm();
                seq++;
                await Eventually.TrueAsync(() => TrySubmit(server, connection, id, seq, acked), $"a write succeeds after {faults.Description}");
                await Eventually.TrueAsync(() => Healthy(server), $"healthy again after {faults.Description}");
                await Eventually.SynchronizedAsync(typist);
            }

            Assert.True(faults.Thrown > 0, $"the fault at {step} was never reached");
        }

        // Everything acknowledged is there after a restart, and the text is the replay of the history.
        await using var restarted = await RunningServer.StartAsync(dataPath, settings);
        var details = await restarted.GetDocumentAsync(id);
        var history = await restarted.GetAllHistoryAsync(id);
        Assert.All(acked, revision => Assert.True(revision <= details.Revision, $"acknowledged revision {revision} lost: the log ends at {details.Revision}"));
        Assert.Equal(details.Text, Replay.Apply("faults\n", history));
    }

    private static async Task<int> SubmitAsync(HubConnection connection, string id, long seq, Api.DocumentDetails document) =>
        (await connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "prober", seq, document.Revision, new object[] { document.Text.Length, "p" })
            .WaitAsync(Timeouts.Call)).Revision;

    private static bool TrySubmit(RunningServer server, HubConnection connection, string id, long seq, ConcurrentBag<int> acked)
    {
        try
        {
            var document = server.GetDocumentAsync(id).GetAwaiter().GetResult();
            acked.Add(SubmitAsync(connection, id, seq, document).GetAwaiter().GetResult());
            return true;
        }
        catch (HubException e) when (ErrorCodes.Of(e.Message) is ErrorCodes.Unavailable or ErrorCodes.RevisionTooOld)
        {
            return false;
        }
    }

    private static bool Healthy(RunningServer server) =>
        server.Http.GetAsync("/healthz").WaitAsync(Timeouts.Http).GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK;

    /// <summary>Throws the armed kind of exception at the armed step, every time, until disarmed.</summary>
    private sealed class StepFaults : IWriteFaultInjector
    {
        private volatile Tuple<Step, Func<Exception>>? _armed;

        private int _thrown;

        public int Thrown => _thrown;

        public string Description => _last;

        private string _last = "";

        public void Arm(Step step, Func<Exception> kind)
        {
            _last = $"{kind().GetType().Name} at {step}";
            _armed = Tuple.Create(step, kind);
        }

        public void Disarm() => _armed = null;

        public void BeforeCommit() => Maybe(Step.LiteDbCommit);

        public void BeforeJournalAppend() => Maybe(Step.JournalAppend);

        public void BeforeSync() => Maybe(Step.Sync);

        public void BeforeCheckpoint() => Maybe(Step.Checkpoint);

        public void BeforeRetire() => Maybe(Step.RetireSegment);

        private void Maybe(Step step)
        {
            if (_armed is { } armed && armed.Item1 == step)
            {
                Interlocked.Increment(ref _thrown);
                throw armed.Item2();
            }
        }
    }
}
