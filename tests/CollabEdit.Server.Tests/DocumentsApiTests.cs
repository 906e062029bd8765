using System.Net;
using System.Text;
using System.Text.Json;
using CollabEdit.Client;
using CollabEdit.Ot;
using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using CollabEdit.Server.Storage;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Server.Tests;

/// <summary>
/// The document history REST API (docs/design.md), every endpoint, against the real server. The tests
/// share one server (each with its own document); those that need other settings start their own.
/// </summary>
public sealed class DocumentsApiTests(DocumentsApiTests.ServerFixture fixture) : IClassFixture<DocumentsApiTests.ServerFixture>
{
    private const string UnknownId = "0000000000000000000000000000000000000000000000000000000000000000"; // 64 characters: valid, never created.

    private const string Initial = "Hello";

    /// <summary>Typed one at a time, each acknowledged before the next: edit n makes revision n.</summary>
    private static readonly Edit[] ShortEdits =
    [
        new(5, 0, ", world"),   // 1: "Hello, world"
        new(0, 1, "J"),         // 2: "Jello, world"
        new(12, 0, " 😀"),      // 3: "Jello, world 😀"
        new(5, 7, ""),          // 4: "Jello 😀"
        new(0, 0, "¡"),         // 5: "¡Jello 😀"
        new(0, 9, ""),          // 6: ""
        new(0, 0, "again\n"),   // 7: "again\n"
    ];

    private readonly RunningServer _server = fixture.Server;

    /// <summary>Every endpoint that takes a document id: method, path after the id, JSON body.</summary>
    public static TheoryData<string, string, string?> EveryDocumentEndpoint => new()
    {
        { "GET", "", null },
        { "GET", "/history", null },
        { "GET", "/revisions/0", null },
        { "GET", "/diff", null },
        { "POST", "/restore", """{"revision":0}""" },
        { "GET", "/versions", null },
        { "POST", "/versions", """{"name":"v1"}""" },
        { "DELETE", "", null },
    };

    /// <summary>Bodies of POST /versions that are refused on a document at revision 2.</summary>
    public static TheoryData<string> InvalidVersionRequests => new()
    {
        "{}",
        """{"name":""}""",
        """{"name":"   "}""",
        """{"name":"\ud83d"}""",
        $$"""{"name":"{{new string('n', 201)}}"}""",
        """{"name":"ok","revision":-1}""",
        """{"name":"ok","revision":3}""",
    };

    // ---- GET /api/documents ----

    [Fact]
    public async Task List_ContainsCreatedDocuments_WithIdTitleRevisionAndUpdatedAt()
    {
        // Arrange
        string quiet = await _server.CreateDocumentAsync("quiet", "Quiet one").WaitAsync(Timeouts.Http);
        var edited = await TypeAsync(_server, ShortEdits[..2]);
        var quietDetails = await _server.GetDocumentAsync(quiet).WaitAsync(Timeouts.Http);
        var editedDetails = await _server.GetDocumentAsync(edited.Id).WaitAsync(Timeouts.Http);

        // Act
        var list = await GetJsonAsync<DocumentSummary[]>(_server, "/api/documents");

        // Assert
        Assert.Contains(new DocumentSummary(quiet, "Quiet one", 0, quietDetails.UpdatedAt, "owner", RunningServer.OwnerName), list);
        Assert.Contains(new DocumentSummary(edited.Id, "Test", 2, editedDetails.UpdatedAt, "owner", RunningServer.OwnerName), list);
        Assert.Equal(list.Length, list.Select(d => d.Id).Distinct().Count());
    }

    // ---- POST /api/documents ----

    [Fact]
    public async Task Create_Is201WithLocation_AndGetReturnsTheSameDocument()
    {
        // Act
        var response = await PostJsonAsync(_server, "/api/documents", new CreateDocumentRequest("Notes", "Hi 😀\nthere"));
        var created = await ReadJsonAsync<DocumentDetails>(response, HttpStatusCode.Created);

        // Assert
        Assert.Equal("Notes", created.Title);
        Assert.Equal("Hi 😀\nthere", created.Text);
        Assert.Equal(0, created.Revision);
        Assert.Equal(created.CreatedAt, created.UpdatedAt);
        Assert.Equal($"/api/documents/{created.Id}", response.Headers.Location?.OriginalString);
        var fetched = await GetJsonAsync<DocumentDetails>(_server, response.Headers.Location!.OriginalString);
        Assert.Equal(created, fetched);
    }

