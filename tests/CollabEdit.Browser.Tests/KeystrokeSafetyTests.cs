using System.Net.Http.Json;
using CollabEdit.Server.Api;
using CollabEdit.Server.Tests;
using Microsoft.Playwright;

namespace CollabEdit.Browser.Tests;

/// <summary>
/// No typed text is lost, as a person would try it in a real browser against a real server and
/// LiteDB file: offline edits survive a reload, a closed tab and a server restart; a refused edit
/// is taken back alone; any document can be cleared; a deleted document keeps the text on screen;
/// the status says what is true.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class KeystrokeSafetyTests(BrowserFixture fixture) : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task OfflineEdits_SurviveAReload_AndReachTheServerExactlyOnce()
    {
        string id = await _server.CreateDocumentAsync("start\n");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#e6194b");
        await WhenControlledByServiceWorkerAsync(ann.Page);

        await ann.Context.SetOfflineAsync(true);
        await ann.MoveToAsync(6);
        await ann.Page.Keyboard.TypeAsync("typed offline", new() { Delay = 10 });
        await WhenStatusAsync(ann.Page, "offline — 1 edit saved on this device");
        await ann.Page.ReloadAsync();

        // Offline, the page comes from the service worker and the text from the device.
        await WhenStatusAsync(ann.Page, "offline — 1 edit saved on this device");
        Assert.Equal("start\ntyped offline", await ann.TextAsync());
        Assert.Equal("start\n", (await _server.GetDocumentAsync(id)).Text);

        await ann.Context.SetOfflineAsync(false);
        await WhenStatusAsync(ann.Page, "connected");
        await ServerTextAsync(id, "start\ntyped offline");
        int revision = (await _server.GetDocumentAsync(id)).Revision;

        // A second reload online shows the same text: nothing is sent twice.
        await ann.Page.ReloadAsync();
        await WhenStatusAsync(ann.Page, "connected");
        Assert.Equal("start\ntyped offline", await ann.TextAsync());
        Assert.Equal(revision, (await _server.GetDocumentAsync(id)).Revision);
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task EditsInAClosedTab_AreRestoredAndSent_WhenTheDocumentIsOpenedAgain()
    {
        string id = await _server.CreateDocumentAsync("");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#e6194b");
        await ann.Context.SetOfflineAsync(true);
        await ann.Page.Keyboard.TypeAsync("written before closing", new() { Delay = 10 });
        await WhenStatusAsync(ann.Page, "offline — 1 edit saved on this device");

        await ann.Page.CloseAsync();
        await ann.Context.SetOfflineAsync(false);
        var again = await ann.Context.NewPageAsync();
        PageLog.For(again);
        await again.GotoAsync($"/d/{id}");

        await WhenStatusAsync(again, "connected");
        await ServerTextAsync(id, "written before closing");
        Assert.Equal("written before closing", await again.EvaluateAsync<string>("() => window.collab.text()"));
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task TheAppOpensWhileTheServerIsDown_AndSendsItsEditsWhenItIsBack()
    {
        var server = await RunningServer.StartAsync(url: new Uri($"http://127.0.0.1:{ServerProcess.FreePort()}"));
        server.KeepData = true;
        string id = await server.CreateDocumentAsync("kept\n");
        var ann = await EditorPage.OpenAsync(fixture.Browser, server.BaseUri, id, "Ann", "#e6194b");
        await WhenControlledByServiceWorkerAsync(ann.Page);
        await server.DisposeAsync();

        await ann.MoveToAsync(5);
        await ann.Page.Keyboard.TypeAsync("while the server was down", new() { Delay = 5 });
        await WhenStatusContainsAsync(ann.Page, "1 edit saved on this device");
        await ann.Page.ReloadAsync();
        await WhenStatusContainsAsync(ann.Page, "1 edit saved on this device");
        Assert.Equal("kept\nwhile the server was down", await ann.TextAsync());

        await using var restarted = await RunningServer.StartAsync(server.DataPath, url: server.BaseUri);
        await WhenStatusAsync(ann.Page, "connected");
        Assert.Equal("kept\nwhile the server was down", (await restarted.GetDocumentAsync(id)).Text);
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task ADocumentOpenedBefore_OpensOfflineWithItsLastKnownText_AndCanBeEdited()
    {
        string id = await _server.CreateDocumentAsync("seen before\n");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#e6194b");
        await WhenControlledByServiceWorkerAsync(ann.Page);
        await ann.Page.WaitForTimeoutAsync(1000); // the synchronized text reaches the device shortly after opening
        await ann.Page.CloseAsync();
        await ann.Context.SetOfflineAsync(true);

        var offline = await ann.Context.NewPageAsync();
        await offline.GotoAsync($"/d/{id}");

        await WhenStatusAsync(offline, "offline");
        Assert.Equal("seen before\n", await offline.EvaluateAsync<string>("() => window.collab.text()"));
        Assert.Equal("Test", await offline.Locator("#title").InnerTextAsync());
        await offline.EvaluateAsync("() => { const v = window.collab.view; v.dispatch({ selection: { anchor: 12 } }); v.focus(); }");
        await offline.Keyboard.TypeAsync("and offline");
        await WhenStatusAsync(offline, "offline — 1 edit saved on this device");
        await ann.Context.SetOfflineAsync(false);
        await ServerTextAsync(id, "seen before\nand offline");
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task ARestoredEditTooFarBehindToMerge_KeepsItsTextOnScreen_ToDownloadOrSave()
    {
        // Nothing read from storage past the lag (MaxResendLag 0), so the browser's handling of revision-too-old is what is tested.
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxRevisionLag"] = "5", ["MaxResendLag"] = "0" });
        string id = await server.CreateDocumentAsync("");
        var ann = await EditorPage.OpenAsync(fixture.Browser, server.BaseUri, id, "Ann", "#e6194b");
        await WhenControlledByServiceWorkerAsync(ann.Page);
        await ann.Context.SetOfflineAsync(true);
        await ann.ClickEditorAsync();
        await ann.Page.Keyboard.TypeAsync("mine");
        await WhenStatusAsync(ann.Page, "offline — 1 edit saved on this device");
        await ann.Page.ReloadAsync();
        await WhenStatusAsync(ann.Page, "offline — 1 edit saved on this device");

        // Meanwhile the document moves on by more than the server keeps to recognise a resent op.
        await MoveOnAsync(server, id, 10);
        await ann.Context.SetOfflineAsync(false);

        // Whether the restored op already reached the server cannot be known: the text stays, read-only.
        await WhenStatusAsync(ann.Page, "out of date");
        await ann.Page.Locator(".notice", new() { HasText = "too far behind" }).WaitForAsync();
        Assert.Equal("mine", await ann.TextAsync());
        Assert.Equal("false", await ann.Page.Locator(".cm-content").GetAttributeAsync("contenteditable"));
        var download = await ann.Page.RunAndWaitForDownloadAsync(() => ann.Page.GetByRole(AriaRole.Button, new() { Name = "Download" }).ClickAsync());
        Assert.Equal("mine", await File.ReadAllTextAsync((await download.PathAsync())!));
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task AnEditRefusedAsTooOld_ThatWasNeverCommitted_IsSentAgainOnTheCurrentRevision()
    {
        // Nothing read from storage past the lag (MaxResendLag 0), so the browser's handling of revision-too-old is what is tested.
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxRevisionLag"] = "5", ["MaxResendLag"] = "0" });
        string id = await server.CreateDocumentAsync("");
        var ann = await EditorPage.OpenAsync(fixture.Browser, server.BaseUri, id, "Ann", "#e6194b");

        // A short outage: the socket survives, so Ann's op arrives late, once, and is refused.
        await ann.Context.SetOfflineAsync(true);
        await ann.ClickEditorAsync();
        await ann.Page.Keyboard.TypeAsync("mine");
        await MoveOnAsync(server, id, 10);
        await ann.Context.SetOfflineAsync(false);

        await ServerTextAsync(id, "bbbbbbbbbbmine", server);
        await WhenStatusAsync(ann.Page, "connected");
        Assert.Equal("bbbbbbbbbbmine", await ann.TextAsync());
        await ann.Context.CloseAsync();
    }

    /// <summary>Another client makes <paramref name="count"/> edits at the start, one revision each.</summary>
    private static async Task MoveOnAsync(RunningServer server, string id, int count)
    {
        await using var bob = await server.OpenAsync(id, "Bob");
        for (int i = 0; i < count; i++)
        {
            bob.Splice(0, 0, "b");
            await Eventually.SynchronizedAsync(bob);
        }
    }

    [Fact]
    public async Task TheDevicesCopy_FollowsTheServer_WhenAnOlderCopyIsReopenedOnline()
    {
        string id = await _server.CreateDocumentAsync("a");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#e6194b");
        await ann.Page.WaitForTimeoutAsync(1000); // the synchronized copy reaches the device
        await ann.Page.CloseAsync();

        // The document moves on while Ann's copy on the device stays at its old revision.
        await using (var bob = await _server.OpenAsync(id, "Bob"))
        {
            bob.Splice(1, 0, "b");
            await Eventually.SynchronizedAsync(bob);
        }

        var reopened = await ann.Context.NewPageAsync();
        PageLog.For(reopened);
        await reopened.GotoAsync($"/d/{id}");
        await WhenStatusAsync(reopened, "connected");
        await reopened.EvaluateAsync("() => { const v = window.collab.view; v.dispatch({ selection: { anchor: 2 } }); v.focus(); }");
        await reopened.Keyboard.TypeAsync("c");
        await ServerTextAsync(id, "abc");
        await WhenStatusAsync(reopened, "connected");
        await reopened.WaitForTimeoutAsync(1000);
        await reopened.CloseAsync();

        // Offline, the copy on the device is the server's latest text, not the older one.
        await ann.Context.SetOfflineAsync(true);
        var offline = await ann.Context.NewPageAsync();
        PageLog.For(offline);
        await offline.GotoAsync($"/d/{id}");
        await WhenStatusAsync(offline, "offline");
        Assert.Equal("abc", await offline.EvaluateAsync<string>("() => window.collab.text()"));
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task TwoTabsOfOneDocument_KeepTheirOwnOfflineEdits()
    {
        string id = await _server.CreateDocumentAsync("\n");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#e6194b");
        var second = await ann.Context.NewPageAsync();
        PageLog.For(second);
        await second.GotoAsync($"/d/{id}");
        await WhenStatusAsync(second, "connected");

        await ann.Context.SetOfflineAsync(true);
        await ann.MoveToAsync(0);
        await ann.Page.Keyboard.TypeAsync("first tab", new() { Delay = 5 });
        await second.EvaluateAsync("() => { const v = window.collab.view; v.dispatch({ selection: { anchor: 1 } }); v.focus(); }");
        await second.Keyboard.TypeAsync("second tab", new() { Delay = 5 });
        await WhenStatusAsync(ann.Page, "offline — 1 edit saved on this device");
        await WhenStatusAsync(second, "offline — 1 edit saved on this device");
        await ann.Page.ReloadAsync();
        await WhenStatusAsync(ann.Page, "offline — 1 edit saved on this device");

        Assert.Equal("first tab\n", await ann.TextAsync());
        await ann.Context.SetOfflineAsync(false);
        await ServerTextAsync(id, "first tab\nsecond tab");
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task ClosingATab_WarnsOnlyWhileAnEditIsNowhereButInThePage()
    {
        string id = await _server.CreateDocumentAsync("");

        // This browser keeps nothing on the device: an unsent edit lives only in the page.
        var context = await NewContextAsync("Object.defineProperty(window, 'indexedDB', { value: undefined });");
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/d/{id}");
        await WhenStatusAsync(page, "connected");
        await context.SetOfflineAsync(true);
        await page.Locator(".cm-content").ClickAsync();
        await page.Keyboard.TypeAsync("at risk");
        await WhenStatusAsync(page, "offline — 1 edit not saved anywhere yet");
        Assert.True(await WarnsOnCloseAsync(page));

        // With the device store, the same edit is safe and closing is silent.
        var safe = await NewContextAsync(null);
        var kept = await safe.NewPageAsync();
        await kept.GotoAsync($"/d/{id}");
        await WhenStatusAsync(kept, "connected");
        await safe.SetOfflineAsync(true);
        await kept.Locator(".cm-content").ClickAsync();
        await kept.Keyboard.TypeAsync("safe");
        await WhenStatusAsync(kept, "offline — 1 edit saved on this device");
        Assert.False(await WarnsOnCloseAsync(kept));
        await context.CloseAsync();
        await safe.CloseAsync();
    }

    [Fact]
    public async Task APasteTooLargeForTheDocument_IsRefusedInThePage_AndChangesNothing()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxDocumentLength"] = "1000" });
        string id = await server.CreateDocumentAsync("small\n");
        var ann = await EditorPage.OpenAsync(fixture.Browser, server.BaseUri, id, "Ann", "#e6194b");

        await PasteAsync(ann.Page, new string('x', 1200));

        await ann.Page.Locator(".notice", new() { HasText = "longer than 1,000 characters" }).WaitForAsync();
        Assert.Equal("small\n", await ann.TextAsync());
        await ann.MoveToAsync(0);
        await ann.Page.Keyboard.TypeAsync("still typing");
        await WhenStatusAsync(ann.Page, "connected");
        Assert.Equal("still typingsmall\n", (await server.GetDocumentAsync(id)).Text);
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task APasteLargerThanOneOp_IsSentAsSeveralOps_AndAllOfItArrives()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxOpLength"] = "1000" });
        string id = await server.CreateDocumentAsync("");
        var ann = await EditorPage.OpenAsync(fixture.Browser, server.BaseUri, id, "Ann", "#e6194b");
        string pasted = string.Concat(Enumerable.Repeat("pasted 😀 text\n", 250));

        await PasteAsync(ann.Page, pasted);

        await WhenStatusAsync(ann.Page, "connected");
        Assert.Equal(pasted, (await server.GetDocumentAsync(id)).Text);
        var history = await server.GetAllHistoryAsync(id);
        Assert.True(history.Length >= 4, $"{pasted.Length} units in ops of at most 1,000 take at least 4, got {history.Length}");
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task AnEditTheServerRefuses_IsTakenBackAlone_AndLaterEditsAreKept()
    {
        // The server allows at most 8 components per op; the page does not know that limit.
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxOpComponents"] = "8" });
        string id = await server.CreateDocumentAsync("abcdefgh\n");
        var ann = await EditorPage.OpenAsync(fixture.Browser, server.BaseUri, id, "Ann", "#e6194b");

        // One edit with many cursors (17 components), then ordinary typing at the end.
        await ann.Page.EvaluateAsync(@"() => {
            const v = window.collab.view;
            v.dispatch({ changes: [0, 1, 2, 3, 4, 5, 6, 7].map((at) => ({ from: at, insert: '*' })), userEvent: 'input.type' });
            v.dispatch({ changes: { from: v.state.doc.length, insert: 'kept' }, userEvent: 'input.type' });
        }");

        await ann.Page.Locator(".notice", new() { HasText = "was not accepted" }).WaitForAsync();
        await WhenStatusAsync(ann.Page, "connected");
        Assert.Equal("abcdefgh\nkept", await ann.TextAsync());
        Assert.Equal("abcdefgh\nkept", (await server.GetDocumentAsync(id)).Text);

        // And it keeps syncing: the next keystroke goes through.
        await ann.MoveToAsync("abcdefgh\nkept".Length);
        await ann.Page.Keyboard.TypeAsync("!");
        await ServerTextAsync(id, "abcdefgh\nkept!", server);
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task ALargeDocument_CanBeClearedWithSelectAllAndDelete()
    {
        // Larger than one op may insert (2 Mi units): deleting it is still one small op.
        string text = string.Concat(Enumerable.Repeat("a line of the big document\n", 90_000));
        string id = await _server.CreateDocumentAsync(text);
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#e6194b");

        await ann.ClickEditorAsync();
        await ann.Page.Keyboard.PressAsync("Control+a");
        await ann.Page.Keyboard.PressAsync("Delete");

        await WhenStatusAsync(ann.Page, "connected");
        await ServerTextAsync(id, "");
        Assert.Empty(await ann.Page.Locator(".notice").AllInnerTextsAsync());
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task ADeletedDocument_KeepsTheTextOnScreen_ReadOnly_AndItCanBeSavedAsNew()
    {
        string id = await _server.CreateDocumentAsync("shared notes\n");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#e6194b");
        await ann.MoveToAsync(13);
        await ann.Page.Keyboard.TypeAsync("my last words");
        await WhenStatusAsync(ann.Page, "connected");

        (await _server.Http.DeleteAsync($"/api/documents/{id}")).EnsureSuccessStatusCode();

        await WhenStatusAsync(ann.Page, "deleted");
        await ann.Page.Locator(".notice", new() { HasText = "This document was deleted" }).WaitForAsync();
        Assert.Equal("false", await ann.Page.Locator(".cm-content").GetAttributeAsync("contenteditable"));
        Assert.Equal("shared notes\nmy last words", await ann.TextAsync());

        await ann.Page.GetByRole(AriaRole.Button, new() { Name = "Save as a new document" }).ClickAsync();
        await ann.Page.WaitForFunctionAsync($"() => location.pathname.startsWith('/d/') && !location.pathname.endsWith('{id}')", null, new() { Timeout = 60_000 });
        await WhenStatusAsync(ann.Page, "connected");
        Assert.Equal("shared notes\nmy last words", await ann.TextAsync());
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task TheStatus_SaysOfflineAsSoonAsTheBrowserKnows_AndCountsEditsNotKeystrokes()
    {
        string id = await _server.CreateDocumentAsync("");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#e6194b");

        await ann.Context.SetOfflineAsync(true);
        await WhenStatusAsync(ann.Page, "offline");
        await ann.ClickEditorAsync();
        await ann.Page.Keyboard.TypeAsync("first edit", new() { Delay = 5 });
        await ann.Page.Keyboard.PressAsync("Backspace");
        await ann.Page.Keyboard.PressAsync("Backspace");
        await ann.MoveToAsync(0); // the caret jumps: what follows is another edit
        await ann.Page.Keyboard.TypeAsync("second ", new() { Delay = 5 });

        // Typing, deleting, typing elsewhere: three edits, not 19 keystrokes.
        await WhenStatusAsync(ann.Page, "offline — 3 edits saved on this device");
        await ann.Context.SetOfflineAsync(false);
        await WhenStatusAsync(ann.Page, "connected");
        await ServerTextAsync(id, "second first ed");
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task APeerWhoseNetworkDied_LeavesThePeerList_AndTwoTabsAreOnePerson()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("x");
        var ann = await EditorPage.OpenAsync(fixture.Browser, server.BaseUri, id, "Ann", "#e6194b");
        var bob = await EditorPage.OpenAsync(fixture.Browser, server.BaseUri, id, "Bob", "#4363d8");
        var bobsSecondTab = await bob.Context.NewPageAsync();
        await bobsSecondTab.GotoAsync($"/d/{id}");
        await WhenStatusAsync(bobsSecondTab, "connected");

        await Eventually.TrueAsync(() => PeerChipsAsync(ann.Page).Result.SequenceEqual(["Ann (you)", "Bob"]), "Ann sees Bob once");

        await bob.Context.SetOfflineAsync(true);

        // The server stops hearing Bob's keep-alives and drops him (8 s); no clean close is sent.
        await Eventually.TrueAsync(() => PeerChipsAsync(ann.Page).Result.SequenceEqual(["Ann (you)"]), "Bob leaves Ann's list", TimeSpan.FromSeconds(30));
        await ann.Context.CloseAsync();
        await bob.Context.CloseAsync();
    }

    [Fact]
    public async Task RenamingYourself_AsAGuest_HappensInPlace_KeepingUndoAndUnsentEdits()
    {
        // A guest with an edit link picks a name (an account's is its display name, see AccessStoryTests).
        string id = await _server.CreateDocumentAsync("");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#e6194b", await _server.CreateLinkAsync(id, "editor"));
        var bob = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Bob", "#4363d8");
        await ann.Page.EvaluateAsync("() => { window.notReloaded = true; }");
        await ann.ClickEditorAsync();
        await ann.Page.Keyboard.TypeAsync("before ");
        await WhenStatusAsync(ann.Page, "connected");

        ann.Page.Dialog += (_, dialog) => dialog.AcceptAsync("Annabel");
        await ann.Page.Locator("#me").ClickAsync();
        await ann.Page.Locator("#me", new() { HasText = "Annabel" }).WaitForAsync();
        await ann.Page.Keyboard.TypeAsync("after");
        await WhenStatusAsync(ann.Page, "connected");

        Assert.True(await ann.Page.EvaluateAsync<bool>("() => window.notReloaded === true"));
        await Eventually.TrueAsync(() => PeerChipsAsync(bob.Page).Result.Contains("Annabel (guest)"), "Bob sees the new name, as a guest's");
        var history = await _server.GetAllHistoryAsync(id);
        Assert.Equal("Annabel (guest)", history[^1].Author);
        Assert.Equal("Ann (guest)", history[0].Author);

        // Undo still knows what Ann typed before the rename.
        await ann.Page.Keyboard.PressAsync("Control+z");
        await ann.Page.Keyboard.PressAsync("Control+z");
        await ServerTextAsync(id, "");
        await ann.Context.CloseAsync();
        await bob.Context.CloseAsync();
    }

    [Fact]
    public async Task DoubleClickingNewDocument_CreatesOneDocument()
    {
        var context = await NewContextAsync(null);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");

        await page.Locator("button[type=submit]").DblClickAsync();

        await page.WaitForFunctionAsync("() => location.pathname.startsWith('/d/')", null, new() { Timeout = 60_000 });
        await Task.Delay(500); // a second create, if one were sent, lands meanwhile
        Assert.Single((await _server.Http.GetFromJsonAsync<DocumentSummary[]>("/api/documents"))!);
        await context.CloseAsync();
    }

    private async Task<IBrowserContext> NewContextAsync(string? initScript)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _server.BaseUri.ToString() });
        await BrowserAccounts.SignInAsOwnerAsync(context, _server.BaseUri);
        if (initScript is not null)
        {
            await context.AddInitScriptAsync(initScript);
        }

        return context;
    }

    private static async Task PasteAsync(IPage page, string text)
    {
        await page.Locator(".cm-content").ClickAsync();
        await page.EvaluateAsync(@"text => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            window.collab.view.contentDOM.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
        }", text);
    }

    /// <summary>Whether closing the page asks "Leave site?" (a beforeunload dialog); the page is closed either way.</summary>
    private static async Task<bool> WarnsOnCloseAsync(IPage page)
    {
        var asked = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        page.Dialog += async (_, dialog) =>
        {
            asked.TrySetResult(dialog.Type == DialogType.BeforeUnload);
            await dialog.AcceptAsync();
        };
        page.Close += (_, _) => asked.TrySetResult(false);
        await page.CloseAsync(new() { RunBeforeUnload = true });
        return await asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static Task WhenControlledByServiceWorkerAsync(IPage page) =>
        page.WaitForFunctionAsync("() => navigator.serviceWorker.controller !== null", null, new() { Timeout = 60_000 });

    private static Task WhenStatusAsync(IPage page, string status) => PageLog.For(page).WithDiagnosticsAsync(
        $"the status is \"{status}\"",
        () => page.WaitForFunctionAsync("s => document.querySelector('#status')?.textContent === s", status, new() { Timeout = 60_000 }));

    private static Task WhenStatusContainsAsync(IPage page, string part) => PageLog.For(page).WithDiagnosticsAsync(
        $"the status contains \"{part}\"",
        () => page.WaitForFunctionAsync("s => document.querySelector('#status')?.textContent.includes(s)", part, new() { Timeout = 60_000 }));

    private static async Task<string[]> PeerChipsAsync(IPage page) => [.. await page.Locator("#peers .peer").AllInnerTextsAsync()];

    private async Task ServerTextAsync(string id, string expected, RunningServer? server = null)
    {
        server ??= _server;
        string text = "";
        var deadline = DateTime.UtcNow + Timeouts.Converge;
        while (DateTime.UtcNow < deadline)
        {
            text = (await server.GetDocumentAsync(id)).Text;
            if (text == expected)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Equal(expected, text);
    }
}
