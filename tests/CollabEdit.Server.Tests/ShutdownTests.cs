using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using CollabEdit.Client;
using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests;

/// <summary>
/// A clean stop (SIGTERM) of a real server process with busy clients that reconnect as soon as
/// they are dropped, as the browser and the load driver do: the process exits within the host's
/// shutdown timeout, refuses new connections once it is stopping, and keeps every acknowledged edit.
/// </summary>
public sealed class ShutdownTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Typists = 8;
    private const int Latecomers = 6;
    private const string Initial = "shutdown test\n";

    /// <summary>The server's HostOptions.ShutdownTimeout (CollabEditApp), and a little for the runtime to exit.</summary>
    private static readonly TimeSpan ExitWithin = CollabEditApp.ShutdownTimeout + TimeSpan.FromSeconds(5);

    [Fact]
    public Task Sigterm_WithClientsSubmittingAndReconnecting_ExitsInTime_RefusesNewConnections_AndKeepsEveryAck() =>
        SigtermAsync(postgres: null);

    [SkippableFact]
    public async Task Sigterm_OnPostgres_ExitsInTime_RefusesNewConnections_AndKeepsEveryAck()
    {
        // The PostgreSQL listeners (commits, access, presence) must stop with the rest.
        string connectionString = await Storage.TestPostgres.NewSchemaAsync("shutdown");
        try
        {
            await SigtermAsync(connectionString);
        }
        finally
        {
            Storage.TestPostgres.DropSchema(connectionString);
        }
    }

    private async Task SigtermAsync(string? postgres)
    {
        string dataPath = RunningServer.NewDataPath();
        var acked = new ConcurrentBag<(string Author, int Revision)>();
        string id;
        try
        {
            using (var server = Start(dataPath, postgres))
            {
                await server.WaitHealthyAsync();
                using var http = await server.OwnerHttpAsync();
                var created = await http.PostAsJsonAsync("/api/documents", new CreateDocumentRequest("shutdown", Initial));
                id = (await created.Content.ReadFromJsonAsync<DocumentDetails>())!.Id;
                var link = (await (await http.PostAsJsonAsync($"/api/documents/{id}/links", new CreateLinkRequest("editor"))).Content.ReadFromJsonAsync<LinkInfo>())!;
                string linkToken = link.Token!;

                using var stop = new CancellationTokenSource();
                var stopping = new TaskCompletionSource();
                var reconnectedWhileStopping = new ConcurrentBag<string>();
                var typists = new List<Task>();
                var terminated = new TaskCompletionSource();
                for (int c = 0; c < Typists; c++)
                {
                    var connection = await CollabConnection.ConnectAsync(server.BaseUri, linkToken: linkToken).WaitAsync(Timeouts.Call);
                    var document = await CollabDocument.OpenAsync(connection, id, $"typist{c}").WaitAsync(Timeouts.Call);
                    string author = $"typist{c} (guest)";
                    document.Acknowledged += (_, revision) =>
                    {
                        acked.Add((author, revision));
                        if (acked.Count >= 200)
                        {
                            terminated.TrySetResult();
                        }
                    };
                    typists.Add(TypeAndReconnectAsync(server, linkToken, connection, document, c, stopping.Task, reconnectedWhileStopping, stop.Token));
                }

                // SIGTERM mid-burst, with submits in flight on every connection.
                await terminated.Task.WaitAsync(Timeouts.Converge);
                var clock = Stopwatch.StartNew();
                server.Terminate();
                await Eventually.TrueAsync(() => server.Output.Contains("Application is shutting down", StringComparison.Ordinal) || server.HasExited, "the server says it is stopping");
                stopping.TrySetResult();

                // From now on no new connection may open a document, however hard the clients try.
                // Several at once, as the tabs of a busy server come back; one that gets in stays
                // connected, as a browser tab would, until the server drops it.
                var latecomers = new ConcurrentBag<HubConnection>();
                await Task.WhenAll(Enumerable.Range(0, Latecomers).Select(_ => Task.Run(async () =>
                {
                    while (!server.HasExited && clock.Elapsed < ExitWithin)
                    {
                        if (await TryOpenAsync(server, linkToken, id) is { } latecomer)
                        {
                            latecomers.Add(latecomer);
                        }
                    }
                })));

                bool exited = server.HasExited || await WaitForExitAsync(server, ExitWithin - clock.Elapsed);
                var exitedAfter = clock.Elapsed;
                int openedWhileStopping = latecomers.Count;
                output.WriteLine($"exited {exitedAfter.TotalSeconds:F1} s after SIGTERM; {acked.Count} acks before");
                foreach (var latecomer in latecomers)
                {
                    await latecomer.DisposeAsync();
                }
                await stop.CancelAsync();
                await Task.WhenAll(typists).WaitAsync(Timeouts.Converge);
                Assert.True(exited, $"the server did not exit within {ExitWithin.TotalSeconds} s of SIGTERM ({openedWhileStopping} new connections opened a document meanwhile):\n{Tail(server.Output)}");
                Assert.True(openedWhileStopping == 0, $"{openedWhileStopping} new connections opened a document on the stopping server (it exited {exitedAfter.TotalSeconds:F1} s after SIGTERM)");
                Assert.True(reconnectedWhileStopping.IsEmpty, $"clients reconnected to the stopping server: {string.Join(", ", reconnectedWhileStopping)}");
                Assert.Equal(0, server.ExitCode);
            }

            // Everything acknowledged is there after a restart.
            using var restarted = Start(dataPath, postgres);
            await restarted.WaitHealthyAsync();
            using var client = await restarted.OwnerHttpAsync();
            var details = (await client.GetFromJsonAsync<DocumentDetails>($"/api/documents/{id}"))!;
            var history = new List<HistoryEntry>();
            while (history.Count < details.Revision)
            {
                history.AddRange((await client.GetFromJsonAsync<HistoryEntry[]>($"/api/documents/{id}/history?from={history.Count}&limit=1000"))!);
            }

            Assert.True(acked.Count >= 200);
            foreach (var (author, revision) in acked)
            {
                Assert.True(revision <= details.Revision, $"acknowledged revision {revision} lost: the log ends at {details.Revision}");
                Assert.Equal(author, history[revision - 1].Author);
            }

            Assert.Equal(details.Text, Replay.Apply(Initial, history));
        }
        finally
        {
            RunningServer.TryDelete(dataPath);
        }
    }

    private static ServerProcess Start(string dataPath, string? postgres) =>
        postgres is null ? ServerProcess.Start(dataPath) : ServerProcess.StartOnPostgres(postgres);

    /// <summary>
    /// Types until stopped; whenever its connection closes, connects again at once and resumes
    /// (the in-flight op is resent), as a browser tab does. A reconnect that reaches an open
    /// document once the server is stopping is recorded.
    /// </summary>
    private static async Task TypeAndReconnectAsync(
        ServerProcess server, string link, HubConnection connection, CollabDocument document, int seed,
        Task stopping, ConcurrentBag<string> reconnectedWhileStopping, CancellationToken stop)
    {
        var random = new Random(seed);
        while (!stop.IsCancellationRequested)
        {
            if (connection.State == HubConnectionState.Disconnected)
            {
                await connection.DisposeAsync();
                try
                {
                    connection = CollabConnection.Create(server.BaseUri, linkToken: link);
                    await connection.StartAsync(stop).WaitAsync(Timeouts.Call, stop);
                    await document.ReconnectAsync(connection, stop).WaitAsync(Timeouts.Call, stop);
                    if (stopping.IsCompleted)
                    {
                        reconnectedWhileStopping.Add(document.ClientId);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException or OperationCanceledException or TimeoutException
                    or System.Net.WebSockets.WebSocketException or Microsoft.AspNetCore.SignalR.HubException)
                {
                    // Refused or dropped: try again in a moment, as a browser would.
                    try
                    {
                        await Task.Delay(10, stop);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                continue;
            }

            try
            {
                ConvergenceTests.EditAtRandom(document, random);
            }
            catch (InvalidOperationException)
            {
                // Refused for good (should not happen); the acks gathered so far are still checked.
                break;
            }

            try
            {
                await Task.Delay(random.Next(0, 3), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await connection.DisposeAsync();
    }

    /// <summary>A new connection that opened the document, or null if it was refused.</summary>
    private static async Task<HubConnection?> TryOpenAsync(ServerProcess server, string link, string id)
    {
        var connection = CollabConnection.Create(server.BaseUri, linkToken: link);
        try
        {
            await connection.StartAsync().WaitAsync(Timeouts.Call);
            await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "latecomer").WaitAsync(Timeouts.Call);
            return connection;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException or OperationCanceledException or TimeoutException
            or System.Net.WebSockets.WebSocketException or Microsoft.AspNetCore.SignalR.HubException)
        {
            await connection.DisposeAsync();
            return null;
        }
    }

    private static async Task<bool> WaitForExitAsync(ServerProcess server, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (!server.HasExited && deadline.Elapsed < within)
        {
            await Task.Delay(50);
        }

        return server.HasExited;
    }

    private static string Tail(string output) => output.Length <= 6000 ? output : output[^6000..];
}
