using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using CollabEdit.Protocol;

namespace CollabEdit.Server.Tests;

/// <summary>
/// What a page on another site (or a DNS-rebound name) can make a visitor's browser do: open the
/// hub, create documents, read the web app's build inputs. Each is refused, over real sockets.
/// </summary>
public sealed class HostilePageTests
{
    private const string ForeignOrigin = "http://evil.example";

    [Fact]
    public async Task HubUpgrade_FromForeignOrigin_IsForbidden()
    {
        await using var server = await RunningServer.StartAsync();

        var status = await UpgradeStatusAsync(server, ForeignOrigin);

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task HubUpgrade_FromNullOrigin_IsForbidden()
    {
        // A sandboxed frame or a file: page sends "Origin: null".
        await using var server = await RunningServer.StartAsync();

        var status = await UpgradeStatusAsync(server, "null");

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task HubUpgrade_FromOwnOriginConfiguredOriginOrNoOrigin_Connects()
    {
        const string Configured = "https://editor.example";
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["AllowedOrigins:0"] = Configured });
        string own = server.BaseUri.GetLeftPart(UriPartial.Authority);

        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeStatusAsync(server, own));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeStatusAsync(server, Configured));
        Assert.Equal(HttpStatusCode.SwitchingProtocols, await UpgradeStatusAsync(server, origin: null));
    }

    [Fact]
    public async Task HubUpgrade_FromOriginNotConfigured_IsForbiddenThoughAnotherIsAllowed()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["AllowedOrigins:0"] = "https://editor.example" });

        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(server, "http://editor.example"));
        Assert.Equal(HttpStatusCode.Forbidden, await UpgradeStatusAsync(server, "https://editor.example.evil.example"));
    }

    [Fact]
    public async Task Request_ForAHostNotAllowed_IsRefused()
    {
        // DNS rebinding: a page on evil.example whose name now resolves to this server sends Host: evil.example.
        // The shipped appsettings.json allows only the loopback names; an operator adds theirs.
        await using var server = await RunningServer.StartAsync();

        using var foreign = new HttpRequestMessage(HttpMethod.Get, "/healthz") { Headers = { Host = "evil.example" } };
        using var refused = await server.Http.SendAsync(foreign).WaitAsync(Timeouts.Http);
        using var loopback = new HttpRequestMessage(HttpMethod.Get, "/healthz") { Headers = { Host = $"localhost:{server.BaseUri.Port}" } };
        using var accepted = await server.Http.SendAsync(loopback).WaitAsync(Timeouts.Http);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    public static TheoryData<string, string?> NonJsonCreateBodies => new()
    {
        { "", null },
        { """{"title":"spam"}""", "text/plain" },
        { "title=spam", "application/x-www-form-urlencoded" },
        { """{"title":"spam"}""", "multipart/form-data; boundary=x" },
    };

    [Theory]
    [MemberData(nameof(NonJsonCreateBodies))]
    public async Task CreateDocument_WithoutJsonContentType_Is415AndCreatesNothing(string body, string? contentType)
    {
        // A cross-site form or a no-cors fetch can send these without a CORS preflight; only JSON needs one.
        await using var server = await RunningServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/documents") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await server.Http.SendAsync(request).WaitAsync(Timeouts.Http);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Timeouts.Http));
        Assert.Equal(415, problem.RootElement.GetProperty("status").GetInt32());
        string list = await server.Http.GetStringAsync("/api/documents").WaitAsync(Timeouts.Http);
        Assert.Equal("[]", list);
    }

    [Fact]
    public async Task CreateDocument_WithJsonContentType_StillCreates()
    {
        await using var server = await RunningServer.StartAsync();
        using var content = new StringContent("""{"title":"kept"}""", Encoding.UTF8, "application/json");

        using var response = await server.Http.PostAsync("/api/documents", content).WaitAsync(Timeouts.Http);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public static TheoryData<string> BuildInputs =>
    [
        "//package.json",
        "//package-lock.json",
        "//src/vendor.js",
        "//node_modules/esbuild/package.json",
        "///package.json",
        "/%2Fpackage.json",
        "/package.json",
        "/src/vendor.js",
        "/test/client.test.js",
        "//test/client.test.js",
        "/node_modules/esbuild/package.json",
        "/lib/../package.json",
    ];

    [Theory]
    [MemberData(nameof(BuildInputs))]
    public async Task StaticFiles_BuildInputs_AreNotFound(string path)
    {
        await using var server = await RunningServer.StartAsync();

        using var response = await server.Http.GetAsync(RawUri(server, path)).WaitAsync(Timeouts.Http);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    [InlineData("/editor.html")]
    [InlineData("/css/app.css")]
    [InlineData("/js/documents.js")]
    [InlineData("/lib/vendor.js")]
    [InlineData("/d/some-document")]
    public async Task StaticFiles_BuiltAssets_AreServed(string path)
    {
        await using var server = await RunningServer.StartAsync();

        using var response = await server.Http.GetAsync(RawUri(server, path)).WaitAsync(Timeouts.Http);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The status of a WebSocket upgrade to the hub sent with <paramref name="origin"/> (none if null).</summary>
    private static async Task<HttpStatusCode> UpgradeStatusAsync(RunningServer server, string? origin)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        var uri = new UriBuilder(server.BaseUri) { Scheme = "ws", Path = HubMessages.Path }.Uri;
        try
        {
            await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(Timeouts.Call);
        }
        catch (WebSocketException)
        {
            // The status is in HttpStatusCode either way.
        }

        return socket.HttpStatusCode;
    }

    /// <summary>The server's address with <paramref name="path"/> as typed: no merging of slashes or dot segments.</summary>
    private static Uri RawUri(RunningServer server, string path) =>
        new(server.BaseUri.GetLeftPart(UriPartial.Authority) + path);
}
