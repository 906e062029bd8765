using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CollabEdit.Client;
using CollabEdit.Ot;
using CollabEdit.Ot.Sync;
using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using CollabEdit.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Server.Tests.History;

/// <summary>
/// History people can read, against the real server: editing sessions paged back to revision 0,
/// restores recorded and announced, who wrote what (live, at any revision and after a restart),
/// compare, and /diff read from snapshots rather than the whole range of ops.
/// </summary>
public sealed class HistoryApiTests : IAsyncLifetime
{
    private readonly SteppedTime _time = new();
    private RunningServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await RunningServer.StartAsync(services: services => services.AddSingleton<TimeProvider>(_time));

    public async Task DisposeAsync() => await _server.DisposeAsync().AsTask().WaitAsync(Timeouts.Stop);

    [Fact]
    public async Task Sessions_GroupOneAuthorsEditsUntilAPauseOrAnotherAuthor_NewestFirst()
    {
        // Arrange: ann types three edits, bob two, then after a 6-minute pause one more.
        string id = await _server.CreateDocumentAsync("first line\n");
        var ann = await _server.OpenAsync(id, "ann");
        var bob = await _server.OpenAsync(id, "bob");
        await TypeAsync(ann, 11, "He");                        // r1
        await TypeAsync(ann, 13, "llo");                       // r2
        await TypeAsync(ann, 16, "\n");                        // r3: "first line\nHello\n"
        await TypeAsync(bob, 0, "x");                          // r4
        await SpliceAsync(bob, 0, 1, "");                      // r5: typed and taken back
        _time.Advance(TimeSpan.FromMinutes(6));
        await SpliceAsync(bob, 6, 4, "row");                   // r6: "first row\nHello\n"

        // Act
        var page = await GetJsonAsync<SessionsPage>($"/api/documents/{id}/sessions");

        // Assert
        Assert.Null(page.OlderBefore);
        Assert.Equal([(6, 6, "bob"), (4, 5, "bob"), (1, 3, "ann")], page.Groups.Select(g => (g.FromRevision, g.ToRevision, g.Authors.Single().Name)));
        var (late, back, typed) = (page.Groups[0], page.Groups[1], page.Groups[2]);
        Assert.Equal((3, 4, 1, "row"), (late.Added, late.Removed, late.FirstChangedLine, late.Preview));
        Assert.Equal((0, 0, (int?)null, ""), (back.Added, back.Removed, back.FirstChangedLine, back.Preview));
        Assert.Equal((6, 0, 2, "Hello\n"), (typed.Added, typed.Removed, typed.FirstChangedLine, typed.Preview));
        Assert.True(typed.StartedAt <= typed.EndedAt && typed.EndedAt <= back.StartedAt && late.StartedAt - back.EndedAt > TimeSpan.FromMinutes(5));
        Assert.False(typed.Authors.Single().Guest);
        Assert.NotNull(typed.Authors.Single().Id);
    }

    [Fact]
    public async Task Sessions_PageBackToRevisionZero_EveryRevisionOnce_BoundedByCountAndBytes()
    {
        // Arrange: 40 revisions by two authors taking turns (40 sessions), on a server whose pages
        // are cut at a few hundred bytes. The page in the issue showed only the latest 100 revisions.
        await using var small = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxHistoryPageBytes"] = "600" });
        string id = await small.CreateDocumentAsync();
        var ann = await small.OpenAsync(id, "ann");
        var bob = await small.OpenAsync(id, "bob");
        for (int i = 0; i < 40; i++)
        {
            await TypeAsync(i % 2 == 0 ? ann : bob, i, i % 2 == 0 ? "a" : "b", small);
        }

        // Act: page with limit 7 until there is no older page.
        var groups = new List<SessionGroup>();
        var pageSizes = new List<int>();
        int? before = null;
        do
        {
            var page = await GetJsonAsync<SessionsPage>($"/api/documents/{id}/sessions?limit=7{(before is null ? "" : $"&before={before}")}", small);
            Assert.InRange(page.Groups.Length, 1, 7);
            pageSizes.Add(page.Groups.Length);
            groups.AddRange(page.Groups);
            before = page.OlderBefore;
        }
        while (before is not null);

        // Assert: revisions 40 … 1, each in exactly one group, newest first; some pages cut by bytes.
        Assert.Equal(Enumerable.Range(1, 40).Reverse(), groups.SelectMany(g => Enumerable.Range(g.FromRevision, g.ToRevision - g.FromRevision + 1).Reverse()));
        Assert.Contains(pageSizes, size => size < 7);
    }

