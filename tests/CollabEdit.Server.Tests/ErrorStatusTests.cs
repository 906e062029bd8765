using System.Net;
using System.Net.Http.Json;
using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using CollabEdit.Server.Documents;
using CollabEdit.Server.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Server.Tests;

/// <summary>Every error code reaches a REST client as a problem detail with its own status, titled with the code.</summary>
public sealed class ErrorStatusTests
{
    public static TheoryData<string, int> Codes => new()
    {
        { ErrorCodes.NotFound, 404 },
        { ErrorCodes.InvalidOp, 400 },
        { ErrorCodes.RevisionTooOld, 409 },
        { ErrorCodes.TooLarge, 413 },
        { ErrorCodes.Forbidden, 403 },
        { ErrorCodes.RateLimited, 429 },
        { ErrorCodes.Unavailable, 503 },
        { ErrorCodes.QuotaExceeded, 507 },
    };

    [Fact]
    public void Codes_CoverEveryErrorCode()
    {
        Assert.Equal(ErrorCodes.All.Order(), Codes.Select(row => (string)row[0]).Order());
    }

    [Fact]
    public void BrowserClient_ReadsEveryErrorCode()
    {
        // An error code the browser cannot read leaves its op in flight for ever (taken for a dropped connection).
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "CollabEdit.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("No repository root above the test binaries.");
        }

        string script = File.ReadAllText(Path.Combine(root.FullName, "wwwroot", "js", "connection.js"));
        string pattern = script.Split('\n').Single(line => line.Contains("const match = /(?:HubException: )?(", StringComparison.Ordinal));

        Assert.All(ErrorCodes.All, code => Assert.Contains($"{code}|", pattern.Replace(")", "|", StringComparison.Ordinal), StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public async Task Handler_ARefusalWithACode_IsAProblemWithTheCodesStatus(string code, int status)
    {
        var (context, body) = NewContext();
        var handler = new CollabExceptionHandler(context.RequestServices.GetRequiredService<IProblemDetailsService>());

        bool handled = await handler.TryHandleAsync(context, new CollabException(code, "why"), CancellationToken.None);

        Assert.True(handled);
        Assert.Equal(status, context.Response.StatusCode);
        var problem = await ReadProblemAsync(body);
        Assert.Equal(code, problem.Title);
        Assert.Equal("why", problem.Detail);
        Assert.Equal(status, problem.Status);
        Assert.Equal(code == ErrorCodes.Unavailable, context.Response.Headers.RetryAfter.Count > 0);
    }

    [Fact]
    public async Task Handler_AnUnexpectedException_IsLeftToTheDefault500()
    {
        var (context, _) = NewContext();
        var handler = new CollabExceptionHandler(context.RequestServices.GetRequiredService<IProblemDetailsService>());

        Assert.False(await handler.TryHandleAsync(context, new InvalidOperationException("a bug"), CancellationToken.None));
    }

    [Fact]
    public async Task CreateDocument_WhileStorageFails_Is503WithRetryAfter()
    {
        var faults = new FailingWrites();
        await using var server = await RunningServer.StartAsync(services: s => s.AddSingleton<IWriteFaultInjector>(faults));
        faults.Failing = true;

        var response = await server.Http.PostAsJsonAsync("/api/documents", new CreateDocumentRequest("t", "x")).WaitAsync(Timeouts.Http);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal(ErrorCodes.Unavailable, problem!.Title);
    }

    private static (DefaultHttpContext Context, MemoryStream Body) NewContext()
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var body = new MemoryStream();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = body;
        return (context, body);
    }

    private static async Task<ProblemDetails> ReadProblemAsync(MemoryStream body)
    {
        body.Position = 0;
        return (await System.Text.Json.JsonSerializer.DeserializeAsync<ProblemDetails>(body, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)))!;
    }

    private sealed class FailingWrites : IWriteFaultInjector
    {
        public volatile bool Failing;

        public void BeforeCommit()
        {
            if (Failing)
            {
                throw new IOException("Injected failure: no space left on device.");
            }
        }
    }
}
