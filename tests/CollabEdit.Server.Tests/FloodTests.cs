using System.Net;
using System.Net.Http.Json;
using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests;

/// <summary>
/// Floods from one client: every hub method is limited per connection and per client address
/// (all of one address's connections together), REST per address, document creation on its own.
/// A refused call or request changes nothing.
/// </summary>
public sealed class FloodTests
{
    private const int Flood = 40;

    [Fact]
    public async Task HubCalls_FromSeveralConnectionsOfOneAddress_AreLimitedTogether()
    {
        // Each connection alone is far under its own limit; together they are over the address's.
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["CallsPerSecondPerAddress"] = "10",
            ["CallBurstPerAddress"] = "10",
        });
        string id = await server.CreateDocumentAsync("abc");
        var connections = new List<HubConnection>();
        for (int i = 0; i < 4; i++)
        {
            connections.Add(await server.ConnectAsync());
        }

        var outcomes = await Task.WhenAll(Enumerable.Range(0, Flood).Select(i =>
            OutcomeAsync(() => connections[i % connections.Count].InvokeAsync<OpenResult>(HubMessages.Open, id, "flooder"))));

        Assert.Contains(outcomes, outcome => outcome == ErrorCodes.RateLimited);
        Assert.All(outcomes, outcome => Assert.True(outcome is null or ErrorCodes.RateLimited, outcome));
        Assert.Equal(0, (await server.GetDocumentAsync(id)).Revision);
    }

    [Fact]
    public async Task Catchup_FloodOnOneConnection_IsRateLimited()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["CallsPerSecond"] = "10",
            ["CallBurst"] = "10",
        });
        string id = await server.CreateDocumentAsync("abc");
        var connection = await server.ConnectAsync();
        await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "tester").WaitAsync(Timeouts.Call);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, Flood).Select(_ =>
            OutcomeAsync(() => connection.InvokeAsync<CommittedOpMessage[]>(HubMessages.Catchup, id, 0))));

        Assert.Contains(outcomes, outcome => outcome == ErrorCodes.RateLimited);
        Assert.Contains(outcomes, outcome => outcome is null);
    }

    [Fact]
    public async Task Submits_PastADocumentsWriteBudget_AreRateLimitedForAllItsClientsAndOnlyIt()
    {
        // 3,000 units cost about 18 KB of history (as committed and as sent): one fits the burst, a second does not yet.
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["DocumentWriteBytesPerSecond"] = "100",
            ["DocumentWriteBurstBytes"] = "20000",
        });
        string busy = await server.CreateDocumentAsync();
        string other = await server.CreateDocumentAsync();
        var ann = await server.ConnectAsync();
        var bob = await server.ConnectAsync();
        await ann.InvokeAsync<OpenResult>(HubMessages.Open, busy, "ann").WaitAsync(Timeouts.Call);
        await bob.InvokeAsync<OpenResult>(HubMessages.Open, busy, "bob").WaitAsync(Timeouts.Call);
        await bob.InvokeAsync<OpenResult>(HubMessages.Open, other, "bob").WaitAsync(Timeouts.Call);
        string text = new('x', 3000);

        var first = await ann.InvokeAsync<SubmitAck>(HubMessages.Submit, busy, "ann", 1L, 0, new object[] { text }).WaitAsync(Timeouts.Call);
        string? second = await OutcomeAsync(() => bob.InvokeAsync<SubmitAck>(HubMessages.Submit, busy, "bob", 1L, 1, new object[] { 3000, text }));
        var elsewhere = await bob.InvokeAsync<SubmitAck>(HubMessages.Submit, other, "bob-other", 1L, 0, new object[] { text }).WaitAsync(Timeouts.Call);

        Assert.Equal(1, first.Revision);
        Assert.Equal(ErrorCodes.RateLimited, second);
        Assert.Equal(1, elsewhere.Revision);
        Assert.Equal(text, (await server.GetDocumentAsync(busy)).Text);
    }

    [Fact]
    public async Task RestRequests_PastTheAddressLimit_Get429ProblemDetails()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["RequestsPerSecondPerAddress"] = "5",
            ["RequestBurstPerAddress"] = "5",
        });

        var responses = await Task.WhenAll(Enumerable.Range(0, Flood).Select(_ => server.Http.GetAsync("/api/documents").WaitAsync(Timeouts.Http)));

        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"{r.StatusCode}"));
        Assert.All(refused, r => Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType));
        Assert.All(refused, r => Assert.NotNull(r.Headers.RetryAfter));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task DocumentCreates_PastTheAddressLimit_Get429AndCreateNothing()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["DocumentCreatesPerSecondPerAddress"] = "1",
            ["DocumentCreateBurstPerAddress"] = "3",
        });

        var responses = await Task.WhenAll(Enumerable.Range(0, Flood).Select(i =>
            server.Http.PostAsJsonAsync("/api/documents", new CreateDocumentRequest($"spam {i}", "")).WaitAsync(Timeouts.Http)));
        var listed = await server.Http.GetFromJsonAsync<DocumentSummary[]>("/api/documents").WaitAsync(Timeouts.Http);

        int created = responses.Count(r => r.StatusCode == HttpStatusCode.Created);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.InRange(created, 1, Flood - 1);
        Assert.Equal(created, listed!.Length);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    /// <summary>Null when the call succeeded, else its error code.</summary>
    private static async Task<string?> OutcomeAsync(Func<Task> call)
    {
        try
        {
            await call().WaitAsync(Timeouts.Call);
            return null;
        }
        catch (HubException e)
        {
            return ErrorCodes.Of(e.Message) ?? e.Message;
        }
    }
}
