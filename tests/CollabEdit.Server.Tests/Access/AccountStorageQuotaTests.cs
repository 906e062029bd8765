using System.Net;
using System.Net.Http.Json;
using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests.Access;

/// <summary>
/// CollabEdit:Auth:MaxStoredBytesPerAccount: the documents an account owns share one storage quota.
/// Once they hold it, a submit to any of them, a restore and a create are refused quota-exceeded
/// (REST 507) and change nothing; another account's documents are not affected.
/// </summary>
public sealed class AccountStorageQuotaTests
{
    [Fact]
    public async Task AnAccountsDocuments_ShareOneQuota_SubmitsRestoresAndCreatesPastItAreRefused()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Auth:MaxStoredBytesPerAccount"] = "100000" });
        string first = await server.CreateDocumentAsync("a");
        string second = await server.CreateDocumentAsync("b");
        var (_, otherHttp) = await server.SignUpAsync("someone-else");
        var connection = await server.ConnectAsync();
        await connection.InvokeAsync<OpenResult>(HubMessages.Open, first, "me").WaitAsync(Timeouts.Call);
        await connection.InvokeAsync<OpenResult>(HubMessages.Open, second, "me").WaitAsync(Timeouts.Call);

        // 1,000-character inserts, into the first document until the account's quota refuses one.
        int revision = 0;
        HubException? refused = null;
        for (long seq = 1; seq <= 100 && refused is null; seq++)
        {
            try
            {
                revision = await SubmitAsync(connection, first, seq, revision, 1 + (1000 * revision));
            }
            catch (HubException e)
            {
                refused = e;
            }
        }

        var secondRefused = await Assert.ThrowsAsync<HubException>(() => SubmitAsync(connection, second, 1, 0, 1));
        // Taking the text back to "a" is a small op and fits; bringing it all back again does not.
        var shrink = await server.Http.PostAsJsonAsync($"/api/documents/{first}/restore", new RestoreRequest(0));
        var restore = await server.Http.PostAsJsonAsync($"/api/documents/{first}/restore", new RestoreRequest(revision));
        // More than one refused insert counted: more than the room left.
        var create = await server.Http.PostAsJsonAsync("/api/documents", new CreateDocumentRequest("more", new string('x', 20_000)));
        var othersCreate = await otherHttp.PostAsJsonAsync("/api/documents", new CreateDocumentRequest("theirs", "fine"));

        Assert.NotNull(refused);
        Assert.Equal(ErrorCodes.QuotaExceeded, ErrorCodes.Of(refused.Message));
        Assert.InRange(revision, 2, 99);
        Assert.Equal(ErrorCodes.QuotaExceeded, ErrorCodes.Of(secondRefused.Message));
        Assert.Equal(HttpStatusCode.OK, shrink.StatusCode);
        Assert.Equal(HttpStatusCode.InsufficientStorage, restore.StatusCode);
        Assert.Equal(ErrorCodes.QuotaExceeded, (await restore.Content.ReadFromJsonAsync<ProblemDetails>())!.Title);
        Assert.Equal(HttpStatusCode.InsufficientStorage, create.StatusCode);
        Assert.Equal(ErrorCodes.QuotaExceeded, (await create.Content.ReadFromJsonAsync<ProblemDetails>())!.Title);
        Assert.Equal(HttpStatusCode.Created, othersCreate.StatusCode);
        var firstNow = await server.GetDocumentAsync(first);
        Assert.Equal((revision + 1, "a"), (firstNow.Revision, firstNow.Text));
        Assert.Equal(0, (await server.GetDocumentAsync(second)).Revision);
        Assert.Equal(2, (await server.Http.GetFromJsonAsync<DocumentSummary[]>("/api/documents"))!.Length);
    }

    private static async Task<int> SubmitAsync(HubConnection connection, string id, long seq, int baseRevision, int length) =>
        (await connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "client-q", seq, baseRevision, new object[] { length, new string('x', 1000) })
            .WaitAsync(Timeouts.Call)).Revision;
}
