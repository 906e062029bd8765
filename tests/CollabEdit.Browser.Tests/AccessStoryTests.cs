using System.Diagnostics;
using CollabEdit.Server.Tests;
using Microsoft.Playwright;

namespace CollabEdit.Browser.Tests;

/// <summary>
/// Sharing as people do it, in real Chromium: Alice signs up and creates a document, shares a view
/// link; a signed-out second browser follows her edits live but cannot type; she changes the link
/// to edit and the second browser types at once; she revokes it and the second browser is told;
/// a third browser without any link gets the not-found page.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessStoryTests(BrowserFixture fixture) : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task SignUp_Create_ShareAViewLink_UpgradeIt_RevokeIt()
    {
        // Alice signs up on the page and creates a document.
        var alice = await NewPageAsync();
        await alice.GotoAsync("/signup");
        await alice.FillAsync("#user-name", "alice");
        await alice.FillAsync("#email", "alice@example.invalid");
        await alice.FillAsync("#display-name", "Alice");
        await alice.FillAsync("#password", RunningServer.Password);
        await alice.ClickAsync("#submit");
        await alice.Locator("#account", new() { HasText = "Signed in as Alice" }).WaitForAsync();
        await alice.FillAsync("#new-title", "Plans");
        await alice.ClickAsync("#create button[type=submit]");
        await WhenConnectedAsync(alice);
        string id = await alice.EvaluateAsync<string>("() => decodeURIComponent(location.pathname.split('/').pop())");
        await alice.Locator(".cm-content").ClickAsync();
        await alice.Keyboard.TypeAsync("Hello");

        // She shares a view link.
        await alice.ClickAsync("#share");
        await alice.ClickAsync("text=Create a view link");
        string url = await alice.Locator("#share-url").InputValueAsync();
        Assert.Contains($"/d/{id}#link=", url, StringComparison.Ordinal);

        // A signed-out second browser sees her edits live, and cannot change the text.
        var guest = await NewPageAsync();
        await guest.GotoAsync(url);
        await WhenConnectedAsync(guest);
        await guest.Locator("#role", new() { HasText = "View only" }).WaitForAsync();
        await alice.Locator("dialog.share button", new() { HasText = "Done" }).ClickAsync();
        await alice.Locator(".cm-content").ClickAsync();
        await alice.Keyboard.PressAsync("End");
        await alice.Keyboard.TypeAsync(" world");
        await guest.WaitForFunctionAsync("() => window.collab.text() === 'Hello world'");
        await guest.Locator(".cm-content").ClickAsync();
        await guest.Keyboard.TypeAsync("guest was here");
        Assert.Equal("false", await guest.Locator(".cm-content").GetAttributeAsync("contenteditable"));
        Assert.Equal("Hello world", await guest.EvaluateAsync<string>("() => window.collab.text()"));

        // Alice changes the link to edit: the guest types at once, without reloading.
        await guest.EvaluateAsync("() => { window.notReloaded = true; }");
        await alice.ClickAsync("#share");
        await alice.Locator("dialog.share details summary").ClickAsync();
        await alice.Locator(".audit li", new() { HasText = "opened through link" }).WaitForAsync();
        await alice.Locator(".share-list select").SelectOptionAsync("editor");
        await guest.WaitForFunctionAsync("() => document.querySelector('#role').textContent === ''");
        await guest.WaitForFunctionAsync("() => document.querySelector('.cm-content').getAttribute('contenteditable') === 'true'");
        await guest.Locator(".cm-content").ClickAsync();
        await guest.Keyboard.PressAsync("End");
        await guest.Keyboard.TypeAsync("!");
        await alice.WaitForFunctionAsync("() => window.collab.text() === 'Hello world!'");
        Assert.True(await guest.EvaluateAsync<bool>("() => window.notReloaded === true"));

        // Alice revokes the link: the guest is told within a second of the revocation, and keeps the text.
        var revoked = alice.WaitForResponseAsync(r => r.Request.Method == "DELETE" && r.Url.Contains("/links/", StringComparison.Ordinal));
        await alice.Locator(".share-list button", new() { HasText = "Revoke" }).ClickAsync();
        await revoked;
        var clock = Stopwatch.StartNew();
        await guest.Locator(".notice.ended", new() { HasText = "You no longer have access" }).WaitForAsync(new() { Timeout = 1_000 });
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"told after {clock.Elapsed}");
        Assert.Equal("Hello world!", await guest.EvaluateAsync<string>("() => window.collab.text()"));
        await guest.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "access-revoked.png") });

        // A third browser, with no link, finds nothing there.
        var stranger = await NewPageAsync();
        await stranger.GotoAsync($"/d/{id}");
        await stranger.Locator("h2", new() { HasText = "Document not found" }).WaitForAsync();
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _server.BaseUri.ToString() });
        var page = await context.NewPageAsync();
        PageLog.For(page);
        return page;
    }

    private static Task WhenConnectedAsync(IPage page) =>
        page.WaitForFunctionAsync("() => window.collab && document.querySelector('#status')?.dataset.status === 'connected'", null, new() { Timeout = 60_000 });
}