    [Fact]
    public async Task Create_EmptyObject_DefaultsToUntitledAndEmptyText()
    {
        // Act
        var response = await PostRawAsync(_server, "/api/documents", "{}");
        var created = await ReadJsonAsync<DocumentDetails>(response, HttpStatusCode.Created);

        // Assert
        Assert.Equal("Untitled", created.Title);
        Assert.Equal("", created.Text);
        Assert.Equal(0, created.Revision);
        Assert.Equal(created, await _server.GetDocumentAsync(created.Id).WaitAsync(Timeouts.Http));
    }

    [Fact]
    public async Task Create_TitleOf200Characters_IsAccepted()
    {
        // Act
        var response = await PostJsonAsync(_server, "/api/documents", new CreateDocumentRequest(new string('t', 200), "x"));

        // Assert
        var created = await ReadJsonAsync<DocumentDetails>(response, HttpStatusCode.Created);
        Assert.Equal(new string('t', 200), created.Title);
    }

    [Fact]
    public async Task Create_TitleLongerThan200Characters_Is400()
    {
        // Act
        var response = await PostJsonAsync(_server, "/api/documents", new CreateDocumentRequest(new string('t', 201), "x"));

        // Assert
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("""{"text":"\ud83d"}""")]
    [InlineData("""{"text":"a\ude00b"}""")]
    [InlineData("""{"text":"\ude00\ud83d"}""")]
    [InlineData("""{"title":"\ud83d","text":"fine"}""")]
    public async Task Create_LoneSurrogate_Is400(string json)
    {
        // Act
        var response = await PostRawAsync(_server, "/api/documents", json);

        // Assert
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("""{"title":5}""")]
    [InlineData("""{"text":["a"]}""")]
    public async Task Create_MalformedJson_Is400(string json)
    {
        // Act
        var response = await PostRawAsync(_server, "/api/documents", json);

        // Assert
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Create_TextLongerThanMaxDocumentLength_Is413_AndAtTheLimitIsAccepted()
    {
        // Arrange
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxDocumentLength"] = "100" });

        // Act
        var atLimit = await PostJsonAsync(server, "/api/documents", new CreateDocumentRequest("limit", new string('a', 100)));
        var tooLong = await PostJsonAsync(server, "/api/documents", new CreateDocumentRequest("too long", new string('a', 101)));

        // Assert
        Assert.Equal(new string('a', 100), (await ReadJsonAsync<DocumentDetails>(atLimit, HttpStatusCode.Created)).Text);
        await AssertProblemAsync(tooLong, HttpStatusCode.RequestEntityTooLarge);
        var list = await GetJsonAsync<DocumentSummary[]>(server, "/api/documents");
        Assert.DoesNotContain(list, d => d.Title == "too long");
    }

    // ---- GET /api/documents/{id} ----

    [Fact]
    public async Task Get_AfterEditsThroughAClient_HasTheirTextAndRevision()
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits);

        // Act
        var details = await GetJsonAsync<DocumentDetails>(_server, $"/api/documents/{typed.Id}");

