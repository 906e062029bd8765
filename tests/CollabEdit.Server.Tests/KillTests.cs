using System.Collections.Concurrent;
using System.Net.Http.Json;
using CollabEdit.Client;
using CollabEdit.Server.Api;

namespace CollabEdit.Server.Tests;

/// <summary>The server as a child process, killed with SIGKILL: what was acknowledged is on disk.</summary>
public sealed class KillTests
{
    private const int Typists = 8;

    [Fact]
    public async Task KillDashNineMidStream_EveryAcknowledgedOpIsInTheHistoryAfterRestart()
    {
        string dataPath = RunningServer.NewDataPath();
        const string initial = "kill test\n";
        var acked = new ConcurrentBag<(string Author, int Revision)>();
        string id;
        try
        {
            using (var server = ServerProcess.Start(dataPath))
            {
                await server.WaitHealthyAsync();
                using var http = await server.OwnerHttpAsync();
                var created = await http.PostAsJsonAsync("/api/documents", new CreateDocumentRequest("kill", initial));
                id = (await created.Content.ReadFromJsonAsync<DocumentDetails>())!.Id;

                // The typists come through an edit link as guests, so that each op's author (the
                // server's, from the name each gave) tells whose it was.
                var link = await (await http.PostAsJsonAsync($"/api/documents/{id}/links", new CreateLinkRequest("editor"))).Content.ReadFromJsonAsync<LinkInfo>();

                // Clients type concurrently; every ack is recorded with the revision it names. The
                // kill comes from inside the ack handler, the instant the 300th ack arrives, so the
                // newest acknowledged writes have had no time to reach the disk by luck.
                using var stop = new CancellationTokenSource();
                var killed = new TaskCompletionSource();
                var typists = new List<Task>();

                // Every typist is open before any types: the kill must not come while one is still opening.
                var documents = new List<CollabDocument>();
                for (int c = 0; c < Typists; c++)
                {
                    var connection = await CollabConnection.ConnectAsync(server.BaseUri, linkToken: link!.Token).WaitAsync(Timeouts.Call);
                    documents.Add(await CollabDocument.OpenAsync(connection, id, $"typist{c}").WaitAsync(Timeouts.Call));
                }

                for (int c = 0; c < Typists; c++)
                {
                    var document = documents[c];
                    string author = $"typist{c} (guest)";
                    document.Acknowledged += (_, revision) =>
                    {
                        acked.Add((author, revision));
                        if (acked.Count >= 300 && killed.TrySetResult())
                        {
                            server.KillNow();
                        }
                    };
                    typists.Add(TypeUntilStoppedAsync(document, c, stop.Token));
                }

                await killed.Task.WaitAsync(Timeouts.Converge);
                await stop.CancelAsync();
                await Task.WhenAll(typists).WaitAsync(Timeouts.Converge);
            }

            using var restarted = ServerProcess.Start(dataPath);
            await restarted.WaitHealthyAsync();
            using var client = await restarted.OwnerHttpAsync();
            var details = (await client.GetFromJsonAsync<DocumentDetails>($"/api/documents/{id}"))!;
            var history = new List<HistoryEntry>();
            while (history.Count < details.Revision)
            {
                history.AddRange((await client.GetFromJsonAsync<HistoryEntry[]>($"/api/documents/{id}/history?from={history.Count}&limit=1000"))!);
            }

            Assert.True(acked.Count >= 300);
            foreach (var (author, revision) in acked)
            {
                Assert.True(revision <= details.Revision, $"acknowledged revision {revision} lost: the log ends at {details.Revision}");
                Assert.Equal(author, history[revision - 1].Author);
            }

            Assert.Equal(details.Text, Replay.Apply(initial, history));
        }
        finally
        {
            RunningServer.TryDelete(dataPath);
        }
    }

    [Fact]
    public async Task SecondServerOnSameDataDirectory_RefusesWithClearMessage()
    {
        string dataPath = RunningServer.NewDataPath();
        try
        {
            using var first = ServerProcess.Start(dataPath);
            await first.WaitHealthyAsync();

            using var second = ServerProcess.Start(dataPath);
            int exitCode = await second.WaitForExitAsync();

            Assert.Equal(2, exitCode);
            Assert.Contains("is in use by another CollabEdit server", second.Output, StringComparison.Ordinal);
            Assert.False(first.HasExited);
        }
        finally
        {
            RunningServer.TryDelete(dataPath);
        }
    }

    private static async Task TypeUntilStoppedAsync(CollabDocument document, int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                ConvergenceTests.EditAtRandom(document, random);
                await Task.Delay(random.Next(0, 2), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
