using CollabEdit.Server.Tests;
using Microsoft.Playwright;

namespace CollabEdit.Browser.Tests;

/// <summary>
/// Every page and state a person meets, checked by axe-core in light and dark, on a laptop
/// (1280×800) and a phone (390×844), with a screenshot of each look in artifacts/screenshots.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture fixture) : IAsyncLifetime
{
    private static readonly (string Name, int Width, int Height)[] Viewports = [("desktop", 1280, 800), ("phone", 390, 844)];

    private static readonly ColorScheme[] Schemes = [ColorScheme.Light, ColorScheme.Dark];

    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task DocumentsList_HasNoAxeViolations()
    {
        await _server.CreateDocumentAsync("", "Project plan for the whole of next year, with every milestone named in the title");
        await _server.CreateDocumentAsync("", "Meeting <b>notes</b>");
        var page = await OpenAsync("Ann");
        await page.GotoAsync("/");
        await page.Locator("#documents tr").Nth(1).WaitForAsync();
        await AssertEveryLookIsCleanAsync(page, "documents");
    }

    [Theory]
    [InlineData("/signin")]
    [InlineData("/signup")]
    public async Task SignInAndSignUpPages_HaveNoAxeViolations(string path)
    {
        var page = await OpenAsync("Ann");
        await page.GotoAsync(path);
        await page.Locator("#submit").WaitForAsync();
        await page.FillAsync("#password", "short");
        await page.ClickAsync("#submit"); // refused by the browser's own validation: the message shows
        await AssertEveryLookIsCleanAsync(page, path.TrimStart('/'));
    }

    [Fact]
    public async Task AccountPage_AndTheAccountMenu_HaveNoAxeViolations()
    {
        var page = await OpenAsync("Ann");
        await page.GotoAsync("/");
        await page.ClickAsync("#account-menu summary");
        await page.Locator("#sign-out-everywhere").WaitForAsync();
        await AssertEveryLookIsCleanAsync(page, "account-menu");
        await page.GotoAsync("/account");
        await page.Locator("#change-password").WaitForAsync();
        await AssertEveryLookIsCleanAsync(page, "account");
    }

    [Fact]
    public async Task ShareDialog_HasNoAxeViolations()
    {
        string id = await _server.CreateDocumentAsync("shared text", "Shared");
        var page = await OpenEditorAsync(id, "Ann");
        await page.ClickAsync("#share");
        await page.ClickAsync("text=Create a view link");
        await page.Locator("#share-url").WaitForAsync();
        await AssertEveryLookIsCleanAsync(page, "share-dialog");
    }

    [Fact]
    public async Task Editor_WithSomeoneElseOnIt_HasNoAxeViolations()
    {
        string id = await _server.CreateDocumentAsync("Project plan\nfirst line\nsecond line\n", "Project plan");
        var page = await OpenEditorAsync(id, "Ann");
        // Both remember colours from the old palette, too light for white text: shown in ones that are not.
        var bob = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Bob", "#3cb44b");
        await bob.MoveToAsync(15);
        await page.Locator(".remote-caret").WaitForAsync();
        await AssertEveryLookIsCleanAsync(page, "editor", showLabels: true);
        await bob.Context.CloseAsync();
    }

    [Fact]
    public async Task Editor_WithHistoryOpen_HasNoAxeViolations()
    {
        string id = await _server.CreateDocumentAsync("version one\n", "Report");
        var page = await OpenEditorAsync(id, "Ann");
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync("more text\n");
        await page.WaitForFunctionAsync("() => document.querySelector('#status').textContent === 'connected'");
        await page.ClickAsync("#toggle-history");
        await page.Locator("#sessions .session-head").First.ClickAsync();
        await page.Locator("#sessions button[data-revision='0']").ClickAsync();
        await page.Locator("#revision-detail ins").First.WaitForAsync();
        await page.ClickAsync("#compare");
        await page.Locator("#compare-result pre").WaitForAsync();
        await AssertEveryLookIsCleanAsync(page, "history");

        // The restore's confirmation.
        await page.ClickAsync("#restore");
        await page.Locator("dialog.confirm").WaitForAsync();
        await AssertEveryLookIsCleanAsync(page, "restore-confirm");
    }

    [Fact]
    public async Task Timeslider_AndAuthorshipColours_HaveNoAxeViolations()
    {
        string id = await _server.CreateDocumentAsync("version one\n", "Report");
        var page = await OpenEditorAsync(id, "Ann");
        var bob = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Bob", "#1d4ed8");
        await bob.MoveToAsync(0);
        await bob.Page.Keyboard.TypeAsync("Bob's words ");
        await page.Keyboard.PressAsync("Control+End");
        await page.Keyboard.TypeAsync("Ann's words\n");
        await page.WaitForFunctionAsync("() => document.querySelector('#status').textContent === 'connected'");
        await page.ClickAsync("#toggle-authorship");
        await page.Locator("#authorship-legend li").First.WaitForAsync();
        // Bob's name, shown while he types, fades out: check the page once it has.
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.remote-name')].every(e => getComputedStyle(e).opacity === '0')");
        await AssertEveryLookIsCleanAsync(page, "authorship");

        await page.ClickAsync("#toggle-history");
        await page.ClickAsync("#open-timeslider");
        await page.Locator("#ts-text .author-run").First.WaitForAsync();
        await AssertEveryLookIsCleanAsync(page, "timeslider");
        await bob.Context.CloseAsync();
    }

    [Theory]
    [InlineData("not-found", "doesnotexist")]
    [InlineData("malformed-id", "not%20an%20id!%3Cb%3E")]
    public async Task NotFoundPage_HasNoAxeViolations(string state, string id)
    {
        var page = await OpenAsync("Ann");
        await page.GotoAsync($"/d/{id}");
        await page.Locator(".not-found").WaitForAsync(new() { Timeout = 60_000 });
        await AssertEveryLookIsCleanAsync(page, state);
    }

    [Fact]
    public async Task DeletedDocumentNotice_HasNoAxeViolations()
    {
        string id = await _server.CreateDocumentAsync("text to keep\n", "Soon gone");
        var page = await OpenEditorAsync(id, "Ann");
        (await _server.Http.DeleteAsync($"/api/documents/{id}")).EnsureSuccessStatusCode();
        await page.Locator(".notice.ended").WaitForAsync(new() { Timeout = 60_000 });
        await AssertEveryLookIsCleanAsync(page, "deleted");
    }

    private async Task<IPage> OpenAsync(string name)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _server.BaseUri.ToString(),
            BypassCSP = true, // only so that axe can be injected
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        await BrowserAccounts.SignInAsOwnerAsync(context, _server.BaseUri);
        await context.AddInitScriptAsync(
            $"localStorage.setItem('collabedit.identity', JSON.stringify({{ name: {System.Text.Json.JsonSerializer.Serialize(name)}, color: '#f58231' }}));");
        var page = await context.NewPageAsync();
        PageLog.For(page);
        return page;
    }

    private async Task<IPage> OpenEditorAsync(string id, string name)
    {
        var page = await OpenAsync(name);
        await page.GotoAsync($"/d/{id}");
        await PageLog.For(page).WithDiagnosticsAsync("the editor connects", () =>
            page.WaitForFunctionAsync("() => window.collab && document.querySelector('#status').dataset.status === 'connected'", null, new() { Timeout = 60_000 }));
        return page;
    }

    /// <summary>Checks the page at both sizes in both schemes, saving a screenshot of each.</summary>
    private static async Task AssertEveryLookIsCleanAsync(IPage page, string state, bool showLabels = false)
    {
        var found = new List<string>();
        foreach (var (viewport, width, height) in Viewports)
        {
            foreach (var scheme in Schemes)
            {
                await page.SetViewportSizeAsync(width, height);
                await page.EmulateMediaAsync(new() { ColorScheme = scheme });
                if (showLabels)
                {
                    // Names show while hovered: check them too.
                    await page.Locator(".remote-caret").First.HoverAsync(new() { Force = true });
                }

                await page.WaitForTimeoutAsync(300); // a frame for layout and any transition
                string look = $"{state}-{viewport}-{scheme.ToString().ToLowerInvariant()}";
                await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, $"a11y-{look}.png") });
                found.AddRange((await Axe.ViolationsAsync(page)).Select(v => $"{look}: {v}"));
            }
        }

        Assert.True(found.Count == 0, "axe-core found:\n" + string.Join("\n", found));
    }
}