    [Fact]
    public async Task Restore_IsRecordedAndAnnounced_AndItsOpReachesEveryone()
    {
        // Arrange: bob has the document open and listens for Restored.
        string id = await _server.CreateDocumentAsync("one");
        var ann = await _server.OpenAsync(id, "ann");
        await SpliceAsync(ann, 3, 0, " two");                  // r1
        await SpliceAsync(ann, 7, 0, " three");                // r2
        var connection = await _server.ConnectAsAccountAsync("bob", id);
        var announced = new TaskCompletionSource<(string, int, int, string, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<string, int, int, string, string?>(HubMessages.Restored, (doc, revision, from, by, byId) => announced.TrySetResult((doc, revision, from, by, byId)));
        var bob = await CollabDocument.OpenAsync(connection, id, "bob").WaitAsync(Timeouts.Call);

        // Act: the owner restores revision 1.
        var response = await _server.Http.PostAsJsonAsync($"/api/documents/{id}/restore", new RestoreRequest(1)).WaitAsync(Timeouts.Http);
        response.EnsureSuccessStatusCode();

        // Assert: announced to bob after the op, which he applied like any other; recorded in the history and the sessions.
        var (doc, revision, fromRevision, by, byId) = await announced.Task.WaitAsync(Timeouts.Call);
        Assert.Equal((id, 3, 1, RunningServer.OwnerName), (doc, revision, fromRevision, by));
        Assert.NotNull(byId);
        await Eventually.TrueAsync(() => bob.Revision == 3, "bob receives the restore's op");
        Assert.Equal("one two", bob.Text);
        var history = await _server.GetAllHistoryAsync(id);
        Assert.Equal([null, null, 1], history.Select(h => h.RestoredFrom));
        var page = await GetJsonAsync<SessionsPage>($"/api/documents/{id}/sessions");
        Assert.Equal((3, 3, 1, RunningServer.OwnerName), (page.Groups[0].FromRevision, page.Groups[0].ToRevision, page.Groups[0].RestoredFrom, page.Groups[0].Authors.Single().Name));
    }

    [Fact]
    public async Task Authorship_CreditsEachUnitToItsInserter_ARestoreToTheRestorer_LiveAtAnyRevisionAndAfterARestart()
    {
        // Arrange
        string dataPath = RunningServer.NewDataPath();
        var settings = new Dictionary<string, string> { ["SnapshotInterval"] = "2" };
        string id;
        AuthorshipResult[] before;
        await using (var first = await RunningServer.StartAsync(dataPath, settings))
        {
            first.KeepData = true;
            id = await first.CreateDocumentAsync("");
            var ann = await first.OpenAsync(id, "ann");
            var bob = await first.OpenAsync(id, "bob");
            await SpliceAsync(ann, 0, 0, "Hello", first);      // r1 "Hello"
            await SpliceAsync(bob, 5, 0, " world 😀", first);  // r2 "Hello world 😀"
            await SpliceAsync(ann, 0, 1, "J", first);          // r3 "Jello world 😀"
            (await first.Http.PostAsJsonAsync($"/api/documents/{id}/restore", new RestoreRequest(2)).WaitAsync(Timeouts.Http)).EnsureSuccessStatusCode(); // r4 "Hello world 😀"

            // Act
            before = [.. await Task.WhenAll(Enumerable.Range(0, 5).Select(r => GetJsonAsync<AuthorshipResult>($"/api/documents/{id}/authorship?revision={r}", first)))];
            var watcher = await first.ConnectAsAccountAsync("cy", id);
            await watcher.InvokeAsync<OpenResult>(HubMessages.Open, id, "cy").WaitAsync(Timeouts.Call);
            var live = await watcher.InvokeAsync<AuthorshipMessage>(HubMessages.Authorship, id).WaitAsync(Timeouts.Call);
            var current = await GetJsonAsync<AuthorshipResult>($"/api/documents/{id}/authorship", first);

            // Assert
            Assert.Empty(before[0].Spans);
            Assert.Equal([(5, "ann")], Credits(before[1]));
            Assert.Equal([(5, "ann"), (9, "bob")], Credits(before[2]));
            Assert.Equal([(5, "ann"), (9, "bob")], Credits(before[3]));
            Assert.Equal([(1, RunningServer.OwnerName), (4, "ann"), (9, "bob")], Credits(before[4]));
            Assert.Equal(4, live.Revision);
            Assert.Equal(Credits(before[4]), live.Spans.Select(s => (s.Length, s.AuthorName)));
            Assert.Equal(Credits(before[4]), Credits(current));
            Assert.Contains(live.Peers, p => p.AuthorName == "ann");
        }

        // Assert: after a restart the snapshot written at unload has the authorship, so nothing is replayed from r0.
        await using var second = await RunningServer.StartAsync(dataPath, settings);
        var store = second.App.Services.GetRequiredService<IDocumentStorage>();
        Assert.Equal(4, store.LatestAuthoredSnapshot(id, 4)!.Revision);
        for (int r = 0; r <= 4; r++)
        {
            var again = await GetJsonAsync<AuthorshipResult>($"/api/documents/{id}/authorship?revision={r}", second);
            Assert.Equal(JsonSerializer.Serialize(before[r]), JsonSerializer.Serialize(again));
        }
    }

    [Fact]
    public async Task Authorship_WithSnapshotsFromBeforeAuthorship_ReplaysFromOneThatHasIt_AndTheNextUnloadWritesOne()
    {
        // Arrange: snapshots at 100 and 200 without authorship, as older builds wrote them.
        var settings = new Dictionary<string, string> { ["IdleUnloadAfter"] = "00:00:00.200", ["IdleSweepInterval"] = "00:00:00.100" };
        await using var server = await RunningServer.StartAsync(settings: settings);
        string id = await server.CreateDocumentAsync("");
        await AppendOpsAsync(server, id, count: 250, snapshotEvery: 100);
        var store = server.App.Services.GetRequiredService<IDocumentStorage>();
        Assert.Equal(0, store.LatestAuthoredSnapshot(id, 250)!.Revision);

        // Act: read it, then open it live and let it unload.
        var read = await GetJsonAsync<AuthorshipResult>($"/api/documents/{id}/authorship?revision=250", server);
        var connection = await server.ConnectAsync();
        var opened = await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "me").WaitAsync(Timeouts.Call);
        var live = await connection.InvokeAsync<AuthorshipMessage>(HubMessages.Authorship, id).WaitAsync(Timeouts.Call);
        await connection.InvokeAsync(HubMessages.Close, id).WaitAsync(Timeouts.Call);

        // Assert: every unit credited to the ops' author (a name from before accounts), and an authored snapshot at 250 once unloaded.
        Assert.Equal([new AuthorshipSpanMessage(250, null, "Appender", false, read.Spans[0].At)], read.Spans);
        Assert.Equal(250, live.Revision);
        Assert.Equal(read.Spans, live.Spans);
        Assert.Equal(250, opened.Revision);
        await Eventually.TrueAsync(() => store.LatestAuthoredSnapshot(id, 250)!.Revision == 250, "the unload writes a snapshot with authorship");
    }

