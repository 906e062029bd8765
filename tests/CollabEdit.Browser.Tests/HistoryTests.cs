using System.Text.Json;
using CollabEdit.Server.Tests;
using Microsoft.Playwright;

namespace CollabEdit.Browser.Tests;

/// <summary>
/// The history panel as a new user tries it (issue 14's defects 1–5): editing sessions instead of
/// one row per keystroke, every revision back to r0 reachable, a row's detail beside the row,
/// the list following the document live, restore confirmed, announced and undoable; comparing
/// any two revisions; the timeslider.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class HistoryTests(BrowserFixture fixture) : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TypingThreeShortLines_IsOneSession_WithDateTimeSummaryAndPreview()
    {
        string id = await _server.CreateDocumentAsync("");
        var (ann, bob) = await OpenAnnAndBobAsync(id);

        // Each keystroke acknowledged before the next: one revision per keystroke, as on main's 60 rows.
        await ann.ClickEditorAsync();
        await TypeAcknowledgedAsync(ann, "one line\nanother line\nthe third\n");
        await ConvergedAsync(id, ann, bob);
        await bob.Page.Keyboard.PressAsync("Control+End");
        await TypeAcknowledgedAsync(bob, "Bob adds\n");
        await ConvergedAsync(id, ann, bob);
        int revision = (await _server.GetDocumentAsync(id)).Revision;
        Assert.True(revision >= 30, $"about one revision per keystroke, got {revision}");

        await ann.Page.ClickAsync("#toggle-history");
        var sessions = ann.Page.Locator("#sessions li.session");
        await sessions.First.WaitForAsync();

        // Newest first: Bob's session, then Ann's; each says who, when (date and time), what changed.
        Assert.Equal(2, await sessions.CountAsync());
        string bobs = await sessions.Nth(0).Locator(".session-head").InnerTextAsync();
        string anns = await sessions.Nth(1).Locator(".session-head").InnerTextAsync();
        Assert.Contains("Bob", bobs, StringComparison.Ordinal);
        Assert.Contains("Ann", anns, StringComparison.Ordinal);
        Assert.Contains(DateTime.UtcNow.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), anns, StringComparison.Ordinal);
        Assert.Matches(@"\d{1,2}:\d{2}", anns);
        Assert.Contains("+32 −0 characters", anns, StringComparison.Ordinal);
        Assert.Contains("one line another line the third", anns, StringComparison.Ordinal);

        // A session opens to its revisions.
        await sessions.Nth(1).Locator(".session-head").ClickAsync();
        Assert.Equal("true", await sessions.Nth(1).Locator(".session-head").GetAttributeAsync("aria-expanded"));
        await ann.Page.WaitForFunctionAsync("() => document.querySelectorAll('#sessions li.session')[1].querySelectorAll('ol.revisions button[data-revision]').length > 20");
        await ann.Page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "history-sessions.png") });
        await CloseAsync(ann, bob);
    }

    [Fact]
    public async Task EveryRevisionBackToR0_CanBeReached_AndARowLowInTheListShowsItsDetailBesideIt()
    {
        string id = await _server.CreateDocumentAsync("start\n");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#b91c1c");
        await EditsAsync(ann, 230);
        Assert.Equal(230, (await _server.GetDocumentAsync(id)).Revision);

        await ann.Page.ClickAsync("#toggle-history");
        var session = ann.Page.Locator("#sessions li.session").First;
        await session.Locator(".session-head").ClickAsync();
        await session.Locator("button[data-revision='230']").WaitForAsync();
        // A page of revisions at a time, each "Older revisions" replaced by the next, until r1.
        var rows = session.Locator("ol.revisions button[data-revision]");
        while (await session.Locator("button[data-revision='1']").CountAsync() == 0)
        {
            int shown = await rows.CountAsync();
            await session.Locator(".older-revisions").ClickAsync();
            await ann.Page.WaitForFunctionAsync("n => document.querySelectorAll('#sessions li.session ol.revisions button[data-revision]').length > n", shown);
        }

        Assert.Equal(230, await session.Locator("ol.revisions button[data-revision]").CountAsync());
        Assert.Equal(1, await ann.Page.Locator("#sessions button[data-revision='0']").CountAsync());

        // A row far down the list: it is highlighted, and its detail is drawn under it, in view.
        var row = session.Locator("button[data-revision='3']");
        await row.ClickAsync();
        await ann.Page.Locator("#revision-text").WaitForAsync();
        Assert.Equal("true", await row.GetAttributeAsync("aria-current"));
        Assert.True(await row.EvaluateAsync<bool>("b => b.parentElement.contains(document.getElementById('revision-detail'))"), "the detail is in the row's item");
        Assert.True(await ann.Page.EvaluateAsync<bool>(@"() => {
            const panel = document.getElementById('history').getBoundingClientRect();
            const detail = document.getElementById('revision-detail').getBoundingClientRect();
            return detail.top >= panel.top - 1 && detail.top < panel.bottom;
        }"), "the detail is scrolled into the panel's view");
        Assert.Equal(await RevisionTextAsync(id, 3), await ann.Page.Locator("#revision-text").InnerTextAsync());
        await ann.Page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "history-panel.png") });
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task ManySessions_PageBackToR0()
    {
        string id = await _server.CreateDocumentAsync("");
        var (ann, bob) = await OpenAnnAndBobAsync(id);
        for (int turn = 0; turn < 13; turn++)
        {
            await EditsAsync(ann, 2);
            await ConvergedAsync(id, ann, bob);
            await EditsAsync(bob, 2);
            await ConvergedAsync(id, ann, bob);
        }

        await ann.Page.ClickAsync("#toggle-history");
        await ann.Page.Locator("#sessions li.session").First.WaitForAsync();
        // A page of sessions at a time until r0.
        var sessions = ann.Page.Locator("#sessions li.session");
        while (await ann.Page.Locator("#sessions button[data-revision='0']").CountAsync() == 0)
        {
            int shown = await sessions.CountAsync();
            await ann.Page.ClickAsync("#older");
            await ann.Page.WaitForFunctionAsync("n => document.querySelectorAll('#sessions li.session').length > n || document.querySelector('#sessions li.start')", shown);
        }

        Assert.True(await ann.Page.Locator("#older").IsHiddenAsync());

        await ann.Page.Locator("#sessions button[data-revision='0']").WaitForAsync();
        Assert.Equal(26, await ann.Page.Locator("#sessions li.session").CountAsync());
        Assert.Equal("1", await ann.Page.Locator("#sessions li.session").Last.GetAttributeAsync("data-from"));
        await CloseAsync(ann, bob);
    }

    [Fact]
    public async Task OpenPanel_FollowsOthersEditsLive()
    {
        string id = await _server.CreateDocumentAsync("hello\n");
        var (ann, bob) = await OpenAnnAndBobAsync(id);
        await ann.Page.ClickAsync("#toggle-history");
        await ann.Page.Locator("#history-now", new() { HasText = "Now at r0" }).WaitForAsync();

        await bob.ClickEditorAsync();
        await bob.Page.Keyboard.TypeAsync("Bob types while Ann looks", new() { Delay = 15 });
        await ConvergedAsync(id, ann, bob);
        int revision = (await _server.GetDocumentAsync(id)).Revision;

        await ann.Page.Locator("#history-now", new() { HasText = $"Now at r{revision}" }).WaitForAsync();
        var newest = ann.Page.Locator("#sessions li.session .session-head").First;
        await ann.Page.WaitForFunctionAsync(
            "r => document.querySelector('#sessions li.session .session-head')?.dataset.to === String(r)", revision);
        Assert.Contains("Bob", await newest.InnerTextAsync(), StringComparison.Ordinal);
        await CloseAsync(ann, bob);
    }

    [Fact]
    public async Task Restore_AsksFirst_TellsTheOthers_AndCtrlZUndoesExactlyIt()
    {
        string id = await _server.CreateDocumentAsync("first draft\n");
        var (ann, bob) = await OpenAnnAndBobAsync(id);
        await ann.MoveToAsync(12);
        await ann.Page.Keyboard.TypeAsync("Ann's second paragraph\n");
        await ConvergedAsync(id, ann, bob);
        await bob.Page.Keyboard.PressAsync("Control+End");
        await bob.Page.Keyboard.TypeAsync("Bob's line\n");
        string before = await ConvergedAsync(id, ann, bob);

        await ann.Page.ClickAsync("#toggle-history");
        await ann.Page.Locator("#sessions button[data-revision='0']").ClickAsync();
        await ann.Page.ClickAsync("#restore");

        // Cancel changes nothing.
        await ann.Page.ClickAsync("#cancel-restore");
        Assert.Equal(before, (await _server.GetDocumentAsync(id)).Text);

        await ann.Page.ClickAsync("#restore");
        await ann.Page.ClickAsync("#confirm-restore");
        await Eventually.TrueAsync(() => _server.GetDocumentAsync(id).Result.Text == "first draft\n", "the restore is committed");
        await ann.Page.Locator("dialog.confirm").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        Assert.Equal("first draft\n", await ConvergedAsync(id, ann, bob));

        // Ctrl+Z right after the restore takes back the restore, all of it and nothing else.
        await ann.Page.Keyboard.PressAsync("Control+z");
        await Eventually.TrueAsync(() => _server.GetDocumentAsync(id).Result.Text != "first draft\n", "the undo is committed");
        Assert.Equal(before, await ConvergedAsync(id, ann, bob));

        // The others were told who restored what.
        await bob.Page.Locator(".notice", new() { HasText = "Ann restored r0" }).WaitForAsync();
        await CloseAsync(ann, bob);
    }

    [Fact]
    public async Task AnyTwoRevisions_CanBeCompared()
    {
        string id = await _server.CreateDocumentAsync("alpha beta\n");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#b91c1c");
        await ann.MoveToAsync(0);
        await ann.Page.Keyboard.TypeAsync("X");
        await EditsAsync(ann, 3);
        await ann.Page.EvaluateAsync("() => { const v = window.collab.view; v.dispatch({ changes: { from: 1, to: 7 }, userEvent: 'delete' }); }");
        await Eventually.TrueAsync(() => _server.GetDocumentAsync(id).Result.Revision == 5, "five revisions");

        await ann.Page.ClickAsync("#toggle-history");
        await ann.Page.FillAsync("#compare-from", "1");
        await ann.Page.FillAsync("#compare-to", "5");
        await ann.Page.ClickAsync("#compare");
        var result = ann.Page.Locator("#compare-result pre");
        await result.WaitForAsync();

        // Read as the text at r1 (kept and deleted runs) and at r5 (kept and inserted runs).
        Assert.Equal(await RevisionTextAsync(id, 1), await result.EvaluateAsync<string>("e => [...e.childNodes].filter(n => n.nodeName !== 'INS').map(n => n.textContent).join('')"));
        Assert.Equal(await RevisionTextAsync(id, 5), await result.EvaluateAsync<string>("e => [...e.childNodes].filter(n => n.nodeName !== 'DEL').map(n => n.textContent).join('')"));
        Assert.Contains("alpha", string.Concat(await result.Locator("del").AllInnerTextsAsync()), StringComparison.Ordinal);
        Assert.Contains("abc", string.Concat(await result.Locator("ins").AllInnerTextsAsync()), StringComparison.Ordinal);

        // The changes are coloured by author: each run names who made it.
        Assert.Contains("Ann", await result.Locator("ins").First.GetAttributeAsync("title") ?? "", StringComparison.Ordinal);
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task Timeslider_ReachesR0AndBack_WithTheServersTextAtEveryStop()
    {
        string id = await _server.CreateDocumentAsync("");
        var (ann, bob) = await OpenAnnAndBobAsync(id);
        await ann.ClickEditorAsync();
        await ann.Page.Keyboard.TypeAsync("Ann 😀 writes\n", new() { Delay = 10 });
        await ConvergedAsync(id, ann, bob);
        await bob.MoveToAsync(0);
        await bob.Page.Keyboard.TypeAsync("漢字 by Bob\n", new() { Delay = 10 });
        await ConvergedAsync(id, ann, bob);
        int now = (await _server.GetDocumentAsync(id)).Revision;

        await ann.Page.ClickAsync("#toggle-history");
        await ann.Page.ClickAsync("#open-timeslider");
        await ShownAsync(ann.Page, now);
        Assert.Equal(await RevisionTextAsync(id, now), await TimesliderTextAsync(ann.Page));

        await ann.Page.ClickAsync("#ts-first");
        await ShownAsync(ann.Page, 0);
        Assert.Equal("", await TimesliderTextAsync(ann.Page));
        await ann.Page.ClickAsync("#ts-next");
        await ShownAsync(ann.Page, 1);
        Assert.Equal(await RevisionTextAsync(id, 1), await TimesliderTextAsync(ann.Page));
        await ann.Page.ClickAsync("#ts-next-session");
        await ann.Page.WaitForFunctionAsync("() => Number(document.getElementById('ts-text').dataset.revision) > 1");
        int sessionEnd = int.Parse(await ann.Page.Locator("#ts-text").GetAttributeAsync("data-revision") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(await RevisionTextAsync(id, sessionEnd), await TimesliderTextAsync(ann.Page));

        foreach (int at in new[] { now / 3, now / 2, now - 1 })
        {
            await ann.Page.EvalOnSelectorAsync("#ts-range", "(r, at) => { r.value = String(at); r.dispatchEvent(new Event('input', { bubbles: true })); }", at);
            await ShownAsync(ann.Page, at);
            Assert.Equal(await RevisionTextAsync(id, at), await TimesliderTextAsync(ann.Page));
        }

        // Played from r0 at the fastest speed, it stops at now.
        await ann.Page.ClickAsync("#ts-first");
        await ShownAsync(ann.Page, 0);
        await ann.Page.SelectOptionAsync("#ts-speed", "50");
        await ann.Page.ClickAsync("#ts-play");
        await ShownAsync(ann.Page, now);
        Assert.Equal(await RevisionTextAsync(id, now), await TimesliderTextAsync(ann.Page));
        Assert.Equal("Play", await ann.Page.Locator("#ts-play").InnerTextAsync());

        // Its link opens the timeslider at that revision.
        await ann.Page.ClickAsync("#ts-first");
        await ShownAsync(ann.Page, 0);
        await ann.Page.ClickAsync("#ts-next");
        await ShownAsync(ann.Page, 1);
        string link = await ann.Page.Locator("#ts-link").InputValueAsync();
        Assert.EndsWith($"/d/{id}#r=1", link, StringComparison.Ordinal);
        var page = await bob.Context.NewPageAsync();
        await page.GotoAsync(link);
        await ShownAsync(page, 1);
        Assert.Equal(await RevisionTextAsync(id, 1), await TimesliderTextAsync(page));
        await CloseAsync(ann, bob);
    }

    private static Task ShownAsync(IPage page, int revision) =>
        page.WaitForFunctionAsync("r => document.getElementById('ts-text')?.dataset.revision === String(r)", revision, new() { Timeout = 30_000 });

    private static Task<string> TimesliderTextAsync(IPage page) => page.Locator("#ts-text").EvaluateAsync<string>("e => e.textContent");

    /// <summary>Types <paramref name="text"/> a key at a time, each acknowledged before the next.</summary>
    private static async Task TypeAcknowledgedAsync(EditorPage page, string text)
    {
        foreach (char c in text)
        {
            await page.Page.Keyboard.TypeAsync(c.ToString());
            await page.Page.WaitForFunctionAsync("() => window.collab.connection.unsent === 0");
        }
    }

    /// <summary>Makes <paramref name="count"/> revisions, one character each, each acknowledged before the next.</summary>
    internal static Task EditsAsync(EditorPage page, int count) => page.Page.EvaluateAsync(@"async (count) => {
        const v = window.collab.view, c = window.collab.connection;
        for (let i = 0; i < count; i++) {
            v.dispatch({ changes: { from: v.state.doc.length, insert: String.fromCharCode(97 + i % 26) }, userEvent: 'input.type' });
            while (c.unsent > 0) await new Promise(r => setTimeout(r, 5));
        }
    }", count);

    private async Task<string> RevisionTextAsync(string id, int revision)
    {
        using var json = JsonDocument.Parse(await _server.Http.GetStringAsync($"/api/documents/{id}/revisions/{revision}"));
        return json.RootElement.GetProperty("text").GetString()!;
    }

    private async Task<(EditorPage Ann, EditorPage Bob)> OpenAnnAndBobAsync(string id) =>
        (await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#b91c1c"),
         await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Bob", "#1d4ed8"));

    private static async Task CloseAsync(params EditorPage[] pages)
    {
        foreach (var page in pages)
        {
            await page.Context.CloseAsync();
        }
    }

    /// <summary>Waits until the pages and the server hold the same text, and returns it.</summary>
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
