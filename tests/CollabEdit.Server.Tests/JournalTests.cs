using System.Diagnostics.Metrics;
using CollabEdit.Ot;
using CollabEdit.Ot.Sync;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Diagnostics;
using CollabEdit.Server.Storage;
using CollabEdit.Server.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CollabEdit.Server.Tests;

/// <summary>
/// The write journal against the real LiteDB file: what a crash leaves is replayed, a torn tail
/// is ignored, replaying what LiteDB already holds changes nothing, and a clean stop leaves no
/// journal. A "crash" is a copy of the data directory taken while the store runs, so it holds
/// exactly what had reached the files at that instant (the page cache survives a kill -9).
/// Also the op log's rows: ops wait in memory until a row's worth is written, and every read,
/// restart and replay sees one log whichever of the two holds each op.
/// </summary>
public sealed class JournalTests : IDisposable
{
    private const string LiteDbLog = "collabedit-log.db";

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly List<string> _directories = [];

    [Fact]
    public void JournalRecords_KeepTheOnDiskFormOfEarlierFiles()
    {
        // A journal left by an earlier build is replayed by this one: the kinds and fields must not change.
        var op = new LiteDB.BsonDocument { ["rev"] = 1 };
        var records = new JournalRecord[]
        {
            new CreateRecord(new LiteDB.BsonDocument { ["_id"] = "d" }, new LiteDB.BsonDocument { ["_id"] = "d/0" }),
            new AppendRecord("d", [op]),
            new VersionRecord(new LiteDB.BsonDocument { ["name"] = "v" }),
            new DeleteRecord("d"),
        };

        var bson = records.Select(r => r.ToBson()).ToList();

        Assert.Equal(["create", "append", "version", "delete"], bson.Select(b => b["t"].AsString));
        Assert.Equal(["t", "row", "snap"], bson[0].Keys);
        Assert.Equal(["t", "doc", "ops"], bson[1].Keys);
        Assert.Equal(["t", "v"], bson[2].Keys);
        Assert.Equal(["t", "doc"], bson[3].Keys);
        Assert.Equal(records, bson.Select(JournalRecord.FromBson));
    }

    [Fact]
    public async Task Crash_LiteDbLosesEverythingSinceItsCheckpoint_JournalReplayBringsBackEveryAcknowledgedWrite()
    {
        string live = NewDirectory();
        string crashed = NewDirectory();
        using (var store = Open(live))
        {
            await WriteHistoryAsync(store);

            // LiteDB's un-checkpointed log is not copied: only the journal holds these writes.
            CopyDirectory(live, crashed, except: LiteDbLog);
        }

        using var recovered = Open(crashed);

        Assert.True(recovered.RecoveredRecords >= 8, $"replayed {recovered.RecoveredRecords} records");
        AssertHistory(recovered);
        Assert.DoesNotContain(WriteJournal.FindSegments(crashed), s => new FileInfo(s).Length > 0);
    }

