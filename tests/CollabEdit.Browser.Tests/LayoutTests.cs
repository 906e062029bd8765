using CollabEdit.Server.Tests;
using Microsoft.Playwright;

namespace CollabEdit.Browser.Tests;

/// <summary>
/// The pages on a phone and for screen readers: what fits, what is named, what is announced, and
/// the small things (favicon, heading sizes, the "(you)" chip, the not-found page).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LayoutTests(BrowserFixture fixture) : IAsyncLifetime
{
    private const string LongTitle = "Project plan for the whole of next year, with every milestone, owner and deadline named in the title so it is long";

    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task OnAPhone_TheDocumentsListAndTheEditorHeaderFit_AndHistoryIsAFullScreenSheet()
    {
        await _server.CreateDocumentAsync("", LongTitle);
        string id = await _server.CreateDocumentAsync("Project plan\n", LongTitle);
        var page = await NewPageAsync(390, 844);

        await page.GotoAsync("/");
        await page.Locator("#documents tr").Nth(1).WaitForAsync();
        await AssertNoSidewaysScrollAsync(page);
        foreach (var box in await BoxesAsync(page.Locator("#documents button")))
        {
            Assert.True(box.X >= 0 && box.X + box.Width <= 390, $"a Delete button is off-screen: {box.X}+{box.Width}");
        }

        await page.GotoAsync($"/d/{id}");
        await page.WaitForFunctionAsync("() => document.querySelector('#status').dataset.status === 'connected'", null, new() { Timeout = 60_000 });
        await AssertNoSidewaysScrollAsync(page);
        foreach (string button in new[] { "#me", "#toggle-history" })
        {
            var box = (await page.Locator(button).BoundingBoxAsync())!;
            Assert.True(box.X >= 0 && box.X + box.Width <= 390 && box.Y + box.Height <= 844, $"{button} is off-screen: {box.X},{box.Y} {box.Width}×{box.Height}");
        }

        var header = (await page.Locator("header").BoundingBoxAsync())!;
        Assert.True(header.Height <= 120, $"the header takes {header.Height} px of the phone's height");

        await page.ClickAsync("#toggle-history");
        await page.Locator("#sessions").WaitForAsync();
        var sheet = (await page.Locator("#history").BoundingBoxAsync())!;
        Assert.True(sheet.X <= 0 && sheet.Y <= 0 && sheet.Width >= 390 && sheet.Height >= 844, $"history is {sheet.X},{sheet.Y} {sheet.Width}×{sheet.Height}, not the whole screen");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "phone-history-sheet.png") });
        Assert.True(await page.EvaluateAsync<bool>("() => document.querySelector('header').inert && document.querySelector('#editor').inert"), "what is under the sheet is out of reach");

        // The sheet closes from inside it (the header is under it), and focus goes back.
        await page.GetByRole(AriaRole.Button, new() { Name = "Close history" }).ClickAsync();
        Assert.True(await page.Locator("#history").IsHiddenAsync());
        Assert.False(await page.EvaluateAsync<bool>("() => document.querySelector('header').inert"));
        Assert.Equal("toggle-history", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        var editor = (await page.Locator("#editor").BoundingBoxAsync())!;
        Assert.True(editor.Width >= 340, $"the editor is {editor.Width} px wide");
    }

    [Fact]
    public async Task ScreenReaders_HearTheStatus_TheHistoryState_AndWhatEachDeleteActsOn()
    {
        await _server.CreateDocumentAsync("", "Minutes");
        string id = await _server.CreateDocumentAsync("", "Budget");
        var page = await NewPageAsync(1280, 800);

        await page.GotoAsync("/");
        await page.Locator("#documents tr").Nth(1).WaitForAsync();
        Assert.Equal(1, await page.GetByRole(AriaRole.Button, new() { Name = "Delete “Minutes”", Exact = true }).CountAsync());
        Assert.Equal(1, await page.GetByRole(AriaRole.Button, new() { Name = "Delete “Budget”", Exact = true }).CountAsync());

        await page.GotoAsync($"/d/{id}");
        await page.WaitForFunctionAsync("() => document.querySelector('#status').dataset.status === 'connected'", null, new() { Timeout = 60_000 });
        var status = page.Locator("#status");
        Assert.Equal("polite", await status.GetAttributeAsync("aria-live"));
        Assert.Equal("status", await status.GetAttributeAsync("role"));
        Assert.Equal("Text of Budget", await page.Locator(".cm-content").GetAttributeAsync("aria-label"));

        var history = page.Locator("#toggle-history");
        Assert.Equal("false", await history.GetAttributeAsync("aria-expanded"));
        Assert.Equal("history", await history.GetAttributeAsync("aria-controls"));
        await history.ClickAsync();
        Assert.Equal("true", await history.GetAttributeAsync("aria-expanded"));
        await history.ClickAsync();
        Assert.Equal("false", await history.GetAttributeAsync("aria-expanded"));
    }

    [Fact]
    public async Task DarkMode_FollowsTheSystem_ForTheWholeApp()
    {
        string id = await _server.CreateDocumentAsync("some text\n", "Dark");
        var bob = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Bob", "#1d4ed8");
        var page = await NewPageAsync(1280, 800);
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await page.GotoAsync("/");
        Assert.True(await IsDarkAsync(page, "body"), "the documents page is dark");
        await page.GotoAsync($"/d/{id}");
        await page.WaitForFunctionAsync("() => document.querySelector('#status').dataset.status === 'connected'", null, new() { Timeout = 60_000 });
        await bob.MoveToAsync(4);
        await page.Locator(".remote-caret").WaitForAsync();
        await page.ClickAsync("#toggle-history");
        await page.Locator("#sessions").WaitForAsync();
        (await _server.Http.DeleteAsync($"/api/documents/{id}")).EnsureSuccessStatusCode();
        await page.Locator(".notice.ended").WaitForAsync(new() { Timeout = 60_000 });

        foreach (string part in new[] { "body", "header", ".cm-editor", ".cm-gutters", "#history", "#history li button", ".notice", "#me" })
        {
            Assert.True(await IsDarkAsync(page, part), $"{part} is not dark");
        }

        // The text on them is light, the editor's caret too.
        foreach (string part in new[] { ".cm-content", "#history h2", ".notice", "#me" })
        {
            Assert.False(await IsDarkAsync(page, part, "color"), $"the text of {part} is dark on dark");
        }

        await page.EvaluateAsync("() => window.collab.view.focus()");
        Assert.False(await IsDarkAsync(page, ".cm-cursor", "borderLeftColor"), "the caret is dark on dark");
        await bob.Context.CloseAsync();
    }

    [Fact]
    public async Task ALongTitle_DoesNotSquashTheYouChip_AtEitherSize()
    {
        string id = await _server.CreateDocumentAsync("", LongTitle);
        foreach (var (width, height) in new[] { (1280, 800), (390, 844) })
        {
            var page = await NewPageAsync(width, height);
            await page.GotoAsync($"/d/{id}");
            await page.WaitForFunctionAsync("() => document.querySelector('#status').dataset.status === 'connected'", null, new() { Timeout = 60_000 });
            var chip = page.Locator(".peer", new() { HasText = "(you)" });
            var fits = await chip.EvaluateAsync<bool[]>(
                "c => [c.scrollWidth <= c.clientWidth + 1, c.getBoundingClientRect().height < parseFloat(getComputedStyle(c).lineHeight || '16') * 1.8 || c.getBoundingClientRect().height < 28]");
            Assert.True(fits[0] && fits[1], $"the (you) chip is squashed at {width} px");
        }
    }

    [Fact]
    public async Task HistoryHeadings_AreSmallerThanTheHeadingTheyAreUnder()
    {
        string id = await _server.CreateDocumentAsync("one\n");
        var page = await NewPageAsync(1280, 800);
        await page.GotoAsync($"/d/{id}");
        await page.WaitForFunctionAsync("() => document.querySelector('#status').dataset.status === 'connected'", null, new() { Timeout = 60_000 });
        await page.ClickAsync("#toggle-history");
        await page.Locator("#sessions button[data-revision='0']").ClickAsync();
        await page.Locator("#revision-text").WaitForAsync();
        double h2 = await page.Locator("#history h2").First.EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize)");
        double h3 = await page.Locator("#history h3").First.EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize)");
        Assert.True(h3 < h2, $"h3 is {h3} px, h2 {h2} px");
    }

    [Fact]
    public async Task EveryPage_HasAFavicon_AndNoMissingFiles()
    {
        string id = await _server.CreateDocumentAsync("x");
        var page = await NewPageAsync(1280, 800);
        var missing = new List<string>();
        page.Response += (_, response) =>
        {
            if (response.Status == 404)
            {
                missing.Add(response.Url);
            }
        };
        foreach (string path in new[] { "/", $"/d/{id}" })
        {
            await page.GotoAsync(path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            string? icon = await page.Locator("link[rel=icon]").GetAttributeAsync("href");
            Assert.Equal("/favicon.svg", icon);
        }

        var favicon = await _server.Http.GetAsync("/favicon.svg");
        Assert.True(favicon.IsSuccessStatusCode);
        Assert.Equal("image/svg+xml", favicon.Content.Headers.ContentType?.MediaType);
        Assert.Empty(missing);
    }

    [Theory]
    [InlineData("doesnotexist")]
    [InlineData("not%20an%20id!%3Cb%3E")]
    public async Task AMissingOrMalformedDocument_ShowsANotFoundPage_WithAWayBack(string id)
    {
        var page = await NewPageAsync(1280, 800);

        // While the page finds out, it shows no empty name, no History, no pill.
        var answer = new TaskCompletionSource();
        await page.RouteAsync("**/api/documents/**", async route =>
        {
            await answer.Task;
            await route.ContinueAsync();
        });
        await page.GotoAsync($"/d/{id}");
        foreach (string part in new[] { "#me", "#toggle-history", "#status" })
        {
            Assert.True(await page.Locator(part).IsHiddenAsync(), $"{part} shows before the document is found");
        }

        answer.SetResult();
        await page.Locator(".not-found").WaitForAsync(new() { Timeout = 60_000 });
        Assert.Equal("Document not found", await page.Locator(".not-found h2").InnerTextAsync());
        Assert.Equal(0, await page.Locator(".cm-editor, #me, #toggle-history, #status").CountAsync());
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to all documents" }).ClickAsync();
        await page.WaitForURLAsync(_server.BaseUri.ToString());
        await page.Locator("#create").WaitForAsync();
    }

    private async Task<IPage> NewPageAsync(int width, int height)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _server.BaseUri.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        await BrowserAccounts.SignInAsOwnerAsync(context, _server.BaseUri);
        await context.AddInitScriptAsync("localStorage.setItem('collabedit.identity', JSON.stringify({ name: 'Ann', color: '#b91c1c' }));");
        var page = await context.NewPageAsync();
        PageLog.For(page);
        return page;
    }

    /// <summary>Whether a colour property of the first <paramref name="selector"/> is dark (relative luminance under 0.1).</summary>
    private static Task<bool> IsDarkAsync(IPage page, string selector, string property = "backgroundColor") => page.Locator(selector).First.EvaluateAsync<bool>(
        @"(e, property) => {
            const [r, g, b] = getComputedStyle(e)[property].match(/[\d.]+/g).map(Number).map(c => c / 255)
                .map(c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
            return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.1;
        }", property);

    private static async Task AssertNoSidewaysScrollAsync(IPage page)
    {
        int scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        int width = await page.EvaluateAsync<int>("() => document.documentElement.clientWidth");
        Assert.True(scrollWidth <= width, $"{page.Url} scrolls sideways: {scrollWidth} > {width}");
    }

    private static async Task<List<LocatorBoundingBoxResult>> BoxesAsync(ILocator locator)
    {
        var boxes = new List<LocatorBoundingBoxResult>();
        for (int i = 0; i < await locator.CountAsync(); i++)
        {
            boxes.Add((await locator.Nth(i).BoundingBoxAsync())!);
        }

        return boxes;
    }
}
