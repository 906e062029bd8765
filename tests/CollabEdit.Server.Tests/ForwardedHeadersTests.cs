using System.Net;
using System.Net.Http.Json;
using CollabEdit.Server.Api;

namespace CollabEdit.Server.Tests;

/// <summary>Per-address limits trust X-Forwarded-For only from configured proxies.</summary>
public sealed class ForwardedHeadersTests
{
    private static readonly Dictionary<string, string> TwoCreates = new()
    {
        ["DocumentCreatesPerSecondPerAddress"] = "1",
        ["DocumentCreateBurstPerAddress"] = "2",
    };

    [Fact]
    public async Task ByDefault_AClientCannotEscapeItsLimitBySendingXForwardedFor()
    {
        await using var server = await RunningServer.StartAsync(settings: TwoCreates);

        // Thirty at once from one address, each claiming another: a burst of two, one more a second.
        var statuses = await Task.WhenAll(Enumerable.Range(1, 30).Select(i => CreateAsync(server, $"203.0.113.{i}")));

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    [Fact]
    public async Task BehindAConfiguredProxy_EachForwardedClientHasItsOwnLimit()
    {
        var settings = new Dictionary<string, string>(TwoCreates) { ["KnownProxies:0"] = "127.0.0.1" };
        await using var server = await RunningServer.StartAsync(settings: settings);

        var distinct = await Task.WhenAll(Enumerable.Range(1, 30).Select(i => CreateAsync(server, $"203.0.113.{i}")));
        var same = await Task.WhenAll(Enumerable.Range(1, 30).Select(_ => CreateAsync(server, "198.51.100.7")));

        Assert.All(distinct, status => Assert.Equal(HttpStatusCode.Created, status));
        Assert.Contains(HttpStatusCode.TooManyRequests, same);
    }

    private static async Task<HttpStatusCode> CreateAsync(RunningServer server, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/documents") { Content = JsonContent.Create(new CreateDocumentRequest("t", "x")) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await server.Http.SendAsync(request).WaitAsync(Timeouts.Http);
        return response.StatusCode;
    }
}
