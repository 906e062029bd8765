using CollabEdit.Server.Tests;
using Microsoft.Playwright;

namespace CollabEdit.Browser.Tests;

/// <summary>
/// Nothing is fetched from anywhere but the server itself, the API reference included, and that
/// page is protected like the app's own.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OutsideRequestsTests(BrowserFixture fixture) : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TheAppAndItsApiReference_RequestNothingFromAnotherHost()
    {
        string id = await _server.CreateDocumentAsync("hello\n");
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = _server.BaseUri.ToString() });
        await BrowserAccounts.SignInAsOwnerAsync(context, _server.BaseUri);
        var requested = new List<string>();
        context.Request += (_, request) => requested.Add(request.Url);
        var page = await context.NewPageAsync();
        PageLog.For(page);

        await page.GotoAsync("/");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.GotoAsync($"/d/{id}");
        await page.WaitForFunctionAsync("() => document.querySelector('#status').dataset.status === 'connected'", null, new() { Timeout = 60_000 });
        await page.ClickAsync("#toggle-history");
        await page.Locator("#sessions").WaitForAsync();
        await page.GotoAsync("/d/doesnotexist");
        await page.Locator(".not-found").WaitForAsync(new() { Timeout = 60_000 });
        await page.GotoAsync("/api/docs");
        await page.GetByText("/api/documents").First.WaitForAsync(new() { Timeout = 60_000 });
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        var outside = requested.Where(url => !url.StartsWith("data:", StringComparison.Ordinal) && !url.StartsWith("blob:", StringComparison.Ordinal)
            && new Uri(url).Authority != _server.BaseUri.Authority).Distinct().ToList();
        Assert.True(outside.Count == 0, "requested from elsewhere:\n" + string.Join("\n", outside));
        Assert.Contains(requested, url => url.Contains("/api/docs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheApiReference_HasTheAppsHeaders_RunsUnderItsPolicy_AndShowsNoPromotions()
    {
        var response = await _server.Http.GetAsync("/api/docs");
        response.EnsureSuccessStatusCode();
        string policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", string.Join("", response.Headers.GetValues("X-Content-Type-Options")));

        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = _server.BaseUri.ToString() });
        await BrowserAccounts.SignInAsOwnerAsync(context, _server.BaseUri);
        var page = await context.NewPageAsync();
        PageLog.For(page);
        var refused = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                refused.Add(message.Text);
            }
        };
        await page.GotoAsync("/api/docs");
        await page.GetByText("/api/documents").First.WaitForAsync(new() { Timeout = 60_000 });
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "api-reference.png") });
        Assert.Empty(refused);
        Assert.Equal(0, await page.Locator("a[href*='scalar.com']:visible").CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Open API Client" }).CountAsync());
        Assert.Equal(0, await page.GetByText("Powered by Scalar").Locator("visible=true").CountAsync());
    }

    [Fact]
    public async Task TheApiLink_IsInTheDocumentsPageFooter_NotTheEditorHeader()
    {
        string id = await _server.CreateDocumentAsync("x");
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = _server.BaseUri.ToString() });
        await BrowserAccounts.SignInAsOwnerAsync(context, _server.BaseUri);
        var page = await context.NewPageAsync();
        PageLog.For(page);
        await page.GotoAsync("/");
        Assert.Equal(0, await page.Locator("header a[href='/api/docs']").CountAsync());
        Assert.Equal(1, await page.Locator("footer a[href='/api/docs']").CountAsync());
        await page.GotoAsync($"/d/{id}");
        Assert.Equal(0, await page.Locator("header a[href='/api/docs']").CountAsync());
    }
}
