using Microsoft.Playwright;

namespace CollabEdit.Browser.Tests;

/// <summary>Opens the editor page in its own browser context and reads its state.</summary>
internal sealed class EditorPage(IBrowserContext context, IPage page)
{
    public IBrowserContext Context { get; } = context;

    public IPage Page { get; } = page;

    /// <summary>
    /// Opens the document signed in as the account shown as <paramref name="name"/> (an editor), or,
    /// with <paramref name="linkToken"/>, signed out as a guest holding that share link.
    /// </summary>
    public static async Task<EditorPage> OpenAsync(IBrowser browser, Uri server, string documentId, string name, string color, string? linkToken = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });

        // Signed in as an account shown as `name`, an editor of the document: the name others see is the account's.
        if (linkToken is null)
        {
            await BrowserAccounts.SignInAsync(context, server, name, documentId);
        }

        // Name and colour are remembered in the browser: seed them the way the page stores them.
        await context.AddInitScriptAsync(
            $"localStorage.setItem('collabedit.identity', JSON.stringify({{ name: {System.Text.Json.JsonSerializer.Serialize(name)}, color: '{color}' }}));");
        var page = await context.NewPageAsync();
        PageLog.For(page);
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        page.Console += (_, message) =>
        {
            // A CSP violation means the page relies on something the policy forbids.
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                errors.Add(message.Text);
            }
        };
        await page.GotoAsync(linkToken is null ? $"/d/{documentId}" : $"/d/{documentId}#link={linkToken}");
        await page.WaitForFunctionAsync("() => window.collab && document.querySelector('#status').dataset.status === 'connected'", null, new() { Timeout = 60_000 });
        Assert.Empty(errors);
        return new EditorPage(context, page);
    }

    public Task<string> TextAsync() => Page.EvaluateAsync<string>("() => window.collab.text()");

    public Task<string> StatusAsync() => Page.Locator("#status").InnerTextAsync();

    /// <summary>Where this page shows the peer called <paramref name="name"/>: its head offset, or -1.</summary>
    public Task<int> PeerHeadAsync(string name) => Page.EvaluateAsync<int>(
        "name => { const p = [...window.collab.peers().values()].find(p => p.name === name); return p ? p.head : -1; }", name);

    public async Task ClickEditorAsync() => await Page.Locator(".cm-content").ClickAsync();

    public Task MoveToAsync(int offset) => Page.EvaluateAsync(
        "offset => { const v = window.collab.view; v.dispatch({ selection: { anchor: offset } }); v.focus(); }", offset);
}