    [Fact]
    public async Task Authorship_OfAGuestsText_NamesTheGuest_WithNoAccount()
    {
        // Arrange: a guest through an edit link types after the owner's text.
        string id = await _server.CreateDocumentAsync("owner's ");
        var connection = await _server.ConnectAsAsync(null, await _server.CreateLinkAsync(id, "editor"));
        var guest = await CollabDocument.OpenAsync(connection, id, "Gus").WaitAsync(Timeouts.Call);
        await SpliceAsync(guest, 8, 0, "guest text");

        // Act
        var authorship = await GetJsonAsync<AuthorshipResult>($"/api/documents/{id}/authorship");

        // Assert
        Assert.Equal(
            [(8, RunningServer.OwnerName, false, true), (10, "Gus", true, false)],
            authorship.Spans.Select(s => (s.Length, s.AuthorName, s.Guest, s.AuthorId is not null)));
    }

    [Fact]
    public async Task Compare_AnyTwoRevisions_RebuildsBothTexts_AndCreditsInsertedAndDeletedText()
    {
        // Arrange
        string id = await _server.CreateDocumentAsync("");
        var ann = await _server.OpenAsync(id, "ann");
        var bob = await _server.OpenAsync(id, "bob");
        await SpliceAsync(ann, 0, 0, "Hello\nsame\n");        // r1
        await SpliceAsync(bob, 11, 0, "bob's line\n");         // r2
        await SpliceAsync(ann, 0, 1, "J");                     // r3 "Jello\nsame\nbob's line\n"
        string[] texts = ["", "Hello\nsame\n", "Hello\nsame\nbob's line\n", "Jello\nsame\nbob's line\n"];

        // Act + Assert: every pair, in both orders.
        for (int from = 0; from <= 3; from++)
        {
            for (int to = 0; to <= 3; to++)
            {
                var compare = await GetJsonAsync<CompareResult>($"/api/documents/{id}/compare?from={from}&to={to}");
                Assert.Equal(texts[from], string.Concat(compare.Spans.Where(s => s.Kind != "insert").Select(s => s.Text)));
                Assert.Equal(texts[to], string.Concat(compare.Spans.Where(s => s.Kind != "delete").Select(s => s.Text)));
                Assert.All(compare.Spans.Where(s => s.Kind != "equal"), s => Assert.NotNull(s.AuthorName));
            }
        }

        var oneToThree = await GetJsonAsync<CompareResult>($"/api/documents/{id}/compare?from=1&to=3");
        Assert.Equal(
            [("delete", "Hello\n", "ann"), ("insert", "Jello\n", "ann"), ("equal", "same\n", null), ("insert", "bob's line\n", "bob")],
            oneToThree.Spans.Select(s => (s.Kind, s.Text, s.AuthorName)));
    }

