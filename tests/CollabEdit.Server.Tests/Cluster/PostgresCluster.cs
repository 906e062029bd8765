using System.Collections.Concurrent;
using System.Net.Http.Json;
using CollabEdit.Client;
using CollabEdit.Server.Api;
using CollabEdit.Server.Tests.Storage;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace CollabEdit.Server.Tests.Cluster;

/// <summary>
/// Several real server processes of this build on one PostgreSQL schema, with clients spread over
/// them, and the checks every multi-process test ends with (<see cref="AssertConsistentAsync"/>).
/// The processes share the accounts and the token keys (both in the database): every request and
/// connection carries the bearer token of the first account, signed up on process 0, whichever
/// process it goes to.
/// </summary>
internal sealed class PostgresCluster : IAsyncDisposable
{
    private readonly List<(HubConnection Connection, CollabDocument Document)> _clients = [];

    private PostgresCluster(string connectionString, List<ServerProcess> processes)
    {
        ConnectionString = connectionString;
        Processes = processes;
    }

    public string ConnectionString { get; }

    /// <summary>The bearer token of <see cref="RunningServer.OwnerName"/>, signed up on process 0; good on every process.</summary>
    public string OwnerToken { get; private set; } = "";

    public List<ServerProcess> Processes { get; }

    /// <summary>Every acknowledgement any client received: (clientId, seq) → revision, all of them.</summary>
    public ConcurrentBag<(string ClientId, long Seq, int Revision)> Acked { get; } = [];

    /// <summary>Starts the processes; unless <paramref name="signUpOwner"/> is false, signs the first account up on process 0.</summary>
    public static async Task<PostgresCluster> StartAsync(int processes, string? connectionString = null, bool signUpOwner = true, params string[] settings)
    {
        connectionString ??= await TestPostgres.NewSchemaAsync("cluster");
        var started = Enumerable.Range(0, processes).Select(_ => ServerProcess.StartOnPostgres(connectionString, ["--Logging:LogLevel:CollabEdit=Debug", .. settings])).ToList();
        var cluster = new PostgresCluster(connectionString, started);
        await Task.WhenAll(started.Select(p => p.WaitHealthyAsync()));
        if (signUpOwner)
        {
            cluster.OwnerToken = await started[0].OwnerTokenAsync();
        }

        return cluster;
    }

    /// <summary>An HttpClient to process <paramref name="process"/> acting as the owner.</summary>
    public HttpClient Http(int process)
    {
        var http = new HttpClient { BaseAddress = Processes[process].BaseUri, Timeout = Timeouts.Http };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", OwnerToken);
        return http;
    }

    /// <summary>A started hub connection to <paramref name="server"/> as the owner.</summary>
    public Task<HubConnection> ConnectAsync(Uri server) => CollabConnection.ConnectAsync(server, accessToken: OwnerToken).WaitAsync(Timeouts.Call);

