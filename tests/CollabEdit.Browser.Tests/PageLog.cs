using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace CollabEdit.Browser.Tests;

/// <summary>
/// What a page printed, threw and failed to load, so that a wait that times out says where the
/// page was and what went wrong there instead of only "timeout".
/// </summary>
internal sealed class PageLog
{
    private readonly IPage _page;
    private readonly ConcurrentQueue<string> _lines = new();

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IPage, PageLog> Logs = [];

    private PageLog(IPage page) => _page = page;

    /// <summary>The log of <paramref name="page"/>, attached on first use.</summary>
    public static PageLog For(IPage page) => Logs.GetValue(page, Attach);

    public static PageLog Attach(IPage page)
    {
        var log = new PageLog(page);
        page.Console += (_, message) => log.Add($"console.{message.Type}: {message.Text}");
        page.PageError += (_, error) => log.Add($"page error: {error}");
        page.RequestFailed += (_, request) => log.Add($"request failed: {request.Method} {request.Url} ({request.Failure})");
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                log.Add($"response {response.Status}: {response.Request.Method} {response.Url}");
            }
        };
        page.FrameNavigated += (_, frame) =>
        {
            if (frame.ParentFrame is null)
            {
                log.Add($"navigated to {frame.Url}");
            }
        };
        return log;
    }

    /// <summary>Runs a wait; if it fails, fails the test with the page's URL, status and log.</summary>
    public async Task WithDiagnosticsAsync(string what, Func<Task> wait)
    {
        try
        {
            await wait();
        }
        catch (Exception e) when (e is TimeoutException or PlaywrightException)
        {
            string status;
            try
            {
                status = await _page.EvaluateAsync<string>("() => (document.querySelector('#status')?.textContent ?? '(no #status)') + ' ' + (window.collab?.connection?.describe?.() ?? '')");
            }
            catch (PlaywrightException inner)
            {
                status = $"(unreadable: {inner.Message})";
            }

            Assert.Fail($"Waiting until {what} failed: {e.Message}\nPage URL: {_page.Url}\nStatus: {status}\nPage log:\n  {string.Join("\n  ", _lines)}");
        }
    }

    private void Add(string line) => _lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
}