    [Fact]
    public async Task Diff_OfALongHistory_ReadsTheTwoTextsFromSnapshots_NotEveryOpBetween()
    {
        // Arrange: 1,000 ops with a snapshot every 100, as sessions write them (appended straight to storage).
        var counting = (CountingStorage)null!;
        await using var server = await RunningServer.StartAsync(services: services =>
            services.AddSingleton<IDocumentStorage>(sp => counting = CountingStorage.Over(sp)));
        string id = await server.CreateDocumentAsync("");
        string text = await AppendOpsAsync(server, id, count: 1000, snapshotEvery: 100);
        counting.Reset(id);

        // Act
        var diff = await GetJsonAsync<DiffResult>($"/api/documents/{id}/diff?from=50&to=1000", server);

        // Assert: the old /diff composed all 950 ops (quadratic in the range); now two texts, each a snapshot plus ≤ 100 ops.
        Assert.Equal(text, diff.Op.Apply(text[..50]));
        Assert.InRange(counting.OpsRead(id), 0, 200);
    }

    [Theory]
    [InlineData("compare?from=0&to=600")]
    [InlineData("diff?from=0&to=600")]
    public async Task HistoryRead_WhoseClientLeft_StopsReading(string read)
    {
        // Arrange: no snapshot after r0, so the text at r600 is 600 ops, read in chunks; the read's
        // first chunk is held until the server has seen the client go.
        var counting = (CountingStorage)null!;
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await RunningServer.StartAsync(
            settings: new Dictionary<string, string> { ["SnapshotInterval"] = "1000000" },
            services: services =>
            {
                services.AddHttpContextAccessor();
                services.AddSingleton<IDocumentStorage>(sp => counting = CountingStorage.Over(sp));
                services.AddSingleton<IStartupFilter>(new WhenFinished("/" + read.Split('?')[0], finished));
            });
        string id = await server.CreateDocumentAsync("");
        await AppendOpsAsync(server, id, count: 600, snapshotEvery: 0);
        counting.Reset(id);
        var accessor = server.App.Services.GetRequiredService<IHttpContextAccessor>();
        var reading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HttpContext? held = null;
        int readsAfterLeaving = 0;
        counting.BeforeRead = documentId =>
        {
            if (documentId != id || accessor.HttpContext is not { } http)
            {
                return;
            }

            if (held is not null)
            {
                if (ReferenceEquals(http, held))
                {
                    Interlocked.Increment(ref readsAfterLeaving);
                }

                return;
            }

            held = http;
            reading.TrySetResult();
            Assert.True(http.RequestAborted.WaitHandle.WaitOne(Timeouts.Call), "the server never saw the client go");
        };

        // Act: ask, and go away while the server reads.
        using var cancel = new CancellationTokenSource();
        var request = server.Http.GetAsync($"/api/documents/{id}/{read}", cancel.Token);
        await reading.Task.WaitAsync(Timeouts.Http);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        await finished.Task.WaitAsync(Timeouts.Http);

        // Assert: once the client had gone the server read nothing more (the old /diff read all 600 ops at once).
        Assert.Equal(0, Volatile.Read(ref readsAfterLeaving));
        Assert.InRange(counting.OpsRead(id), 1, 256);
    }