    public async Task<string> CreateDocumentAsync(int process, string text)
    {
        using var http = Http(process);
        var created = await http.PostAsJsonAsync("/api/documents", new CreateDocumentRequest("cluster", text)).WaitAsync(Timeouts.Http);
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<DocumentDetails>())!.Id;
    }

    /// <summary>A client of <paramref name="documentId"/> connected to process <paramref name="process"/>; its acks are recorded.</summary>
    public Task<CollabDocument> OpenAsync(int process, string documentId, string name) => OpenAsync(Processes[process].BaseUri, documentId, name);

    /// <summary>A client of <paramref name="documentId"/> connected through <paramref name="server"/> (a process or a proxy in front); its acks are recorded.</summary>
    public async Task<CollabDocument> OpenAsync(Uri server, string documentId, string name)
    {
        var connection = await ConnectAsync(server);
        var document = await CollabDocument.OpenAsync(connection, documentId, name).WaitAsync(Timeouts.Call);
        document.Acknowledged += (seq, revision) => Acked.Add((document.ClientId, seq, revision));
        lock (_clients)
        {
            _clients.Add((connection, document));
        }

        return document;
    }

    /// <summary>Moves <paramref name="document"/> to a new connection to process <paramref name="process"/> (its in-flight op is resent).</summary>
    public async Task ReconnectAsync(CollabDocument document, int process)
    {
        var connection = await ConnectAsync(Processes[process].BaseUri);
        lock (_clients)
        {
            _clients.Add((connection, document));
        }

        await document.ReconnectAsync(connection).WaitAsync(Timeouts.Call);
    }

    /// <summary>Drops the connection <paramref name="document"/> uses at once (its in-flight op, if any, stays unanswered).</summary>
    public async Task DropConnectionAsync(CollabDocument document)
    {
        HubConnection? connection;
        lock (_clients)
        {
            connection = _clients.LastOrDefault(c => ReferenceEquals(c.Document, document)).Connection;
        }

        if (connection is not null)
        {
            await connection.DisposeAsync().AsTask().WaitAsync(Timeouts.Call);
        }
    }

    /// <summary>
    /// Every client of <paramref name="documentId"/> synchronized and at the stored revision with the
    /// stored text; the log runs 1..N with no gap or duplicate and replays from
    /// <paramref name="initial"/> to the stored text; every acknowledged (clientId, seq) is in the log
    /// exactly once, at the revision it was acknowledged with.
    /// </summary>
    public async Task AssertConsistentAsync(int process, string documentId, string initial, IReadOnlyList<CollabDocument> documents)
    {
        try
        {
            await Eventually.SynchronizedAsync(documents);
        }
        catch (Xunit.Sdk.FailException e)
        {
            // What the processes logged says why (the tail of each).
            Assert.Fail(e.Message + string.Concat(Processes.Select((p, i) => $"\n--- process {i} ---\n{Tail(p.Output)}")));
        }

        using var http = Http(process);
        var details = (await http.GetFromJsonAsync<DocumentDetails>($"/api/documents/{documentId}").WaitAsync(Timeouts.Http))!;
        await Eventually.TrueAsync(() => documents.All(d => d.Revision == details.Revision), $"every client reaches revision {details.Revision}");
        Assert.All(documents, d => Assert.Equal(details.Text, d.Text));

        var history = new List<HistoryEntry>();
        while (true)
        {
            var page = (await http.GetFromJsonAsync<HistoryEntry[]>($"/api/documents/{documentId}/history?from={history.Count}&limit=1000").WaitAsync(Timeouts.Http))!;
            if (page.Length == 0)
            {
                break;
            }

            history.AddRange(page);
        }

        Assert.Equal(details.Revision, history.Count);
        Assert.Equal(details.Text, Replay.Apply(initial, history)); // Replay checks revisions 1..N in order.

        var logged = ReadClientSeqs(documentId);
        Assert.Equal(details.Revision, logged.Count);
        Assert.Equal(logged.Count, logged.Select(l => (l.ClientId, l.Seq)).Distinct().Count());
        var byClientSeq = logged.ToDictionary(l => (l.ClientId, l.Seq), l => l.Revision);
        var clients = documents.Select(d => d.ClientId).ToHashSet();
        foreach (var (clientId, seq, revision) in Acked.Where(a => clients.Contains(a.ClientId)))
        {
            Assert.True(byClientSeq.TryGetValue((clientId, seq), out int stored), $"acknowledged ({clientId}, {seq}) at revision {revision} is not in the log");
            Assert.Equal(revision, stored);
        }
    }

    private static string Tail(string output) => output.Length <= 6000 ? output : output[^6000..];

    /// <summary>The log's (revision, clientId, seq), straight from the database.</summary>
    public List<(int Revision, string ClientId, long Seq)> ReadClientSeqs(string documentId)
    {
        using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        using var command = dataSource.CreateCommand("SELECT revision, client_id, seq FROM ops WHERE document_id = $1 ORDER BY revision");
        command.Parameters.Add(new NpgsqlParameter { Value = documentId });
        using var reader = command.ExecuteReader();
        var rows = new List<(int, string, long)>();
        while (reader.Read())
        {
            rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetInt64(2)));
        }

        return rows;
    }

    /// <summary>Each client makes <paramref name="edits"/> random edits, a millisecond or two apart.</summary>
    public static Task TypeAsync(IEnumerable<CollabDocument> documents, int edits, int seed) =>
        Task.WhenAll(documents.Select((document, i) => Task.Run(async () =>
        {
            var random = new Random(seed * 1000 + i);
            for (int e = 0; e < edits; e++)
            {
                ConvergenceTests.EditAtRandom(document, random);
                await Task.Delay(random.Next(0, 3));
            }
        })));

    /// <summary>Each client edits at random, a millisecond or two apart, until <paramref name="stop"/>.</summary>
    public static Task TypeUntilStoppedAsync(IEnumerable<CollabDocument> documents, int seed, CancellationToken stop) =>
        Task.WhenAll(documents.Select((document, i) => Task.Run(async () =>
        {
            var random = new Random(seed * 1000 + i);
            while (!stop.IsCancellationRequested)
            {
                ConvergenceTests.EditAtRandom(document, random);
                try
                {
                    await Task.Delay(random.Next(1, 4), stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        })));

    public async ValueTask DisposeAsync()
    {
        foreach (var (connection, _) in _clients)
        {
            try
            {
                await connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
            {
            }
        }

        foreach (var process in Processes)
        {
            process.Dispose();
        }

        TestPostgres.DropSchema(ConnectionString);
    }
}