    [Fact]
    public async Task Crash_InTheMiddleOfAJournalWrite_TheTornRecordIsIgnored()
    {
        string live = NewDirectory();
        string crashed = NewDirectory();
        using (var store = Open(live))
        {
            await WriteHistoryAsync(store);
            CopyDirectory(live, crashed, except: LiteDbLog);
        }

        // A record header promising 1,000 bytes and only some of them: a write the crash cut short.
        string segment = WriteJournal.FindSegments(crashed)[^1];
        using (var file = new FileStream(segment, FileMode.Append))
        {
            file.Write([0xE8, 0x03, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        }

        using var recovered = Open(crashed);

        AssertHistory(recovered);
    }

    [Fact]
    public async Task Crash_AfterLiteDbAlsoWroteItsLog_ReplayingTheJournalDuplicatesNothing()
    {
        string live = NewDirectory();
        string crashed = NewDirectory();
        using (var store = Open(live))
        {
            await WriteHistoryAsync(store);
            CopyDirectory(live, crashed, except: null);
        }

        using (var recovered = Open(crashed))
        {
            AssertHistory(recovered);
        }

        // Read the rows themselves: ReadOps skips a repeated revision, so only the file shows a duplicate.
        Assert.Equal(Enumerable.Range(1, 12), OpRows(crashed, "kept").SelectMany(row => row));
    }

    [Fact]
    public async Task FrequentCheckpoints_RetireTheJournal_AndACleanStopLeavesNone()
    {
        string directory = NewDirectory();
        using (var store = Open(directory, checkpointBytes: 1))
        {
            await WriteHistoryAsync(store);
        }

        Assert.Empty(WriteJournal.FindSegments(directory));
        Assert.Equal(0, new FileInfo(Path.Combine(directory, LiteDbLog)).Length);
        using var reopened = Open(directory);
        Assert.Equal(0, reopened.RecoveredRecords);
        AssertHistory(reopened);
    }

    [Fact]
    public async Task Crash_WithCheckpointsBetweenWrites_ReplaysOnlyWhatIsLeft()
    {
        string live = NewDirectory();
        string crashed = NewDirectory();
        using (var store = Open(live, checkpointBytes: 200))
        {
            await WriteHistoryAsync(store);
            CopyDirectory(live, crashed, except: null);
        }

        using (var recovered = Open(crashed))
        {
            AssertHistory(recovered);
        }

        // Read the rows themselves: ReadOps skips a repeated revision, so only the file shows a duplicate.
        Assert.Equal(Enumerable.Range(1, 12), OpRows(crashed, "kept").SelectMany(row => row));
    }

    [Fact]
    public async Task Crash_RightAfterACheckpoint_TheDocumentRowsInLiteDbAreCurrent()
    {
        // Appends move a document's revision in memory; its LiteDB row is written at checkpoints.
        // Here every write checkpoints and retires the journal, so the rows must be in the file.
        string live = NewDirectory();
        string crashed = NewDirectory();
        using (var store = Open(live, checkpointBytes: 1))
        {
            await WriteHistoryAsync(store);

            // One more write (not journaled) is processed only after the writer has finished the
            // checkpoint that followed the last one; the journal then holds nothing LiteDB lacks.
            await store.WriteSnapshotAsync("kept", new Snapshot(12, store.TextAt("kept", 12)));
            CopyDirectory(live, crashed, except: null);
        }

        foreach (string segment in WriteJournal.FindSegments(crashed))
        {
            File.Delete(segment);
        }

        using var recovered = Open(crashed);

        Assert.Equal(0, recovered.RecoveredRecords);
        AssertHistory(recovered);
    }

    [Fact]
    public async Task AFailedTransaction_MovesNoDocumentRow()
    {
        var faults = new FailingCommits();
        using var store = Open(NewDirectory(), faults: faults);
        await WriteHistoryAsync(store);
        var op = TextOperation.Splice(0, 0, 0, "z");
        var created = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

        faults.Failing = true;
        await Assert.ThrowsAsync<StorageUnavailableException>(() =>
            store.AppendAsync("kept", [new StoredOp("kept", new CommittedOp(13, op, "client-1", 13, 12, op), "Ann", "peer-1", created.AddDays(1))], new Snapshot(13, "z")));
        faults.Failing = false;

        AssertHistory(store); // revision 12, updated at +12 s, as before the failed append
        Assert.Equal(8, store.GetDocument("kept")!.SnapshotRevision);
    }

    [Fact]
    public async Task OpsWaitingInMemoryAndOpsInRows_ReadAsOneLog_BeforeAndAfterARestart()
    {
        string directory = NewDirectory();
        var expected = new List<StoredOp>();
        using (var store = Open(directory))
        {
            expected.AddRange(await AppendOneByOneAsync(store, "long", 0, 150));

            // 150 ops, a row after every 32 or so: some are in LiteDB rows, the rest wait in memory.
            DocumentStorageContract.AssertReads(store, "long", expected);
        }

        Assert.True(OpRows(directory, "long") is { Count: > 1 and < 10 } rows && rows.All(r => r.Count <= OpRowBuffer.MaxOpsPerRow), "the ops are in a few rows");
        Assert.Equal(Enumerable.Range(1, 150), OpRows(directory, "long").SelectMany(r => r));
        using var reopened = Open(directory);
        DocumentStorageContract.AssertReads(reopened, "long", expected);
    }

    [Fact]
    public async Task Crash_WithOpsWaitingInMemory_ReplayBringsEachBackOnce()
    {
        string live = NewDirectory();
        string withLiteDbLog = NewDirectory();
        string withoutLiteDbLog = NewDirectory();
        var expected = new List<StoredOp>();
        using (var store = Open(live))
        {
            expected.AddRange(await AppendOneByOneAsync(store, "long", 0, 100));
            CopyDirectory(live, withLiteDbLog, except: null);
            CopyDirectory(live, withoutLiteDbLog, except: LiteDbLog);
        }

        foreach (string crashed in new[] { withLiteDbLog, withoutLiteDbLog })
        {
            using (var recovered = Open(crashed))
            {
                DocumentStorageContract.AssertReads(recovered, "long", expected);
                Assert.Equal(100, recovered.GetDocument("long")!.Revision);
                expected.AddRange(await AppendOneByOneAsync(recovered, "long", 100, 1));
                DocumentStorageContract.AssertReads(recovered, "long", expected);
            }

            Assert.Equal(Enumerable.Range(1, 101), OpRows(crashed, "long").SelectMany(r => r));
            expected.RemoveAt(100);
        }
    }

    [Fact]
    public async Task RowsOfOneOpEach_AsWrittenBeforeOpRows_AreReadWithTheNewRows()
    {
        string directory = NewDirectory();
        var expected = new List<StoredOp>();
        using (var store = Open(directory))
        {
            await store.CreateDocumentAsync(new StoredDocument("old", "Old", 0, Created, Created), "");
        }

        // The format of the first sessions: one LiteDB row per op, keyed "documentId/revision".
        using (var db = new LiteDB.LiteDatabase(Path.Combine(directory, "collabedit.db")))
        {
            expected.AddRange(Ops("old", 0, 5));
            _ = db.GetCollection("ops").InsertBulk(expected.Select(BsonMapping.ToBson));
            SetDocumentField(db, "old", "rev", 5);
        }

        using (var store = Open(directory))
        {
            expected.AddRange(await AppendOneByOneAsync(store, "old", 5, 60));
            DocumentStorageContract.AssertReads(store, "old", expected);
        }

        using var reopened = Open(directory);
        DocumentStorageContract.AssertReads(reopened, "old", expected);
        Assert.Equal(new string('x', 65), reopened.TextAt("old", 65));
    }

    [Fact]
    public async Task Crash_WithOpRowsAheadOfTheDocumentRow_TheDocumentTakesThoseOps()
    {
        string directory = NewDirectory();

        // LiteDB's log reached the disk with op rows (or ops the journal lost) but the document
        // row is still at an older revision.
        var expected = await CrashAfter40OpsAsync(directory, "ahead", db => SetDocumentField(db, "ahead", "rev", 20));

        using (var recovered = Open(directory))
        {
            Assert.Equal(40, recovered.GetDocument("ahead")!.Revision);
            Assert.Equal(Created.AddSeconds(40), recovered.GetDocument("ahead")!.UpdatedAt);
            DocumentStorageContract.AssertReads(recovered, "ahead", expected);
            expected.AddRange(await AppendOneByOneAsync(recovered, "ahead", 40, 30));
        }

        using var reopened = Open(directory);
        DocumentStorageContract.AssertReads(reopened, "ahead", expected);
        Assert.Equal(new string('x', 70), reopened.TextAt("ahead", 70));
    }

    [Fact]
    public async Task Crash_WithASnapshotAheadOfTheOps_TheSnapshotIsDropped()
    {
        string directory = NewDirectory();

        // A snapshot written with an append whose ops only waited in memory (and in a journal
        // tail that never reached the disk).
        var expected = await CrashAfter40OpsAsync(directory, "snap", db =>
        {
            _ = db.GetCollection("snapshots").Insert(new LiteDB.BsonDocument
            {
                ["_id"] = BsonMapping.Key("snap", 50),
                ["doc"] = "snap",
                ["rev"] = 50,
                ["text"] = "lost",
            });
            SetDocumentField(db, "snap", "snap", 50);
        });

        using var recovered = Open(directory);
        Assert.Null(recovered.GetSnapshot("snap", 50));
        Assert.Equal(0, recovered.GetDocument("snap")!.SnapshotRevision);
        expected.AddRange(await AppendOneByOneAsync(recovered, "snap", 40, 20));
        Assert.Equal(new string('x', 60), recovered.TextAt("snap", 60));
        DocumentStorageContract.AssertReads(recovered, "snap", expected);
    }

    [Fact]
    public void OpsWithManyComponents_AreCutIntoRowsThatStayFarBelowLiteDbsLimit()
    {
        var ops = Enumerable.Range(1, 10).Select(revision => new LiteDB.BsonDocument
        {
            ["rev"] = revision,
            ["op"] = new LiteDB.BsonArray(Enumerable.Range(0, 20_000).Select(i => new LiteDB.BsonValue(i % 2 == 0 ? 1 : -1))),
        }).ToArray();

        var rows = OpRowBuffer.CutIntoRows("many", ops).ToList();

        Assert.Equal(Enumerable.Range(1, 10), rows.SelectMany(r => r["ops"].AsArray.Select(op => op["rev"].AsInt32)));
        Assert.True(rows.Count >= 3, $"{rows.Count} rows");
        Assert.All(rows, row => Assert.True(LiteDB.BsonSerializer.Serialize(row).Length <= OpRowBuffer.MaxRowBytes, $"{LiteDB.BsonSerializer.Serialize(row).Length} bytes"));
        Assert.All(ops, op => Assert.True(LiteDB.BsonSerializer.Serialize(op).Length <= OpRowBuffer.EstimatedBytes(op)));
    }

    [Fact]
    public async Task DeletingADocument_WhoseOpsWaitInMemory_LeavesNoRowBehind()
    {
        string directory = NewDirectory();
        using (var store = Open(directory))
        {
            _ = await AppendOneByOneAsync(store, "short", 0, 10);
            await store.DeleteDocumentAsync("short");
            Assert.Empty(store.ReadOps("short", 0, 10));
        }

        Assert.Empty(OpRows(directory, "short"));
    }

    public void Dispose()
    {
        _services.Dispose();
        foreach (string directory in _directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: it is under the temp folder.
            }
        }
    }

    /// <summary>Two documents, three append batches, a snapshot, a named version, and a document created and deleted.</summary>
    private static async Task WriteHistoryAsync(DocumentStore store)
    {
        var created = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
        await store.CreateDocumentAsync(new StoredDocument("kept", "Kept", 0, created, created), "abc");
        await store.CreateDocumentAsync(new StoredDocument("gone", "Gone", 0, created, created), "x");
        string text = "abc";
        int revision = 0;
        for (int batch = 0; batch < 3; batch++)
        {
            var ops = new List<StoredOp>();
            for (int i = 0; i < 4; i++)
            {
                var op = TextOperation.Splice(text.Length, text.Length, 0, $"{batch}{i}😀");
                text = op.Apply(text);
                revision++;
                ops.Add(new StoredOp("kept", new CommittedOp(revision, op, "client-1", revision, revision - 1, op), "Ann", "peer-1", created.AddSeconds(revision)));
            }

            await store.AppendAsync("kept", ops, batch == 1 ? new Snapshot(revision, text) : null);
        }

        await store.AddVersionAsync("kept", new NamedVersion("Draft", 6, created.AddMinutes(1)));
        await store.AppendAsync("gone", [new StoredOp("gone", new CommittedOp(1, TextOperation.Splice(1, 1, 0, "y"), "client-2", 1, 0, TextOperation.Splice(1, 1, 0, "y")), "Bob", "peer-2", created)], null);
        await store.DeleteDocumentAsync("gone");
    }

    private static void AssertHistory(DocumentStore store)
    {
        var document = store.GetDocument("kept");
        Assert.NotNull(document);
        Assert.Equal(12, document.Revision);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000).AddSeconds(12), document.UpdatedAt);
        Assert.Equal("abc00😀01😀02😀03😀10😀11😀12😀13😀20😀21😀22😀23😀", store.TextAt("kept", 12));
        Assert.Equal("abc00😀01😀", store.TextAt("kept", 2));
        var ops = store.ReadOps("kept", 0, 12);
        Assert.Equal(Enumerable.Range(1, 12), ops.Select(op => op.Revision));
        Assert.All(ops, op => Assert.Equal(op.Revision, op.Op.Seq));
        Assert.Equal(["Draft"], store.ListVersions("kept").Select(v => v.Name));
        Assert.Null(store.GetDocument("gone"));
        Assert.Empty(store.ReadOps("gone", 0, int.MaxValue - 1));
        Assert.Equal(["kept"], store.ListDocuments().Select(d => d.Id));
    }

    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    /// <summary>Ops that each add an "x" at the end of a document of <paramref name="after"/> x's.</summary>
    private static List<StoredOp> Ops(string documentId, int after, int count) =>
        [.. Enumerable.Range(after + 1, count).Select(revision =>
        {
            var op = TextOperation.Splice(revision - 1, revision - 1, 0, "x");
            return new StoredOp(documentId, new CommittedOp(revision, op, "client-1", revision, revision - 1, op), "Ann", "peer-1", Created.AddSeconds(revision));
        })];

    /// <summary>Appends <paramref name="count"/> ops, one append each (creating the document first if <paramref name="after"/> is 0).</summary>
    private static async Task<List<StoredOp>> AppendOneByOneAsync(DocumentStore store, string documentId, int after, int count)
    {
        if (after == 0)
        {
            await store.CreateDocumentAsync(new StoredDocument(documentId, documentId, 0, Created, Created), "");
        }

        var ops = Ops(documentId, after, count);
        foreach (var op in ops)
        {
            await store.AppendAsync(documentId, [op], null);
        }

        return ops;
    }

    private static void SetDocumentField(LiteDB.LiteDatabase db, string documentId, string field, int value)
    {
        var row = db.GetCollection("documents").FindById(documentId);
        row[field] = value;
        _ = db.GetCollection("documents").Update(row);
    }

    /// <summary>
    /// Appends 40 ops to a new document and stops the store; then changes its LiteDB file as a
    /// crash could have left it, and leaves a journal segment, so the next open replays.
    /// </summary>
    private async Task<List<StoredOp>> CrashAfter40OpsAsync(string directory, string documentId, Action<LiteDB.LiteDatabase> leftByTheCrash)
    {
        List<StoredOp> ops;
        using (var store = Open(directory))
        {
            ops = await AppendOneByOneAsync(store, documentId, 0, 40);
        }

        using (var db = new LiteDB.LiteDatabase(Path.Combine(directory, "collabedit.db")))
        {
            leftByTheCrash(db);
        }

        File.WriteAllBytes(Path.Combine(directory, "journal-0000000001.log"), []);
        return ops;
    }

    /// <summary>The revisions in each of a document's LiteDB op rows, read from the file of a stopped store.</summary>
    private static List<List<int>> OpRows(string directory, string documentId)
    {
        using var db = new LiteDB.LiteDatabase(Path.Combine(directory, "collabedit.db"));
        return [.. db.GetCollection("ops").FindAll()
            .Where(row => row["doc"].AsString == documentId)
            .OrderBy(row => row["_id"].AsString, StringComparer.Ordinal)
            .Select(row => row.TryGetValue("ops", out var ops)
                ? ops.AsArray.Select(op => op["rev"].AsInt32).ToList()
                : [row["rev"].AsInt32])];
    }

    private static void CopyDirectory(string from, string to, string? except)
    {
        foreach (string file in Directory.EnumerateFiles(from))
        {
            string name = Path.GetFileName(file);
            if (name != except && name != "collabedit.lock")
            {
                File.Copy(file, Path.Combine(to, name));
            }
        }
    }

    private DocumentStore Open(string directory, long checkpointBytes = StorageOptions.DefaultCheckpointBytes, IWriteFaultInjector? faults = null) => new(
        DataDirectoryLock.Acquire(directory),
        directory,
        faults ?? new NoWriteFaults(),
        new CollabEditMetrics(_services.GetRequiredService<IMeterFactory>()),
        NullLogger<DocumentStore>.Instance,
        checkpointBytes);

    private string NewDirectory()
    {
        string directory = RunningServer.NewDataPath();
        Directory.CreateDirectory(directory);
        _directories.Add(directory);
        return directory;
    }

    private sealed class FailingCommits : IWriteFaultInjector
    {
        public volatile bool Failing;

        public void BeforeCommit()
        {
            if (Failing)
            {
                throw new IOException("Injected failure: no space left on device.");
            }
        }
    }
}