    /// <summary>Completes <paramref name="finished"/> when a request whose path ends with <paramref name="pathEnd"/> has been answered (or failed).</summary>
    private sealed class WhenFinished(string pathEnd, TaskCompletionSource finished) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, inner) =>
            {
                try
                {
                    await inner();
                }
                finally
                {
                    if (context.Request.Path.Value?.EndsWith(pathEnd, StringComparison.Ordinal) == true)
                    {
                        finished.TrySetResult();
                    }
                }
            });
            next(app);
        };
    }

    private static (int Length, string Name)[] Credits(AuthorshipResult result) => [.. result.Spans.Select(s => (s.Length, s.AuthorName))];

    /// <summary>Appends <paramref name="count"/> one-letter ops to an unopened document, with a snapshot every <paramref name="snapshotEvery"/> (0: none); the final text.</summary>
    private static async Task<string> AppendOpsAsync(RunningServer server, string id, int count, int snapshotEvery)
    {
        var store = server.App.Services.GetRequiredService<IDocumentStorage>();
        var start = DateTimeOffset.UtcNow;
        string text = "";
        var group = new List<StoredOp>();
        for (int revision = 1; revision <= count; revision++)
        {
            var op = TextOperation.Splice(text.Length, text.Length, 0, ((char)('a' + (revision % 26))).ToString());
            text = op.Apply(text);
            group.Add(new StoredOp(id, new CommittedOp(revision, op, "appender", revision, revision - 1, op), "Appender", "peer", start.AddMilliseconds(revision)));
            bool snapshot = snapshotEvery > 0 && revision % snapshotEvery == 0;
            if (snapshot || group.Count == 50 || revision == count)
            {
                await store.AppendAsync(id, group, snapshot ? new Snapshot(revision, text) : null).WaitAsync(Timeouts.Http);
                group.Clear();
            }
        }

        return text;
    }

    private Task TypeAsync(CollabDocument document, int position, string insert, RunningServer? server = null) => SpliceAsync(document, position, 0, insert, server);

    /// <summary>Edits once the client has every op the server committed (the others' included), so positions are on the latest text.</summary>
    private async Task SpliceAsync(CollabDocument document, int position, int deleteCount, string insert, RunningServer? server = null)
    {
        int revision = (await (server ?? _server).GetDocumentAsync(document.DocumentId).WaitAsync(Timeouts.Http)).Revision;
        await Eventually.TrueAsync(() => document.Revision >= revision, $"the client reaches revision {revision}");
        document.Splice(position, deleteCount, insert);
        await document.WhenSynchronizedAsync().WaitAsync(Timeouts.Call);
    }

    private async Task<T> GetJsonAsync<T>(string path, RunningServer? server = null)
    {
        var response = await (server ?? _server).Http.GetAsync(path).WaitAsync(Timeouts.Http);
        string body = await response.Content.ReadAsStringAsync().WaitAsync(Timeouts.Http);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<T>(body, JsonSerializerOptions.Web)!;
    }
}
