using System.Net.Http.Headers;
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
/// Authentication is on, as in production: the server's first account, <see cref="OwnerName"/>
/// (its administrator), is signed up at start (signed in again after a restart), and <see cref="Http"/>
/// and <see cref="ConnectAsync"/> act as it with its bearer token.
/// </summary>
internal sealed class RunningServer : IAsyncDisposable
{
    public const string OwnerName = "owner";
    public const string Password = "correct horse battery staple";

    private readonly List<HubConnection> _connections = [];
    private readonly List<HttpClient> _clients = [];
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    private RunningServer(WebApplication app, string dataPath, Uri baseUri)
    {
        App = app;
        DataPath = dataPath;
        BaseUri = baseUri;
        Http = new HttpClient { BaseAddress = baseUri, Timeout = Timeouts.Http };
    }

    /// <summary>The bearer token of <see cref="OwnerName"/>.</summary>
    public string OwnerToken { get; private set; } = "";

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
        Uri? url = null,
        string? postgres = null)
    {
        dataPath ??= NewDataPath();
        // Every test's people sign in from the one loopback address: the sign-in limit per address is lifted (AccountTests checks lockout).
        var args = new List<string>
        {
            $"--urls={url?.ToString().TrimEnd('/') ?? "http://127.0.0.1:0"}", $"--CollabEdit:DataPath={dataPath}", "--Logging:LogLevel:Default=Warning",
            "--CollabEdit:Auth:SignInsPerMinutePerAddress=100000",
        };
        // A test that needs PostgreSQL whatever the suite runs on brings its own schema.
        if ((postgres ?? await Storage.TestPostgres.ForRunningServerAsync(dataPath)) is { } postgresSchema)
        {
            args.AddRange(["--CollabEdit:Storage=Postgres", $"--ConnectionStrings:Postgres={postgresSchema}"]);
        }

        args.AddRange((settings ?? new Dictionary<string, string>()).Select(kv => $"--CollabEdit:{kv.Key}={kv.Value}"));
        var app = CollabEditApp.Create([.. args], services);
        await app.StartAsync().WaitAsync(Timeouts.Start);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var server = new RunningServer(app, dataPath, new Uri(address));
        server.OwnerToken = await TokenAsync(server.Http, OwnerName);
        server.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.OwnerToken);
        return server;
    }

    /// <summary>Signs <paramref name="userName"/> up, or in if the account exists (after a restart): its bearer token.</summary>
    public static async Task<string> TokenAsync(HttpClient http, string userName)
    {
        try
        {
            return await AccountTokens.SignUpAsync(http, userName, Password).WaitAsync(Timeouts.Http);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("taken", StringComparison.Ordinal))
        {
            return await AccountTokens.SignInAsync(http, userName, Password).WaitAsync(Timeouts.Http);
        }
    }

    /// <summary>Another account on this server: its token, and an HttpClient acting as it.</summary>
    public async Task<(string Token, HttpClient Http)> SignUpAsync(string userName)
    {
        var http = NewHttpClient();
        string token = await TokenAsync(http, userName);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (token, http);
    }

    /// <summary>An HttpClient to this server with no credentials (a signed-out stranger), disposed with the server.</summary>
    public HttpClient NewHttpClient()
    {
        var http = new HttpClient { BaseAddress = BaseUri, Timeout = Timeouts.Http };
        _clients.Add(http);
        return http;
    }

    /// <summary>A started hub connection (MessagePack unless <paramref name="json"/>) as the owner, closed with the server.</summary>
    public Task<HubConnection> ConnectAsync(bool json = false) => ConnectAsAsync(OwnerToken, json: json);

    /// <summary>A started hub connection as whoever <paramref name="accessToken"/> and <paramref name="linkToken"/> say (neither: a stranger).</summary>
    public async Task<HubConnection> ConnectAsAsync(string? accessToken, string? linkToken = null, bool json = false)
    {
        var connection = await CollabConnection.ConnectAsync(BaseUri, json, accessToken, linkToken).WaitAsync(Timeouts.Call);
        _connections.Add(connection);
        return connection;
    }

    /// <summary>
    /// Opens the document as the account whose display name is <paramref name="name"/> (signed up on
    /// first use, given the editor role by the owner): the server credits its edits to that name.
    /// </summary>
    public async Task<CollabDocument> OpenAsync(string documentId, string name = "tester", bool json = false)
    {
        var connection = await ConnectAsAccountAsync(name, documentId, json);
        return await CollabDocument.OpenAsync(connection, documentId, name).WaitAsync(Timeouts.Call);
    }

    /// <summary>A new share link's token for the document (<paramref name="role"/>: viewer or editor), made by the owner.</summary>
    public async Task<string> CreateLinkAsync(string documentId, string role)
    {
        var response = await Http.PostAsJsonAsync($"/api/documents/{documentId}/links", new CreateLinkRequest(role)).WaitAsync(Timeouts.Http);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<LinkInfo>())!.Token!;
    }

    /// <summary>A started hub connection as the account named <paramref name="name"/> (signed up on first use), an editor of <paramref name="documentId"/>.</summary>
    public async Task<HubConnection> ConnectAsAccountAsync(string name, string documentId, bool json = false)
    {
        string token = await AccountTokenAsync(name);
        if (name != OwnerName)
        {
            var granted = await Http.PutAsJsonAsync($"/api/documents/{documentId}/access", new GrantRequest(UserNameOf(name), "editor")).WaitAsync(Timeouts.Http);
            granted.EnsureSuccessStatusCode();
        }

        return await ConnectAsAsync(token, json: json);
    }

    /// <summary>The token of the account whose display name is <paramref name="name"/>, signed up on first use.</summary>
    public async Task<string> AccountTokenAsync(string name)
    {
        if (name == OwnerName)
        {
            return OwnerToken;
        }

        if (!_tokens.TryGetValue(name, out var token))
        {
            token = await AccountTokens.SignUpAsync(Http, UserNameOf(name), Password, name).WaitAsync(Timeouts.Http);
            _tokens[name] = token;
        }

        return token;
    }

    /// <summary>A user name for a display name: its letters and digits, and a hash so that "Ann" and "ann" differ.</summary>
    public static string UserNameOf(string name) =>
        $"u{new string([.. name.Where(char.IsAsciiLetterOrDigit)])}{(uint)string.GetHashCode(name, StringComparison.Ordinal):x8}";

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
        foreach (var client in _clients)
        {
            client.Dispose();
        }

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
