using System.Net.Http.Json;
using CollabEdit.Server.Api;
using CollabEdit.Server.Tests;

namespace CollabEdit.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class DocumentsPageTests(BrowserFixture fixture)
{
    [Fact]
    public async Task DocumentsPage_ListsCreatesOpensAndDeletes()
    {
        await using var server = await RunningServer.StartAsync();
        await server.CreateDocumentAsync("existing", "Meeting <b>notes</b>");
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = server.BaseUri.ToString() });
        await BrowserAccounts.SignInAsOwnerAsync(context, server.BaseUri);
        var page = await context.NewPageAsync();
        var log = PageLog.Attach(page);

        var response = await page.GotoAsync("/");
        await page.Locator("#documents tr").First.WaitForAsync();
        string? policy = await response!.HeaderValueAsync("content-security-policy");
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);

        // Titles are text, never HTML.
        Assert.Equal("Meeting <b>notes</b>", await page.Locator("#documents tr a").First.InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "documents.png") });

        await page.FillAsync("#new-title", "Draft");
        await page.ClickAsync("button[type=submit]");
        // Not WaitForURL(…, Commit): when the click itself waited for the navigation, the URL
        // already matches and that wait never ends (seen on CI).
        await log.WithDiagnosticsAsync("the editor of the new document opens", () =>
            page.WaitForFunctionAsync("() => location.pathname.startsWith('/d/')", null, new() { Timeout = 60_000 }));
        await log.WithDiagnosticsAsync("the editor connects", () =>
            page.WaitForFunctionAsync("() => document.querySelector('#status')?.dataset.status === 'connected'", null, new() { Timeout = 60_000 }));
        Assert.Equal("Draft", await page.Locator("#title").InnerTextAsync());

        await page.GotoAsync("/");
        await page.Locator("#documents tr").Nth(1).WaitForAsync();
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.Locator("#documents tr", new() { HasText = "Draft" }).Locator("button").ClickAsync();
        await log.WithDiagnosticsAsync("the document is deleted", async () =>
        {
            var deadline = DateTime.UtcNow + Timeouts.Converge;
            while ((await server.Http.GetFromJsonAsync<DocumentSummary[]>("/api/documents"))!.Length != 1)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("The document list still has the deleted document.");
                }

                await Task.Delay(50);
            }
        });
        await context.CloseAsync();
    }
}
