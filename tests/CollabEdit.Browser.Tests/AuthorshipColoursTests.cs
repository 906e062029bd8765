using System.Text.Json;
using CollabEdit.Server.Tests;

namespace CollabEdit.Browser.Tests;

/// <summary>
/// Who wrote what, as the page shows it: the Authors toggle colours the text by author with a
/// legend, a passage names its author on hover, and after two browsers typed at once and one
/// restored, the page's colours still match who typed each character (the server's record).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AuthorshipColoursTests(BrowserFixture fixture) : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AfterConcurrentEditsAndARestore_TheColoursMatchWhoTypedWhat()
    {
        string id = await _server.CreateDocumentAsync("middle\n");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#b91c1c");
        var bob = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Bob", "#1d4ed8");

        // Both switch the colours on first, so every later change is kept up to date locally.
        await ann.Page.ClickAsync("#toggle-authorship");
        await bob.Page.ClickAsync("#toggle-authorship");
        await ann.Page.WaitForFunctionAsync("() => window.collab.authorship() !== null");
        await bob.Page.WaitForFunctionAsync("() => window.collab.authorship() !== null");

        await ann.MoveToAsync(0);
        await bob.MoveToAsync(7);
        await Task.WhenAll(
            ann.Page.Keyboard.TypeAsync("AAAA 😀 ", new() { Delay = 15 }),
            bob.Page.Keyboard.TypeAsync("BBBB 漢字", new() { Delay = 15 }));
        string text = await ConvergedAsync(id, ann, bob);
        Assert.Equal("AAAA 😀 middle\nBBBB 漢字", text);
        int beforeRestore = (await _server.GetDocumentAsync(id)).Revision;

        // An op from a peer the page had no author for yet makes it ask the server again: the
        // colours settle on the server's record within moments.
        string[] recorded = await ServerOwnersAsync(id);
        foreach (var page in new[] { ann, bob })
        {
            await Eventually.TrueAsync(() => PageOwnersAsync(page).Result.SequenceEqual(recorded), "the page's colours match the server's record");
            string[] owners = await PageOwnersAsync(page);
            Assert.Equal(text.Length, owners.Length);
            Assert.All(owners[.."AAAA 😀 ".Length], o => Assert.Equal("Ann", o));
            Assert.All(owners["AAAA 😀 middle\n".Length..], o => Assert.Equal("Bob", o));
        }

        // Hovering a passage says who wrote it; the legend names both.
        var bobsRun = ann.Page.Locator(".cm-content .author-run", new() { HasText = "BBBB" }).First;
        Assert.StartsWith("Bob", await bobsRun.GetAttributeAsync("title") ?? "", StringComparison.Ordinal);
        Assert.Matches(@"\d{1,2}:\d{2}", await bobsRun.GetAttributeAsync("title") ?? "");
        await ann.Page.Locator("#authorship-legend li", new() { HasText = "Bob" }).WaitForAsync();
        await ann.Page.Locator("#authorship-legend li", new() { HasText = "Ann" }).WaitForAsync();
        await ann.Page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "authorship.png") });

        // Bob types more, then Ann restores the revision before it: both pages still agree with the server.
        await bob.Page.Keyboard.TypeAsync(" more", new() { Delay = 15 });
        await ConvergedAsync(id, ann, bob);
        await ann.Page.ClickAsync("#toggle-history");
        // Typing at once made short alternating sessions: open them until the revision shows.
        var target = ann.Page.Locator($"#sessions button[data-revision='{beforeRestore}']");
        await ann.Page.Locator("#sessions li.session").First.WaitForAsync();
        for (int i = 0; await target.CountAsync() == 0; i++)
        {
            await ann.Page.Locator("#sessions li.session .session-head").Nth(i).ClickAsync();
            await ann.Page.Locator("#sessions li.session").Nth(i).Locator("ol.revisions li").First.WaitForAsync();
        }

        await target.ClickAsync();
        await ann.Page.ClickAsync("#restore");
        await ann.Page.ClickAsync("#confirm-restore");
        await Eventually.TrueAsync(() => _server.GetDocumentAsync(id).Result.Text == text, "the restore is committed");
        await ConvergedAsync(id, ann, bob);
        string[] expected = await ServerOwnersAsync(id);
        foreach (var page in new[] { ann, bob })
        {
            await Eventually.TrueAsync(() => PageOwnersAsync(page).Result.SequenceEqual(expected), "the page's colours match the server's record");
        }

        await ann.Context.CloseAsync();
        await bob.Context.CloseAsync();
    }

    /// <summary>The author's name of every UTF-16 unit, as the page keeps them.</summary>
    private static async Task<string[]> PageOwnersAsync(EditorPage page)
    {
        await page.Page.WaitForFunctionAsync("() => window.collab.authorship() !== null");
        return await page.Page.EvaluateAsync<string[]>("() => window.collab.authorship().flatMap(s => Array(s.length).fill(s.authorName))");
    }

    /// <summary>The author's name of every UTF-16 unit, as the server records them now.</summary>
    private async Task<string[]> ServerOwnersAsync(string id)
    {
        using var json = JsonDocument.Parse(await _server.Http.GetStringAsync($"/api/documents/{id}/authorship"));
        return [.. json.RootElement.GetProperty("spans").EnumerateArray()
            .SelectMany(s => Enumerable.Repeat(s.GetProperty("authorName").GetString()!, s.GetProperty("length").GetInt32()))];
    }

    private async Task<string> ConvergedAsync(string id, params EditorPage[] pages)
    {
        var deadline = DateTime.UtcNow + Timeouts.Converge;
        while (true)
        {
            string server = (await _server.GetDocumentAsync(id)).Text;
            string[] texts = await Task.WhenAll(pages.Select(p => p.TextAsync()));
            bool idle = (await Task.WhenAll(pages.Select(p => p.StatusAsync()))).All(s => s == "connected");
            if (idle && texts.All(t => t == server))
            {
                return server;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Not converged. Server: {server}\n{string.Join("\n", texts)}");
            await Task.Delay(50);
        }
    }
}
