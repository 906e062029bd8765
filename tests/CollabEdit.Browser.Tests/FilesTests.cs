using System.Text;
using CollabEdit.Server.Tests;
using Microsoft.Playwright;

namespace CollabEdit.Browser.Tests;

/// <summary>
/// Files in and out of the page: a document downloaded as .txt or .md is its text byte for byte
/// (UTF-8), and so is a revision's; a file uploaded or dropped on the documents page becomes a
/// document, emoji and CJK intact; a file that is not UTF-8 is refused with the server's message.
/// The documents page finds by title and text and sorts by title or last edit.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class FilesTests(BrowserFixture fixture) : IAsyncLifetime
{
    private const string Mixed = "Notes 😀 — 漢字かな交じり\r\nsecond line\n\tend 👩‍👩‍👧";

    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task DownloadedFiles_AreTheDocumentByteForByte()
    {
        string id = await _server.CreateDocumentAsync(Mixed, "Exported");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#b91c1c");
        await ann.MoveToAsync(0);
        await ann.Page.Keyboard.TypeAsync("é ");
        await Eventually.TrueAsync(() => _server.GetDocumentAsync(id).Result.Text.StartsWith("é ", StringComparison.Ordinal), "the edit is committed");
        string text = (await _server.GetDocumentAsync(id)).Text;

        await ann.Page.ClickAsync("#toggle-history");
        foreach (string format in new[] { "txt", "md" })
        {
            var download = await ann.Page.RunAndWaitForDownloadAsync(() => ann.Page.ClickAsync($"#download-{format}"));
            Assert.Equal($"Exported.{format}", download.SuggestedFilename);
            Assert.Equal(Encoding.UTF8.GetBytes(text), await File.ReadAllBytesAsync(await download.PathAsync()));
        }

        // A revision's text, from its row.
        await ann.Page.Locator("#sessions button[data-revision='0']").ClickAsync();
        var atZero = await ann.Page.RunAndWaitForDownloadAsync(() => ann.Page.ClickAsync("#download-revision"));
        Assert.Equal(Encoding.UTF8.GetBytes(Mixed), await File.ReadAllBytesAsync(await atZero.PathAsync()));
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task UploadedAndDroppedFiles_BecomeDocuments_AndInvalidUtf8IsRefusedWithTheServersMessage()
    {
        var page = await OwnerPageAsync();

        await page.SetInputFilesAsync("#import-file", new FilePayload { Name = "notes.txt", MimeType = "text/plain", Buffer = Encoding.UTF8.GetBytes(Mixed) });
        await page.WaitForFunctionAsync("() => window.collab && document.querySelector('#status')?.dataset.status === 'connected'", null, new() { Timeout = 60_000 });
        Assert.Equal(Mixed, await page.EvaluateAsync<string>("() => window.collab.text()"));
        string id = await page.EvaluateAsync<string>("() => decodeURIComponent(location.pathname.split('/').pop())");
        Assert.Equal(Mixed, (await _server.GetDocumentAsync(id)).Text);

        // Dropped on the page.
        await page.GotoAsync("/");
        await page.Locator("#documents tr").First.WaitForAsync();
        await page.EvaluateAsync(@"text => {
            const data = new DataTransfer();
            data.items.add(new File([text], 'dropped.md', { type: 'text/markdown' }));
            document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
        }", "# Dropped 😀 漢字\n");
        await page.WaitForFunctionAsync("() => window.collab && document.querySelector('#status')?.dataset.status === 'connected'", null, new() { Timeout = 60_000 });
        Assert.Equal("# Dropped 😀 漢字\n", await page.EvaluateAsync<string>("() => window.collab.text()"));

        // Not UTF-8: the server's message, on the page; no document made.
        await page.GotoAsync("/");
        await page.Locator("#documents tr").First.WaitForAsync();
        int before = await page.Locator("#documents tr").CountAsync();
        await page.SetInputFilesAsync("#import-file", new FilePayload { Name = "latin1.txt", MimeType = "text/plain", Buffer = [0x63, 0x61, 0x66, 0xE9, 0x0A] });
        var error = page.Locator("#import-error");
        await error.Locator("text=UTF-8").WaitForAsync();
        Assert.Contains("latin1.txt", await error.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await page.Locator("#documents tr").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task DocumentsPage_FindsByTitleAndText_AndSortsByTitleOrLastEdit()
    {
        await _server.CreateDocumentAsync("apples and pears", "Zebra notes");
        await _server.CreateDocumentAsync("bananas", "Alpha plan");
        await _server.CreateDocumentAsync("cherries", "Middle");
        var page = await OwnerPageAsync();
        var titles = page.Locator("#documents tr a");

        // Newest edit first by default; by title on request.
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#documents tr').length === 3");
        Assert.Equal(["Middle", "Alpha plan", "Zebra notes"], await titles.AllInnerTextsAsync());
        await page.SelectOptionAsync("#sort", "title");
        await page.WaitForFunctionAsync("() => document.querySelector('#documents tr a')?.textContent === 'Alpha plan'");
        Assert.Equal(["Alpha plan", "Middle", "Zebra notes"], await titles.AllInnerTextsAsync());

        // By text and by title.
        await page.FillAsync("#search", "banana");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#documents tr').length === 1");
        Assert.Equal(["Alpha plan"], await titles.AllInnerTextsAsync());
        await page.FillAsync("#search", "zebra");
        await page.WaitForFunctionAsync("() => document.querySelector('#documents tr a')?.textContent === 'Zebra notes' && document.querySelectorAll('#documents tr').length === 1");
        await page.FillAsync("#search", "nothing like this");
        await page.Locator("#empty", new() { HasText = "No document of yours matches." }).WaitForAsync();
        await page.Context.CloseAsync();
    }

    private async Task<IPage> OwnerPageAsync()
    {
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = _server.BaseUri.ToString(), AcceptDownloads = true });
        await BrowserAccounts.SignInAsOwnerAsync(context, _server.BaseUri);
        var page = await context.NewPageAsync();
        PageLog.For(page);
        await page.GotoAsync("/");
        return page;
    }
}