        // Assert
        Assert.Equal(typed.Id, details.Id);
        Assert.Equal("Test", details.Title);
        Assert.Equal(typed.Revision, details.Revision);
        Assert.Equal(typed.Texts[^1], details.Text);
        Assert.Equal(typed.Document.Text, details.Text);
        Assert.True(details.UpdatedAt >= details.CreatedAt, $"updatedAt {details.UpdatedAt:O} is before createdAt {details.CreatedAt:O}");
    }

    [Theory]
    [MemberData(nameof(EveryDocumentEndpoint))]
    public async Task AnyDocumentEndpoint_UnknownId_Is404(string method, string path, string? body)
    {
        // Act
        var response = await SendAsync(_server, method, $"/api/documents/{UnknownId}{path}", body);

        // Assert
        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [MemberData(nameof(EveryDocumentEndpoint))]
    public async Task AnyDocumentEndpoint_MalformedId_Is400(string method, string path, string? body)
    {
        foreach (string id in new[] { "bad%20id", new string('a', 65), "caf%C3%A9" })
        {
            // Act
            var response = await SendAsync(_server, method, $"/api/documents/{id}{path}", body);

            // Assert
            await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        }
    }

    // ---- GET /api/documents/{id}/history ----

    [Fact]
    public async Task History_ReturnsEveryCommittedOpOldestFirst_WithAuthorAndTimestamp()
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits, author: "alice");
        var details = await _server.GetDocumentAsync(typed.Id).WaitAsync(Timeouts.Http);

        // Act
        var history = await GetJsonAsync<HistoryEntry[]>(_server, $"/api/documents/{typed.Id}/history");

        // Assert
        Assert.Equal(Enumerable.Range(1, typed.Revision), history.Select(h => h.Revision));
        for (int i = 0; i < history.Length; i++)
        {
            Assert.Equal("alice", history[i].Author);
            Assert.Equal(typed.Texts[i + 1], history[i].Op.Apply(typed.Texts[i]));
            Assert.InRange(history[i].Timestamp, details.CreatedAt, details.UpdatedAt);
            if (i > 0)
            {
                Assert.True(history[i].Timestamp >= history[i - 1].Timestamp, $"revision {i + 1} is timestamped before revision {i}");
            }
        }

        Assert.Equal(details.UpdatedAt, history[^1].Timestamp);
        Assert.Equal(details.Text, Replay.Apply(Initial, history));
    }

    [Fact]
    public async Task History_FromAndLimit_ReturnOnlyThatPage()
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits);

        // Act
        var page = await GetJsonAsync<HistoryEntry[]>(_server, $"/api/documents/{typed.Id}/history?from=2&limit=3");

        // Assert
        Assert.Equal([3, 4, 5], page.Select(h => h.Revision));
        Assert.Equal(typed.Texts[5], page.Aggregate(typed.Texts[2], (text, entry) => entry.Op.Apply(text)));
    }

    [Fact]
    public async Task History_PagingFromTheLastRevisionOfEachPage_WalksTheWholeHistory()
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits);
        var pages = new List<HistoryEntry[]>();

        // Act
        int from = 0;
        while (true)
        {
            var page = await GetJsonAsync<HistoryEntry[]>(_server, $"/api/documents/{typed.Id}/history?from={from}&limit=3");
            if (page.Length == 0)
            {
                break;
            }

            pages.Add(page);
            from = page[^1].Revision;
        }

        // Assert
        Assert.Equal([3, 3, 1], pages.Select(p => p.Length));
        var all = pages.SelectMany(p => p).ToArray();
        Assert.Equal(Enumerable.Range(1, typed.Revision), all.Select(h => h.Revision));
        Assert.Equal(typed.Texts[^1], Replay.Apply(Initial, all));
    }

    [Fact]
    public async Task History_FromCurrentRevision_IsEmpty_AndLimit1000IsAccepted()
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits[..2]);

        // Act
        var none = await GetJsonAsync<HistoryEntry[]>(_server, $"/api/documents/{typed.Id}/history?from=2");
        var all = await GetJsonAsync<HistoryEntry[]>(_server, $"/api/documents/{typed.Id}/history?limit=1000");

        // Assert
        Assert.Empty(none);
        Assert.Equal([1, 2], all.Select(h => h.Revision));
    }

    [Fact]
    public async Task History_OfNewDocument_IsEmpty()
    {
        // Arrange
        string id = await _server.CreateDocumentAsync("new").WaitAsync(Timeouts.Http);

        // Act
        var history = await GetJsonAsync<HistoryEntry[]>(_server, $"/api/documents/{id}/history");

        // Assert
        Assert.Empty(history);
    }

    [Theory]
    [InlineData("from=-1")]
    [InlineData("from=3")] // past the current revision, 2
    [InlineData("limit=0")]
    [InlineData("limit=-1")]
    [InlineData("limit=1001")] // past MaxHistoryPage
    [InlineData("from=0&limit=1001")]
    [InlineData("from=abc")]
    public async Task History_FromOrLimitOutOfRange_Is400(string query)
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits[..2]);

        // Act
        var response = await SendAsync(_server, "GET", $"/api/documents/{typed.Id}/history?{query}");

        // Assert
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    // ---- GET /api/documents/{id}/revisions/{revision} ----

    [Fact]
    public async Task TextAt_EveryRevision_IsTheTextTypedUpToIt()
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits);

        // Act + Assert
        for (int revision = 0; revision <= typed.Revision; revision++)
        {
            var text = await GetJsonAsync<RevisionText>(_server, $"/api/documents/{typed.Id}/revisions/{revision}");
            Assert.Equal(new RevisionText(revision, typed.Texts[revision]), text);
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)] // past the current revision, 2
    [InlineData(1000)]
    public async Task TextAt_RevisionOutOfRange_Is400(int revision)
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits[..2]);

        // Act
        var response = await SendAsync(_server, "GET", $"/api/documents/{typed.Id}/revisions/{revision}");

        // Assert
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TextAtAndDiff_AcrossSnapshotBoundaries_AreExact_BeforeAndAfterRestart()
    {
        // Arrange: a snapshot every 3 ops, 10 ops, so revisions sit before, on and after snapshots.
        var settings = new Dictionary<string, string> { ["SnapshotInterval"] = "3" };
        Edit[] edits =
        [
            new(3, 0, "def"),           // "abcdef"
            new(0, 0, "😀"),            // "😀abcdef"
            new(2, 1, ""),              // "😀bcdef"
            new(7, 0, "\nline two"),    // "😀bcdef\nline two"
            new(0, 2, "x"),             // "xbcdef\nline two"
            new(6, 0, " é"),            // "xbcdef é\nline two"
            new(1, 2, "YY"),            // "xYYdef é\nline two"
            new(17, 0, "!"),            // "xYYdef é\nline two!"
            new(9, 5, ""),              // "xYYdef é\ntwo!"
            new(0, 13, "fresh 😀 start"),
        ];
        string dataPath = RunningServer.NewDataPath();
        Typed typed;
        await using (var first = await RunningServer.StartAsync(dataPath, settings))
        {
            first.KeepData = true;
            typed = await TypeAsync(first, edits, initial: "abc");

            // Act + Assert: while the session is live.
            await AssertEveryRevisionAsync(first, typed);
            await AssertEveryDiffAsync(first, typed);
        }

        // Act + Assert: after a restart, which reads only what is on disk (the close wrote a snapshot at 10).
        await using var second = await RunningServer.StartAsync(dataPath, settings);
        await AssertEveryRevisionAsync(second, typed);
        await AssertEveryDiffAsync(second, typed);
        Assert.Equal(typed.Texts[^1], (await second.GetDocumentAsync(typed.Id).WaitAsync(Timeouts.Http)).Text);
    }

    // ---- GET /api/documents/{id}/diff ----

    [Fact]
    public async Task Diff_AppliedToTheTextAtFrom_GivesTheTextAtTo_ForEveryPair()
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits);

        // Act + Assert
        await AssertEveryDiffAsync(_server, typed);
    }

    [Fact]
    public async Task Diff_WithoutFromAndTo_IsFromZeroToTheCurrentRevision()
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits);

        // Act
        var diff = await GetJsonAsync<DiffResult>(_server, $"/api/documents/{typed.Id}/diff");
        var onlyFrom = await GetJsonAsync<DiffResult>(_server, $"/api/documents/{typed.Id}/diff?from=3");
        var onlyTo = await GetJsonAsync<DiffResult>(_server, $"/api/documents/{typed.Id}/diff?to=3");

        // Assert
        Assert.Equal((0, typed.Revision), (diff.From, diff.To));
        Assert.Equal(typed.Texts[^1], diff.Op.Apply(Initial));
        Assert.Equal((3, typed.Revision), (onlyFrom.From, onlyFrom.To));
        Assert.Equal(typed.Texts[^1], onlyFrom.Op.Apply(typed.Texts[3]));
        Assert.Equal((0, 3), (onlyTo.From, onlyTo.To));
        Assert.Equal(typed.Texts[3], onlyTo.Op.Apply(Initial));
    }

    [Fact]
    public async Task Diff_FromEqualsTo_IsANoop()
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits);

        // Act
        var diff = await GetJsonAsync<DiffResult>(_server, $"/api/documents/{typed.Id}/diff?from=3&to=3");

        // Assert
        Assert.True(diff.Op.IsNoop, $"the diff from 3 to 3 is {diff.Op}");
        Assert.Equal(typed.Texts[3], diff.Op.Apply(typed.Texts[3]));
    }

    [Fact]
    public async Task Diff_OpIsTheJsonWireArray()
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits[..1]);

        // Act
        var response = await SendAsync(_server, "GET", $"/api/documents/{typed.Id}/diff?from=0&to=1");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Timeouts.Http));

        // Assert: "Hello" → "Hello, world" is [5, ", world"].
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""[5,", world"]""", json.RootElement.GetProperty("op").GetRawText());
    }

    [Theory]
    [InlineData("from=2&to=1")]
    [InlineData("from=-1")]
    [InlineData("to=-1")]
    [InlineData("from=3")] // past the current revision, 2
    [InlineData("to=3")]
    [InlineData("from=0&to=3")]
    public async Task Diff_RangeOutOfOrderOrOutOfRange_Is400(string query)
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits[..2]);

        // Act
        var response = await SendAsync(_server, "GET", $"/api/documents/{typed.Id}/diff?{query}");

        // Assert
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    // ---- POST /api/documents/{id}/restore ----

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(6)] // the empty text
    [InlineData(7)] // the current text: a no-op commit
    public async Task Restore_CommitsTheTextOfThatRevision_AndLiveClientsReceiveIt(int revision)
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits);
        var watcher = await _server.OpenAsync(typed.Id, "watcher").WaitAsync(Timeouts.Call);
        int before = typed.Revision;

        // Act
        var response = await PostJsonAsync(_server, $"/api/documents/{typed.Id}/restore", new RestoreRequest(revision));

        // Assert
        var restored = await ReadJsonAsync<RestoreResult>(response, HttpStatusCode.OK);
        Assert.Equal(new RestoreResult(before + 1, revision), restored);
        var details = await _server.GetDocumentAsync(typed.Id).WaitAsync(Timeouts.Http);
        Assert.Equal(before + 1, details.Revision);
        Assert.Equal(typed.Texts[revision], details.Text);
        var atNew = await GetJsonAsync<RevisionText>(_server, $"/api/documents/{typed.Id}/revisions/{before + 1}");
        Assert.Equal(typed.Texts[revision], atNew.Text);
        var history = await _server.GetAllHistoryAsync(typed.Id).WaitAsync(Timeouts.Http);
        Assert.Equal(typed.Texts[revision], Replay.Apply(Initial, history));
        await Eventually.TrueAsync(() => watcher.Text == typed.Texts[revision] && watcher.Revision == before + 1, "the watcher has the restored text");
        await Eventually.TrueAsync(() => typed.Document.Text == typed.Texts[revision] && typed.Document.Revision == before + 1, "the typist has the restored text");
    }

    [Fact]
    public async Task Restore_OfATextTooLargeToStoreAsOneOp_Is413_AndChangesNothing()
    {
        // Arrange: a server whose stored-op bound is tiny, and a document typed down from 2,000 characters.
        await using var server = await RunningServer.StartAsync();
        server.App.Services.GetRequiredService<DocumentStore>().MaxStoredOpBytes = 4000;
        var typed = await TypeAsync(server, [new Edit(0, 2000, "")], initial: new string('b', 2000));

        // Act: restoring revision 0 inserts 2,000 characters again, more than the bound.
        var response = await PostJsonAsync(server, $"/api/documents/{typed.Id}/restore", new RestoreRequest(0));

        // Assert
        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        var details = await server.GetDocumentAsync(typed.Id).WaitAsync(Timeouts.Http);
        Assert.Equal(1, details.Revision);
        Assert.Equal("", details.Text);
    }

    [Fact]
    public async Task Restore_ThenTyping_ContinuesFromTheRestoredText()
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits);
        var restore = await PostJsonAsync(_server, $"/api/documents/{typed.Id}/restore", new RestoreRequest(1));
        Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        await Eventually.TrueAsync(() => typed.Document.Text == typed.Texts[1], "the typist has the restored text");

        // Act
        typed.Document.Splice(0, 0, ">> ");
        await typed.Document.WhenSynchronizedAsync().WaitAsync(Timeouts.Call);

        // Assert
        var details = await _server.GetDocumentAsync(typed.Id).WaitAsync(Timeouts.Http);
        Assert.Equal(">> " + typed.Texts[1], details.Text);
        Assert.Equal(typed.Revision + 2, details.Revision);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"revision":null}""")]
    [InlineData("""{"revision":-1}""")]
    [InlineData("""{"revision":3}""")] // past the current revision, 2
    [InlineData("""{"revision":"one"}""")]
    public async Task Restore_MissingOrOutOfRangeRevision_Is400_AndCommitsNothing(string json)
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits[..2]);

        // Act
        var response = await PostRawAsync(_server, $"/api/documents/{typed.Id}/restore", json);

        // Assert
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var details = await _server.GetDocumentAsync(typed.Id).WaitAsync(Timeouts.Http);
        Assert.Equal((2, typed.Texts[2]), (details.Revision, details.Text));
    }

    // ---- GET and POST /api/documents/{id}/versions ----

    [Fact]
    public async Task Versions_CreatedWithAndWithoutRevision_AreListed()
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits);

        // Act
        var pinned = await PostJsonAsync(_server, $"/api/documents/{typed.Id}/versions", new CreateVersionRequest("First draft", 1));
        var current = await PostJsonAsync(_server, $"/api/documents/{typed.Id}/versions", new CreateVersionRequest("Submitted draft", null));
        var list = await GetJsonAsync<VersionInfo[]>(_server, $"/api/documents/{typed.Id}/versions");

        // Assert
        var first = await ReadJsonAsync<VersionInfo>(pinned, HttpStatusCode.Created);
        var submitted = await ReadJsonAsync<VersionInfo>(current, HttpStatusCode.Created);
        Assert.Equal(("First draft", 1), (first.Name, first.Revision));
        Assert.Equal(("Submitted draft", typed.Revision), (submitted.Name, submitted.Revision));
        Assert.NotNull(pinned.Headers.Location);
        Assert.Equal([first, submitted], list.OrderBy(v => v.Revision));
    }

    [Fact]
    public async Task Versions_RevisionZeroAndNameOf200Characters_AreAccepted()
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits[..2]);
        string name = new('n', 200);

        // Act
        var response = await PostJsonAsync(_server, $"/api/documents/{typed.Id}/versions", new CreateVersionRequest(name, 0));

        // Assert
        var created = await ReadJsonAsync<VersionInfo>(response, HttpStatusCode.Created);
        Assert.Equal((name, 0), (created.Name, created.Revision));
        Assert.Equal([created], await GetJsonAsync<VersionInfo[]>(_server, $"/api/documents/{typed.Id}/versions"));
    }

    [Fact]
    public async Task Versions_OfNewDocument_IsEmpty()
    {
        // Arrange
        string id = await _server.CreateDocumentAsync("new").WaitAsync(Timeouts.Http);

        // Act
        var list = await GetJsonAsync<VersionInfo[]>(_server, $"/api/documents/{id}/versions");

        // Assert
        Assert.Empty(list);
    }

    [Theory]
    [MemberData(nameof(InvalidVersionRequests))]
    public async Task Versions_InvalidNameOrRevisionOutOfRange_Is400_AndAddsNothing(string json)
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits[..2]);

        // Act
        var response = await PostRawAsync(_server, $"/api/documents/{typed.Id}/versions", json);

        // Assert
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Empty(await GetJsonAsync<VersionInfo[]>(_server, $"/api/documents/{typed.Id}/versions"));
    }

    // ---- DELETE /api/documents/{id} ----

    [Fact]
    public async Task Delete_Is204_ThenTheDocumentIsGoneEverywhere_AndDeletingAgainIs404()
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits);
        var version = await PostJsonAsync(_server, $"/api/documents/{typed.Id}/versions", new CreateVersionRequest("v", 1));
        Assert.Equal(HttpStatusCode.Created, version.StatusCode);

        // Act
        var deleted = await SendAsync(_server, "DELETE", $"/api/documents/{typed.Id}");
        var again = await SendAsync(_server, "DELETE", $"/api/documents/{typed.Id}");

        // Assert
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await AssertProblemAsync(again, HttpStatusCode.NotFound);
        foreach (string path in new[] { "", "/history", "/revisions/0", "/diff", "/versions" })
        {
            await AssertProblemAsync(await SendAsync(_server, "GET", $"/api/documents/{typed.Id}{path}"), HttpStatusCode.NotFound);
        }

        var list = await GetJsonAsync<DocumentSummary[]>(_server, "/api/documents");
        Assert.DoesNotContain(list, d => d.Id == typed.Id);
    }

    [Fact]
    public async Task Delete_WithALiveClient_StaysDeleted_AndTheClientsNextEditIsRefusedAsNotFound()
    {
        // Arrange
        var typed = await TypeAsync(_server, ShortEdits);

        // Act
        var deleted = await SendAsync(_server, "DELETE", $"/api/documents/{typed.Id}");
        typed.Document.Splice(0, 0, "late ");
        var refused = await Assert.ThrowsAsync<HubException>(() => typed.Document.WhenSynchronizedAsync().WaitAsync(Timeouts.Call));

        // Assert
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Contains($"{ErrorCodes.NotFound}: ", refused.Message, StringComparison.Ordinal); // SignalR prefixes the server's message
        await AssertProblemAsync(await SendAsync(_server, "GET", $"/api/documents/{typed.Id}"), HttpStatusCode.NotFound);
        await AssertProblemAsync(await SendAsync(_server, "GET", $"/api/documents/{typed.Id}/history"), HttpStatusCode.NotFound);
        Assert.DoesNotContain(await GetJsonAsync<DocumentSummary[]>(_server, "/api/documents"), d => d.Id == typed.Id);
    }

    [Fact]
    public async Task Delete_LeavesOtherDocumentsIntact()
    {
        // Arrange
        var doomed = await TypeAsync(_server, ShortEdits);
        var kept = await TypeAsync(_server, ShortEdits);

        // Act
        var deleted = await SendAsync(_server, "DELETE", $"/api/documents/{doomed.Id}");

        // Assert
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var details = await _server.GetDocumentAsync(kept.Id).WaitAsync(Timeouts.Http);
        Assert.Equal((kept.Revision, kept.Texts[^1]), (details.Revision, details.Text));
        Assert.Equal(kept.Texts[^1], Replay.Apply(Initial, await _server.GetAllHistoryAsync(kept.Id).WaitAsync(Timeouts.Http)));
        await AssertEveryRevisionAsync(_server, kept);
    }

    // ---- OpenAPI, API reference, health ----

    [Fact]
    public async Task OpenApi_ListsEveryDocumentsPathWithItsMethods()
    {
        // Act
        var response = await SendAsync(_server, "GET", "/openapi/v1.json");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Timeouts.Http));

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = json.RootElement.GetProperty("paths").EnumerateObject()
            .ToDictionary(p => p.Name.TrimEnd('/'), p => p.Value.EnumerateObject().Select(m => m.Name).ToHashSet());
        var expected = new Dictionary<string, string[]>
        {
            ["/api/documents"] = ["get", "post"],
            ["/api/documents/{id}"] = ["get", "delete"],
            ["/api/documents/{id}/history"] = ["get"],
            ["/api/documents/{id}/revisions/{revision}"] = ["get"],
            ["/api/documents/{id}/diff"] = ["get"],
            ["/api/documents/{id}/restore"] = ["post"],
            ["/api/documents/{id}/versions"] = ["get", "post"],
        };
        foreach (var (path, methods) in expected)
        {
            Assert.True(paths.ContainsKey(path), $"the OpenAPI document has no path {path}; it has {string.Join(", ", paths.Keys)}");
            Assert.Superset(methods.ToHashSet(), paths[path]);
        }
    }

    [Fact]
    public async Task ApiReference_Answers200WithAPage()
    {
        // Act: HttpClient follows the redirect to the trailing-slash form, if any.
        var response = await SendAsync(_server, "GET", "/api/docs");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Health_Answers200Healthy()
    {
        // Act
        var response = await SendAsync(_server, "GET", "/healthz");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync().WaitAsync(Timeouts.Http));
    }

    // ---- helpers ----

    /// <summary>
    /// Creates a document with <paramref name="initial"/> and types <paramref name="edits"/> through a live
    /// client, waiting for each ack, so edit n is revision n. Texts[n] is the text expected at revision n.
    /// </summary>
    private static async Task<Typed> TypeAsync(RunningServer server, IReadOnlyList<Edit> edits, string initial = Initial, string author = "typist")
    {
        string id = await server.CreateDocumentAsync(initial).WaitAsync(Timeouts.Http);
        var document = await server.OpenAsync(id, author).WaitAsync(Timeouts.Call);
        var texts = new List<string> { initial };
        foreach (var edit in edits)
        {
            string expected = TextOperation.Splice(texts[^1].Length, edit.Position, edit.DeleteCount, edit.Insert).Apply(texts[^1]);
            document.Splice(edit.Position, edit.DeleteCount, edit.Insert);
            await document.WhenSynchronizedAsync().WaitAsync(Timeouts.Call);
            texts.Add(expected);
            Assert.Equal(expected, document.Text);
            Assert.Equal(texts.Count - 1, document.Revision);
        }

        return new Typed(id, document, texts);
    }

    private static async Task AssertEveryRevisionAsync(RunningServer server, Typed typed)
    {
        for (int revision = 0; revision <= typed.Revision; revision++)
        {
            var text = await GetJsonAsync<RevisionText>(server, $"/api/documents/{typed.Id}/revisions/{revision}");
            Assert.Equal(new RevisionText(revision, typed.Texts[revision]), text);
        }
    }

    private static async Task AssertEveryDiffAsync(RunningServer server, Typed typed)
    {
        for (int from = 0; from <= typed.Revision; from++)
        {
            for (int to = from; to <= typed.Revision; to++)
            {
                var diff = await GetJsonAsync<DiffResult>(server, $"/api/documents/{typed.Id}/diff?from={from}&to={to}");
                Assert.Equal((from, to), (diff.From, diff.To));
                Assert.Equal(typed.Texts[from].Length, diff.Op.BaseLength);
                Assert.Equal(typed.Texts[to], diff.Op.Apply(typed.Texts[from]));
            }
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(RunningServer server, string method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await server.Http.SendAsync(request).WaitAsync(Timeouts.Http);
    }

    private static Task<HttpResponseMessage> PostRawAsync(RunningServer server, string path, string json) =>
        SendAsync(server, "POST", path, json);

    private static Task<HttpResponseMessage> PostJsonAsync<T>(RunningServer server, string path, T body) =>
        SendAsync(server, "POST", path, JsonSerializer.Serialize(body, JsonSerializerOptions.Web));

    private static async Task<T> GetJsonAsync<T>(RunningServer server, string path) =>
        await ReadJsonAsync<T>(await SendAsync(server, "GET", path), HttpStatusCode.OK);

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, HttpStatusCode expected)
    {
        string body = await response.Content.ReadAsStringAsync().WaitAsync(Timeouts.Http);
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, not {(int)expected}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonSerializer.Deserialize<T>(body, JsonSerializerOptions.Web)!;
    }

    /// <summary>An RFC 7807 problem detail with the status in both the response and the body, and a title.</summary>
    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        string body = await response.Content.ReadAsStringAsync().WaitAsync(Timeouts.Http);
        string request = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}";
        Assert.True(response.StatusCode == status, $"{request} answered {(int)response.StatusCode}, not {(int)status}: {body}");
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"{request} answered {response.Content.Headers.ContentType?.ToString() ?? "no content type"}, not application/problem+json: {body}");
        using var json = JsonDocument.Parse(body);
        Assert.Equal((int)status, json.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("title").GetString()), $"{request}: the problem has no title: {body}");
    }

    /// <summary>One splice: delete <see cref="DeleteCount"/> at <see cref="Position"/>, then insert <see cref="Insert"/>.</summary>
    private sealed record Edit(int Position, int DeleteCount, string Insert);

    /// <summary>A typed document: its id, the live client that typed it, and the text at every revision.</summary>
    private sealed record Typed(string Id, CollabDocument Document, IReadOnlyList<string> Texts)
    {
        public int Revision => Texts.Count - 1;
    }

    /// <summary>One server for the tests that need no special settings; each test uses its own documents.</summary>
    public sealed class ServerFixture : IAsyncLifetime
    {
        internal RunningServer Server { get; private set; } = null!;

        public async Task InitializeAsync() => Server = await RunningServer.StartAsync();

        public async Task DisposeAsync() => await Server.DisposeAsync().AsTask().WaitAsync(Timeouts.Stop);
    }
}
