using CollabEdit.Server.Tests;

namespace CollabEdit.Browser.Tests;

/// <summary>Two people in two browser contexts on one document, as they would use it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class EditorTests(BrowserFixture fixture) : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TwoPeopleTypingAtOnce_IncludingAtTheSamePositionAndAcrossSelections_Converge()
    {
        string id = await _server.CreateDocumentAsync("The quick brown fox\n");
        var (ann, bob) = await OpenAnnAndBobAsync(id);

        // Both type at the very same position at once.
        await ann.MoveToAsync(4);
        await bob.MoveToAsync(4);
        await Task.WhenAll(
            ann.Page.Keyboard.TypeAsync("slow ", new() { Delay = 15 }),
            bob.Page.Keyboard.TypeAsync("very ", new() { Delay = 15 }));

        // Ann selects "quick" while Bob types inside it; then Ann replaces her selection.
        await ann.Page.EvaluateAsync("() => { const v = window.collab.view; const i = v.state.doc.toString().indexOf('quick'); v.dispatch({ selection: { anchor: i, head: i + 5 } }); v.focus(); }");
        await bob.Page.EvaluateAsync("() => { const v = window.collab.view; const i = v.state.doc.toString().indexOf('quick'); v.dispatch({ selection: { anchor: i + 2 } }); v.focus(); }");
        await Task.WhenAll(
            bob.Page.Keyboard.TypeAsync("ZZ", new() { Delay = 10 }),
            ann.Page.Keyboard.TypeAsync("nimble", new() { Delay = 10 }));
        await Task.WhenAll(ann.Page.Keyboard.PressAsync("End"), bob.Page.Keyboard.PressAsync("End"));
        await Task.WhenAll(
            ann.Page.Keyboard.TypeAsync(" jumps 😀", new() { Delay = 5 }),
            bob.Page.Keyboard.TypeAsync(" runs", new() { Delay = 5 }));

        string server = await ConvergedAsync(id, ann, bob);

        // Typing at one position at the same instant may interleave keystrokes (each lands next to
        // the other's latest); each person's text keeps its order. A Z of Bob's that reached Ann's
        // editor before her first keystroke was inside her selection, so her replacement deleted
        // it, as any editor would; one that arrived later survives. Nothing else is lost.
        string zs = new('Z', server.Count(c => c == 'Z'));
        AssertSubsequence("slow nimble jumps 😀", server);
        AssertSubsequence($"very {zs} runs", server);
        Assert.DoesNotContain("quick", server, StringComparison.Ordinal);
        Assert.Equal("The ".Length + "slow ".Length + "very ".Length + "nimble".Length + zs.Length + " brown fox".Length + " jumps 😀".Length + " runs".Length + 1, server.Length);
        await ann.Context.CloseAsync();
        await bob.Context.CloseAsync();
    }

    [Fact]
    public async Task PeerNamesAreText_NeverHtml()
    {
        string id = await _server.CreateDocumentAsync("x");
        const string Name = "<img src=x onerror=window.pwned=1>";
        var mallory = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, Name, "#911eb4");
        var bob = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Bob", "#4363d8");

        await mallory.MoveToAsync(1);
        var label = bob.Page.Locator(".remote-caret .remote-name");
        await label.WaitForAsync();

        Assert.Equal(Name, await label.InnerTextAsync());
        Assert.Equal(Name, await bob.Page.Locator(".peer").Nth(1).InnerTextAsync());
        Assert.Equal(0, await bob.Page.Locator("img[src='x']").CountAsync());
        Assert.False(await bob.Page.EvaluateAsync<bool>("() => window.pwned === 1"));
        await mallory.Context.CloseAsync();
        await bob.Context.CloseAsync();
    }

    [Fact]
    public async Task PeersCursorAndName_AppearAndFollowEdits()
    {
        string id = await _server.CreateDocumentAsync("hello world");
        var (ann, bob) = await OpenAnnAndBobAsync(id);

        await ann.MoveToAsync(11);
        await Eventually.TrueAsync(() => bob.PeerHeadAsync("Ann").Result == 11, "Bob sees Ann's caret at the end");
        var label = bob.Page.Locator(".remote-caret .remote-name", new() { HasText = "Ann" });
        await label.WaitForAsync();
        Assert.Equal("rgb(185, 28, 28)", await label.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        Assert.Equal(1, await bob.Page.Locator(".peer", new() { HasText = "Ann" }).CountAsync());

        // Bob types before Ann's caret: on his screen her caret moves right with the text.
        await bob.MoveToAsync(0);
        await bob.Page.Keyboard.TypeAsync(">> ");
        await Eventually.TrueAsync(() => bob.PeerHeadAsync("Ann").Result == 14, "Ann's caret follows Bob's insert");
        await Eventually.TrueAsync(() => ann.PeerHeadAsync("Bob").Result == 3, "Ann sees Bob's caret after his text");
        await bob.Page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "editor-two-peers.png") });

        await ann.Context.CloseAsync();
        await Eventually.TrueAsync(() => bob.Page.Locator(".peer", new() { HasText = "Ann" }).CountAsync().Result == 0, "Ann left");
        Assert.Equal(0, await bob.Page.Locator(".remote-caret").CountAsync());
        await bob.Context.CloseAsync();
    }

    [Fact]
    public async Task GoingOfflineAndBack_LosesNoEdit()
    {
        string id = await _server.CreateDocumentAsync("start\n");
        var (ann, bob) = await OpenAnnAndBobAsync(id);

        await ann.Context.SetOfflineAsync(true);
        await ann.MoveToAsync(6);
        await ann.Page.Keyboard.TypeAsync("ann was offline\n", new() { Delay = 20 });
        await bob.MoveToAsync(0);
        await bob.Page.Keyboard.TypeAsync("bob stayed online\n", new() { Delay = 20 });
        await Eventually.TrueAsync(() => ann.StatusAsync().Result.StartsWith("offline —", StringComparison.Ordinal), "Ann's status shows her edits kept");

        // One pause-free run of typing is one edit, not 16 keystrokes.
        Assert.Equal("offline — 1 edit saved on this device", await ann.StatusAsync());

        await ann.Context.SetOfflineAsync(false);
        string server = await ConvergedAsync(id, ann, bob);

        Assert.Equal("bob stayed online\nstart\nann was offline\n", server);
        await Eventually.TrueAsync(() => ann.StatusAsync().Result == "connected", "Ann is connected again");
        await ann.Context.CloseAsync();
        await bob.Context.CloseAsync();
    }

    [Fact]
    public async Task Undo_RemovesOnlyYourOwnText()
    {
        string id = await _server.CreateDocumentAsync("base\n");
        var (ann, bob) = await OpenAnnAndBobAsync(id);

        await ann.MoveToAsync(5);
        await ann.Page.Keyboard.TypeAsync("ann types here");
        await ConvergedAsync(id, ann, bob);
        await bob.MoveToAsync(0);
        await bob.Page.Keyboard.TypeAsync("bob first ");
        await ConvergedAsync(id, ann, bob);

        await ann.Page.Keyboard.PressAsync("Control+z");
        string afterUndo = await ConvergedAsync(id, ann, bob);
        Assert.Equal("bob first base\n", afterUndo);

        await ann.Page.Keyboard.PressAsync("Control+Shift+z");
        Assert.Equal("bob first base\nann types here", await ConvergedAsync(id, ann, bob));
        await ann.Context.CloseAsync();
        await bob.Context.CloseAsync();
    }

    [Fact]
    public async Task RestoreFromHistoryPanel_ChangesTheTextForEveryone()
    {
        string id = await _server.CreateDocumentAsync("version one\n");
        var (ann, bob) = await OpenAnnAndBobAsync(id);
        await ann.MoveToAsync(12);
        await ann.Page.Keyboard.TypeAsync("more text by Ann\n");
        await ConvergedAsync(id, ann, bob);
        await bob.Page.Keyboard.PressAsync("Control+End");
        await bob.Page.Keyboard.TypeAsync("and by Bob\n");
        await ConvergedAsync(id, ann, bob);

        await ann.Page.ClickAsync("#toggle-history");
        await ann.Page.FillAsync("#version-name", "Submitted draft");
        await ann.Page.ClickAsync("#save-version");
        await ann.Page.Locator("#versions button", new() { HasText = "Submitted draft" }).WaitForAsync();
        await ann.Page.Locator("#sessions button[data-revision='0']").ClickAsync();
        await ann.Page.Locator("#revision-text").WaitForAsync();
        Assert.Equal("version one\n", await ann.Page.Locator("#revision-text").InnerTextAsync());
        await ann.Page.Locator("#revision-detail ins").First.WaitForAsync();
        await ann.Page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "history-panel.png") });

        await ann.Page.ClickAsync("#restore");
        await ann.Page.ClickAsync("#confirm-restore");
        await Eventually.TrueAsync(() => _server.GetDocumentAsync(id).Result.Text == "version one\n", "the restore is committed");

        Assert.Equal("version one\n", await ConvergedAsync(id, ann, bob));
        await ann.Context.CloseAsync();
        await bob.Context.CloseAsync();
    }

    [Fact]
    public async Task PastingOneMegabyte_Works()
    {
        string id = await _server.CreateDocumentAsync("[]");
        var (ann, bob) = await OpenAnnAndBobAsync(id);

        await ann.MoveToAsync(1);
        await ann.Page.EvaluateAsync(@"() => {
            const line = 'pasted line of text with some ümlauts and an emoji 😀'.padEnd(63, '.') + '\n';
            const data = new DataTransfer();
            data.setData('text/plain', line.repeat(16384));
            window.collab.view.contentDOM.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
        }");

        string server = await ConvergedAsync(id, ann, bob);
        Assert.Equal(16384 * 64 + 2, server.Length);
        await ann.Context.CloseAsync();
        await bob.Context.CloseAsync();
    }

    private async Task<(EditorPage Ann, EditorPage Bob)> OpenAnnAndBobAsync(string id) =>
        (await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#b91c1c"),
         await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Bob", "#1d4ed8"));

    /// <summary>Waits until both pages and the server hold the same text, and returns it.</summary>
    private async Task<string> ConvergedAsync(string id, params EditorPage[] pages)
    {
        string server = "";
        string[] texts = [];
        var deadline = DateTime.UtcNow + Timeouts.Converge;
        while (DateTime.UtcNow < deadline)
        {
            server = (await _server.GetDocumentAsync(id)).Text;
            texts = await Task.WhenAll(pages.Select(p => p.TextAsync()));
            bool idle = (await Task.WhenAll(pages.Select(p => p.StatusAsync()))).All(s => s == "connected");
            if (idle && texts.All(t => t == server))
            {
                return server;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"Not converged. Server: {Show(server)}\n" + string.Join("\n", texts.Select(Show)));
        return server;
    }

    private static void AssertSubsequence(string expected, string actual)
    {
        int at = 0;
        foreach (char c in expected)
        {
            at = actual.IndexOf(c, at) + 1;
            Assert.True(at > 0, $"\"{expected}\" is not in order in \"{actual}\"");
        }
    }

    private static string Show(string text) => text.Length > 200 ? $"[{text.Length} chars] {text[..100]}…" : text;
}
