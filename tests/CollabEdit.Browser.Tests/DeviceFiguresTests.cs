using System.Diagnostics;
using System.Text.Json;
using CollabEdit.Server.Tests;
using Microsoft.Playwright;

namespace CollabEdit.Browser.Tests;

/// <summary>
/// The figures docs/benchmarks.md records for the device store, measured in the real browser:
/// reload to restored text with 1,000 unsent edits, how soon a dead link shows, and what writing
/// one keystroke to IndexedDB costs. Each test asserts only what must be true (every edit is
/// restored, the status says offline); the times are written to artifacts/browser-figures.json
/// and printed, never asserted.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DeviceFiguresTests(BrowserFixture fixture) : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AThousandUnsentEdits_AreAllRestoredAfterAReload()
    {
        string id = await _server.CreateDocumentAsync("");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#e6194b");

        // The reload below is offline: the page comes from the service worker, once it has the app's files.
        await ann.Page.WaitForFunctionAsync("() => navigator.serviceWorker.controller !== null", null, new() { Timeout = 60_000 });
        await ann.Context.SetOfflineAsync(true);

        // 1,000 separate edits, each its own transaction, then every keystroke's write timing.
        await ann.Page.EvaluateAsync(@"async () => {
            const v = window.collab.view;
            for (let i = 0; i < 1000; i++) {
              v.dispatch({ changes: { from: v.state.doc.length, insert: `edit ${i}\n` }, userEvent: 'input.type' });
              if (i % 10 === 9) await new Promise((r) => setTimeout(r, 0));
            }
        }");
        string expected = string.Concat(Enumerable.Range(0, 1000).Select(i => $"edit {i}\n"));
        await ann.Page.WaitForFunctionAsync("() => window.collab.connection.savedLocally", null, new() { Timeout = 60_000 });
        double[] writes = await ann.Page.EvaluateAsync<double[]>("() => window.collab.connection.saveTimings");

        var clock = Stopwatch.StartNew();
        await ann.Page.ReloadAsync(new() { WaitUntil = WaitUntilState.Commit });
        await ann.Page.WaitForFunctionAsync("n => window.collab?.text().length === n", expected.Length, new() { Timeout = 60_000 });
        double restoreMs = clock.Elapsed.TotalMilliseconds;

        Assert.Equal(expected, await ann.TextAsync());
        await ann.Context.SetOfflineAsync(false);
        await ann.Page.WaitForFunctionAsync("() => document.querySelector('#status').textContent === 'connected'", null, new() { Timeout = 60_000 });
        Assert.Equal(expected, (await _server.GetDocumentAsync(id)).Text);
        Record("reload_to_restored_1000_edits_ms", restoreMs);
        Record("indexeddb_write_ms", Percentiles(writes));
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task EveryKeystrokeOfAFastTypist_IsWrittenToTheDevice()
    {
        string id = await _server.CreateDocumentAsync("");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#e6194b");
        await ann.Context.SetOfflineAsync(true);
        await ann.ClickEditorAsync();

        // 300 keystrokes at 20 ms apart (50 a second): each is written once its own write can start.
        string typed = string.Concat(Enumerable.Repeat("typing fast ", 25));
        await ann.Page.Keyboard.TypeAsync(typed, new() { Delay = 20 });
        await ann.Page.WaitForFunctionAsync("() => window.collab.connection.savedLocally", null, new() { Timeout = 60_000 });
        double[] writes = await ann.Page.EvaluateAsync<double[]>("() => window.collab.connection.saveTimings");

        Assert.Equal(typed, await ann.TextAsync());
        Record("indexeddb_write_per_keystroke_ms", Percentiles(writes));
        await ann.Context.CloseAsync();
    }

    [Fact]
    public async Task ADeadLink_ShowsAsOffline_FromTheBrowsersEventAndFromMissedKeepAlives()
    {
        string id = await _server.CreateDocumentAsync("x");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#e6194b");
        var clock = Stopwatch.StartNew();
        await ann.Context.SetOfflineAsync(true);
        await ann.Page.WaitForFunctionAsync("() => document.querySelector('#status').dataset.status === 'offline'", null, new() { Timeout = 60_000 });
        Record("offline_event_to_status_ms", clock.Elapsed.TotalMilliseconds);
        await ann.Context.CloseAsync();

        // A server that stops answering (frozen: its socket stays open, as behind a dead router).
        var server = ServerProcess.Start(RunningServer.NewDataPath());
        try
        {
            await server.WaitHealthyAsync();
            using var http = await server.OwnerHttpAsync();
            var created = await http.PostAsync("/api/documents", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
            string doc = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            var bob = await EditorPage.OpenAsync(fixture.Browser, server.BaseUri, doc, "Bob", "#4363d8");
            server.Pause();
            clock.Restart();
            await bob.Page.WaitForFunctionAsync("() => document.querySelector('#status').dataset.status !== 'connected'", null, new() { Timeout = 60_000 });
            Record("silent_server_to_status_ms", clock.Elapsed.TotalMilliseconds);
            server.Resume();
            await bob.Context.CloseAsync();
        }
        finally
        {
            server.Resume();
            server.Dispose();
        }
    }

    private static Dictionary<string, double> Percentiles(double[] values)
    {
        Assert.NotEmpty(values);
        var sorted = values.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new() { ["count"] = sorted.Length, ["p50"] = At(0.50), ["p99"] = At(0.99), ["max"] = sorted[^1] };
    }

    private static void Record(string name, object value)
    {
        string path = Path.Combine(Path.GetDirectoryName(BrowserFixture.ScreenshotDirectory)!, "browser-figures.json");
        lock (typeof(DeviceFiguresTests))
        {
            var figures = File.Exists(path)
                ? JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(path))!
                : [];
            figures[name] = JsonSerializer.SerializeToElement(value);
            File.WriteAllText(path, JsonSerializer.Serialize(figures, new JsonSerializerOptions { WriteIndented = true }));
        }

        Console.WriteLine($"figure {name}: {JsonSerializer.Serialize(value)}");
    }
}
