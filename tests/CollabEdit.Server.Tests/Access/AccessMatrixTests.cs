using System.Net;
using System.Net.Http.Json;
using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using CollabEdit.Server.Documents;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests.Access;

/// <summary>
/// Who may do what, as one table: every role × every hub method and every REST route, over a real
/// server and real SignalR. Each cell runs on a document of its own, set up the same way: the owner
/// gave the editor and viewer accounts their roles and made a view link and an edit link.
/// </summary>
public sealed class AccessMatrixTests : IAsyncLifetime
{
    // A: allowed. F: forbidden (403 / forbidden: may view, may not do this). N: exactly as a missing
    // document (404 / not-found). U: 401, sign in first. H: allowed, but the document is not listed.
    private static readonly string[] Roles = ["owner", "editor", "viewer", "view link", "edit link", "stranger", "other account"];

    private static readonly Dictionary<string, string> Expected = new()
    {
        //                                         owner editor viewer vlink elink stranger other
        ["hub Open"] =                            "A     A      A      A     A     N        N",
        ["hub Submit"] =                          "A     A      F      F     A     N        N",
        ["hub Catchup"] =                         "A     A      F      F     A     N        N",
        ["hub SetPresence"] =                     "A     A      F      F     A     N        N",
        ["hub Close"] =                           "A     A      A      A     A     A        A",
        ["hub Authorship"] =                      "A     A      A      A     A     N        N",
        ["GET /api/documents"] =                  "A     A      A      U     U     U        H",
        ["POST /api/documents"] =                 "A     A      A      U     U     U        A",
        ["POST /api/documents/import"] =          "A     A      A      U     U     U        A",
        ["GET /api/documents/{id}/download"] =    "A     A      A      A     A     N        N",
        ["GET /api/documents/{id}/sessions"] =    "A     A      F      F     A     N        N",
        ["GET /api/documents/{id}/compare"] =     "A     A      F      F     A     N        N",
        ["GET /api/documents/{id}/authorship"] =  "A     A      F      F     A     N        N",
        ["GET /api/documents/{id}/revisions/{revision:int}/download"] = "A A F F A N N",
        ["GET /api/documents/{id}"] =             "A     A      A      A     A     N        N",
        ["PATCH /api/documents/{id}"] =           "A     A      F      F     A     N        N",
        ["GET /api/documents/{id}/history"] =     "A     A      F      F     A     N        N",
        ["GET /api/documents/{id}/revisions/{revision:int}"] = "A A F F A N N",
        ["GET /api/documents/{id}/diff"] =        "A     A      F      F     A     N        N",
        ["GET /api/documents/{id}/versions"] =    "A     A      F      F     A     N        N",
        ["POST /api/documents/{id}/versions"] =   "A     A      F      F     A     N        N",
        ["POST /api/documents/{id}/restore"] =    "A     A      F      F     A     N        N",
        ["GET /api/documents/{id}/access"] =      "A     F      F      F     F     N        N",
        ["PUT /api/documents/{id}/access"] =      "A     F      F      F     F     N        N",
        ["DELETE /api/documents/{id}/access/{accountId}"] = "A F F  F     F     N        N",
        ["POST /api/documents/{id}/links"] =      "A     F      F      F     F     N        N",
        ["PUT /api/documents/{id}/links/{linkId}"] = "A      F      F      F     F     N        N",
        ["DELETE /api/documents/{id}/links/{linkId}"] = "A   F      F      F     F     N        N",
        ["GET /api/documents/{id}/audit"] =       "A     F      F      F     F     N        N",
        ["DELETE /api/documents/{id}"] =          "A     F      F      F     F     N        N",
        ["GET /api/trash"] =                      "A     A      A      U     U     U        A",
        ["POST /api/trash/{trashedId}/restore"] = "A     N      N      U     U     U        N",
        ["DELETE /api/trash/{trashedId}"] =       "A     N      N      U     U     U        N",
        ["POST /api/links/redeem"] =              "N     N      N      A     A     N        N",
        ["GET /api/limits"] =                     "A     A      A      A     A     A        A",
        ["GET /api/account/me"] =                 "A     A      A      U     U     U        A",
        ["POST /api/account/signup"] =            "A     A      A      A     A     A        A",
        ["POST /api/account/signin"] =            "A     A      A      A     A     A        A",
        ["POST /api/account/signout"] =           "A     A      A      A     A     A        A",
    };

    private RunningServer _server = null!;
    private Dictionary<string, (string Token, HttpClient Http)> _accounts = null!;

