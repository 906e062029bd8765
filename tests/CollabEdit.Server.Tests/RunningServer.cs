using System.Net.Http.Json;
using CollabEdit.Client;
using CollabEdit.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Server.Tests;

/// <summary>
/// The real server on a loopback port (Kestrel, real WebSockets) with its own LiteDB directory, or,
/// when <c>COLLABEDIT_TEST_SERVER_STORAGE=Postgres</c>, its own PostgreSQL schema named after that
/// directory. Disposing stops it and deletes the directory (and schema) unless <see cref="KeepData"/>
/// is set (restart tests).
/// </summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private readonly List<HubConnection> _connections = [];

    private RunningServer(WebApplication app, string dataPath, Uri baseUri)
    {
        App = app;
        DataPath = dataPath;
        BaseUri = baseUri;
        Http = new HttpClient { BaseAddress = baseUri, Timeout = Timeouts.Http };
    }

    public WebApplication App { get; }

    public string DataPath { get; }

    public Uri BaseUri { get; }

    public HttpClient Http { get; }

    public bool KeepData { get; set; }

    public static string NewDataPath() => Path.Combine(Path.GetTempPath(), "collabedit-tests", Guid.NewGuid().ToString("N"));

    public static async Task<RunningServer> StartAsync(
        string? dataPath = null,
        IDictionary<string, string>? settings = null,
        Action<IServiceCollection>? services = null,
        Uri? url = null)
    {
        dataPath ??= NewDataPath();
        var args = new List<string> { $"--urls={url?.ToString().TrimEnd('/') ?? "http://127.0.0.1:0"}", $"--CollabEdit:DataPath={dataPath}", "--Logging:LogLevel:Default=Warning" };
        if (await Storage.TestPostgres.ForRunningServerAsync(dataPath) is { } postgres)
        {
            args.AddRange(["--CollabEdit:Storage=Postgres", $"--ConnectionStrings:Postgres={postgres}"]);
        }

        args.AddRange((settings ?? new Dictionary<string, string>()).Select(kv => $"--CollabEdit:{kv.Key}={kv.Value}"));
        var app = CollabEditApp.Create([.. args], services);
        await app.StartAsync().WaitAsync(Timeouts.Start);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningServer(app, dataPath, new Uri(address));
    }

    /// <summary>A started hub connection (MessagePack unless <paramref name="json"/>), closed with the server.</summary>
    public async Task<HubConnection> ConnectAsync(bool json = false)
    {
        var connection = await CollabConnection.ConnectAsync(BaseUri, json).WaitAsync(Timeouts.Call);
        _connections.Add(connection);
        return connection;
    }

    public async Task<CollabDocument> OpenAsync(string documentId, string name = "tester", bool json = false)
    {
        var connection = await ConnectAsync(json);
        return await CollabDocument.OpenAsync(connection, documentId, name).WaitAsync(Timeouts.Call);
    }

    public async Task<string> CreateDocumentAsync(string text = "", string title = "Test")
    {
        var response = await Http.PostAsJsonAsync("/api/documents", new CreateDocumentRequest(title, text)).WaitAsync(Timeouts.Http);
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<DocumentDetails>();
        return created!.Id;
    }

    public async Task<DocumentDetails> GetDocumentAsync(string id) =>
        (await Http.GetFromJsonAsync<DocumentDetails>($"/api/documents/{id}").WaitAsync(Timeouts.Http))!;

    public async Task<HistoryEntry[]> GetAllHistoryAsync(string id)
    {
        var all = new List<HistoryEntry>();
        while (true)
        {
            int from = all.Count == 0 ? 0 : all[^1].Revision;
            var page = await Http.GetFromJsonAsync<HistoryEntry[]>($"/api/documents/{id}/history?from={from}&limit=1000").WaitAsync(Timeouts.Http);
            if (page!.Length == 0)
            {
                return [.. all];
            }

            all.AddRange(page);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        await App.StopAsync().WaitAsync(Timeouts.Stop);
        await App.DisposeAsync();
        Http.Dispose();
        if (!KeepData)
        {
            TryDelete(DataPath);
            Storage.TestPostgres.DropRunningServerSchema(DataPath);
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
