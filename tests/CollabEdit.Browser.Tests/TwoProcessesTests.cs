using System.Net.Http.Json;
using CollabEdit.Server.Api;
using CollabEdit.Server.Tests;
using CollabEdit.Server.Tests.Storage;

namespace CollabEdit.Browser.Tests;

/// <summary>
/// Two people in two browsers, each connected to a different server process on one PostgreSQL
/// database: they see each other's text and carets as on one process.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TwoProcessesTests(BrowserFixture fixture)
{
    [SkippableFact]
    public async Task TwoBrowsersOnTwoProcesses_SeeEachOthersTextAndCarets()
    {
        string connectionString = await TestPostgres.NewSchemaAsync("browser");
        using var first = ServerProcess.StartOnPostgres(connectionString);
        using var second = ServerProcess.StartOnPostgres(connectionString);
        try
        {
            await Task.WhenAll(first.WaitHealthyAsync(), second.WaitHealthyAsync());
            using var owner = await first.OwnerHttpAsync();
            var created = await owner.PostAsJsonAsync("/api/documents", new CreateDocumentRequest("two processes", "Shared plan\n"));
            created.EnsureSuccessStatusCode();
            string id = (await created.Content.ReadFromJsonAsync<DocumentDetails>())!.Id;

            var ann = await EditorPage.OpenAsync(fixture.Browser, first.BaseUri, id, "Ann", "#b91c1c");
            var bob = await EditorPage.OpenAsync(fixture.Browser, second.BaseUri, id, "Bob", "#1d4ed8");

            // Text typed on either process reaches the other.
            await ann.MoveToAsync(0);
            await ann.Page.Keyboard.TypeAsync("Ann: ", new() { Delay = 10 });
            await bob.Page.EvaluateAsync("() => { const v = window.collab.view; v.dispatch({ selection: { anchor: v.state.doc.length } }); v.focus(); }");
            await bob.Page.Keyboard.TypeAsync("Bob was here", new() { Delay = 10 });
            await Eventually.TrueAsync(
                () => ann.TextAsync().Result == bob.TextAsync().Result && ann.TextAsync().Result.Contains("Bob was here", StringComparison.Ordinal),
                "both browsers show both people's text");
            Assert.Equal("Ann: Shared plan\nBob was here", await ann.TextAsync());

            // And each sees where the other's caret is.
            await ann.MoveToAsync(3);
            await Eventually.TrueAsync(() => bob.PeerHeadAsync("Ann").Result == 3, "Bob sees Ann's caret");
            int bobAt = "Ann: Shared plan\nBob was here".Length;
            await Eventually.TrueAsync(() => ann.PeerHeadAsync("Bob").Result == bobAt, "Ann sees Bob's caret");
            await ann.Context.CloseAsync();
            await bob.Context.CloseAsync();
        }
        finally
        {
            TestPostgres.DropSchema(connectionString);
        }
    }
}