    public async Task InitializeAsync()
    {
        // A document of its own for each of ~200 cells, from one address and one owner: the rate limits are lifted.
        _server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["DocumentCreatesPerSecondPerAddress"] = "100000",
            ["DocumentCreateBurstPerAddress"] = "100000",
            ["RequestsPerSecondPerAddress"] = "100000",
            ["RequestBurstPerAddress"] = "100000",
            ["Auth:ChangesPerSecondPerAccount"] = "100000",
        });
        _accounts = new()
        {
            ["editor"] = await _server.SignUpAsync("editor"),
            ["viewer"] = await _server.SignUpAsync("viewer"),
            ["other account"] = await _server.SignUpAsync("other"),
        };
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>The table itself names every hub method and every REST route, so a new one fails here until it has a row.</summary>
    [Fact]
    public void Table_HasARowForEveryHubMethodAndRestRoute()
    {
        var rows = AccessCoverageTests.HubMethods().Select(m => $"hub {m.Name}").Concat(AccessCoverageTests.RestRoutes(_server.App)).ToList();
        Assert.Empty(rows.Except(Expected.Keys));
        Assert.Empty(Expected.Keys.Except(rows));
    }

    [Fact]
    public async Task EveryRole_GetsWhatTheTableSays_OnEveryHubMethodAndRoute()
    {
        var failures = new List<string>();
        foreach (var (action, row) in Expected)
        {
            string[] cells = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(Roles.Length, cells.Length);
            // A row's cells at once, each on its own document: they share nothing.
            string[] actual = await Task.WhenAll(Roles.Select(async role => await OutcomeAsync(action, role, await SetUpDocumentAsync())));
            for (int r = 0; r < Roles.Length; r++)
            {
                if (actual[r] != cells[r])
                {
                    failures.Add($"{action} as {Roles[r]}: expected {cells[r]}, got {actual[r]}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private sealed record Setup(string Id, string ViewLink, string EditLink, string EditLinkId, string EditorId);

    private async Task<Setup> SetUpDocumentAsync()
    {
        string id = await _server.CreateDocumentAsync("abc");
        foreach (string role in new[] { "editor", "viewer" })
        {
            (await _server.Http.PutAsJsonAsync($"/api/documents/{id}/access", new GrantRequest(role, role))).EnsureSuccessStatusCode();
        }

        var view = await CreateLinkAsync(id, "viewer");
        var edit = await CreateLinkAsync(id, "editor");
        var access = await _server.Http.GetFromJsonAsync<AccessList>($"/api/documents/{id}/access");
        return new Setup(id, view.Token!, edit.Token!, edit.Id, access!.Grants.Single(g => g.UserName == "editor").AccountId);
    }

    private async Task<LinkInfo> CreateLinkAsync(string id, string role)
    {
        var response = await _server.Http.PostAsJsonAsync($"/api/documents/{id}/links", new CreateLinkRequest(role));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<LinkInfo>())!;
    }

    private async Task<string> OutcomeAsync(string action, string role, Setup setup)
    {
        return action.StartsWith("hub ", StringComparison.Ordinal)
            ? await HubOutcomeAsync(action[4..], role, setup)
            : await RestOutcomeAsync(action, role, setup);
    }

    private async Task<string> HubOutcomeAsync(string method, string role, Setup setup)
    {
        var connection = role switch
        {
            "owner" => await _server.ConnectAsAsync(_server.OwnerToken),
            "view link" => await _server.ConnectAsAsync(null, setup.ViewLink),
            "edit link" => await _server.ConnectAsAsync(null, setup.EditLink),
            "stranger" => await _server.ConnectAsAsync(null),
            _ => await _server.ConnectAsAsync(_accounts[role].Token),
        };

        // Every method but Open is called on a document the connection opened, when it may.
        string id = setup.Id;
        if (method != HubMessages.Open)
        {
            try
            {
                await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "me").WaitAsync(Timeouts.Call);
            }
            catch (HubException)
            {
            }
        }

        try
        {
            Task call = method switch
            {
                HubMessages.Open => connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "me"),
                HubMessages.Submit => connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "matrix", 1L, 0, new object[] { 3, "!" }),
                HubMessages.Catchup => connection.InvokeAsync<CommittedOpMessage[]>(HubMessages.Catchup, id, 0),
                HubMessages.SetPresence => connection.InvokeAsync(HubMessages.SetPresence, id, new PresenceInput(null, null, 1, 1)),
                HubMessages.Close => connection.InvokeAsync(HubMessages.Close, id),
                HubMessages.Authorship => connection.InvokeAsync<AuthorshipMessage>(HubMessages.Authorship, id),
                _ => throw new InvalidOperationException($"No call for hub method {method}."),
            };
            await call.WaitAsync(Timeouts.Call);
            return "A";
        }
        catch (HubException e)
        {
            return ErrorCodes.Of(e.Message) switch
            {
                ErrorCodes.NotFound => "N",
                ErrorCodes.Forbidden => "F",
                var other => $"error {other}: {e.Message}",
            };
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    private async Task<string> RestOutcomeAsync(string action, string role, Setup setup)
    {
        string trashed = "";
        if (action.Contains("{trashedId}", StringComparison.Ordinal))
        {
            trashed = await _server.CreateDocumentAsync("in the trash");
            (await _server.Http.DeleteAsync($"/api/documents/{trashed}")).EnsureSuccessStatusCode();
        }

        var http = role switch
        {
            "owner" => _server.Http,
            "editor" or "viewer" or "other account" => _accounts[role].Http,
            _ => _server.NewHttpClient(),
        };
        string? link = role switch
        {
            "view link" => setup.ViewLink,
            "edit link" => setup.EditLink,
            _ => null,
        };
        string[] parts = action.Split(' ');
        string path = parts[1].Replace("{id}", setup.Id, StringComparison.Ordinal)
            .Replace("{accountId}", setup.EditorId, StringComparison.Ordinal)
            .Replace("{linkId}", setup.EditLinkId, StringComparison.Ordinal)
            .Replace("{trashedId}", trashed, StringComparison.Ordinal)
            .Replace("{revision:int}", "0", StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(parts[0]), path);
        request.Content = (parts[0], parts[1]) switch
        {
            ("POST", "/api/documents") => JsonContent.Create(new CreateDocumentRequest("new", "")),
            ("POST", "/api/documents/import") => new StringContent("imported", System.Text.Encoding.UTF8, "text/plain"),
            ("POST", "/api/documents/{id}/versions") => JsonContent.Create(new CreateVersionRequest("v", 0)),
            ("POST", "/api/documents/{id}/restore") => JsonContent.Create(new RestoreRequest(0)),
            ("PUT", "/api/documents/{id}/access") => JsonContent.Create(new GrantRequest("other", "viewer")),
            ("PATCH", "/api/documents/{id}") => JsonContent.Create(new RenameRequest("renamed")),
            ("PUT", "/api/documents/{id}/links/{linkId}") => JsonContent.Create(new CreateLinkRequest("viewer")),
            ("POST", "/api/documents/{id}/links") => JsonContent.Create(new CreateLinkRequest("viewer")),
            ("POST", "/api/links/redeem") => JsonContent.Create(new RedeemRequest(link ?? "not-a-link-token-of-this-server")),
            ("POST", "/api/account/signup") => JsonContent.Create(new SignUpRequest($"new{Guid.NewGuid():N}", $"{Guid.NewGuid():N}@example.invalid", RunningServer.Password, null)),
            ("POST", "/api/account/signin") => JsonContent.Create(new SignInRequest(RunningServer.OwnerName, RunningServer.Password)),
            _ => null,
        };
        if (link is not null)
        {
            request.Headers.Add(DocumentAccessFilter.LinkHeader, link);
        }

        using var response = await http.SendAsync(request).WaitAsync(Timeouts.Http);
        if (action == "GET /api/documents" && response.IsSuccessStatusCode)
        {
            var list = await response.Content.ReadFromJsonAsync<DocumentSummary[]>();
            return list!.Any(d => d.Id == setup.Id) ? "A" : "H";
        }

        return response.StatusCode switch
        {
            _ when response.IsSuccessStatusCode => "A",
            HttpStatusCode.NotFound when parts[1].Contains("{id}", StringComparison.Ordinal) => await NotFoundLikeMissingAsync(response, setup.Id),
            HttpStatusCode.NotFound => "N",
            HttpStatusCode.Forbidden => "F",
            HttpStatusCode.Unauthorized => "U",
            var status => $"status {(int)status}: {await response.Content.ReadAsStringAsync()}",
        };
    }

    /// <summary>"N" only if the answer is what a document that does not exist gets (all but the trace id, which every answer has its own of).</summary>
    private async Task<string> NotFoundLikeMissingAsync(HttpResponseMessage response, string id)
    {
        string body = WithoutTraceId(await response.Content.ReadAsStringAsync());
        string missing = DocumentIds.New();
        using var probe = await _server.Http.GetAsync($"/api/documents/{missing}");
        string expected = WithoutTraceId(await probe.Content.ReadAsStringAsync()).Replace(missing, id, StringComparison.Ordinal);
        return body == expected ? "N" : $"404 unlike a missing document: {body} vs {expected}";
    }

    private static string WithoutTraceId(string problem) =>
        System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "\"traceId\":\"\"");
}
