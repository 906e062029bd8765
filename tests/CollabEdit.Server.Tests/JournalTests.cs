using System.Diagnostics.Metrics;
using CollabEdit.Ot;
using CollabEdit.Server.Diagnostics;
using CollabEdit.Server.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CollabEdit.Server.Tests;

/// <summary>
/// The write journal against the real LiteDB file: what a crash leaves is replayed, a torn tail
/// is ignored, replaying what LiteDB already holds changes nothing, and a clean stop leaves no
/// journal. A "crash" is a copy of the data directory taken while the store runs, so it holds
/// exactly what had reached the files at that instant (the page cache survives a kill -9).
/// </summary>
public sealed class JournalTests : IDisposable
{
    private const string LiteDbLog = "collabedit-log.db";

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly List<string> _directories = [];

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

        using var recovered = Open(crashed);

        AssertHistory(recovered);
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

        using var recovered = Open(crashed);

        AssertHistory(recovered);
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
            store.AppendAsync("kept", [new StoredOp("kept", 13, op, "Ann", "peer-1", created.AddDays(1), "client-1", 13, 12, op)], new Snapshot(13, "z")));
        faults.Failing = false;

        AssertHistory(store); // revision 12, updated at +12 s, as before the failed append
        Assert.Equal(8, store.GetDocument("kept")!.SnapshotRevision);
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
                ops.Add(new StoredOp("kept", revision, op, "Ann", "peer-1", created.AddSeconds(revision), "client-1", revision, revision - 1, op));
            }

            await store.AppendAsync("kept", ops, batch == 1 ? new Snapshot(revision, text) : null);
        }

        await store.AddVersionAsync("kept", new NamedVersion("Draft", 6, created.AddMinutes(1)));
        await store.AppendAsync("gone", [new StoredOp("gone", 1, TextOperation.Splice(1, 1, 0, "y"), "Bob", "peer-2", created, "client-2", 1, 0, TextOperation.Splice(1, 1, 0, "y"))], null);
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
        Assert.All(ops, op => Assert.Equal(op.Revision, op.Seq));
        Assert.Equal(["Draft"], store.ListVersions("kept").Select(v => v.Name));
        Assert.Null(store.GetDocument("gone"));
        Assert.Empty(store.ReadOps("gone", 0, int.MaxValue - 1));
        Assert.Equal(["kept"], store.ListDocuments().Select(d => d.Id));
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

    private DocumentStore Open(string directory, long checkpointBytes = 32 * 1024 * 1024, IWriteFaultInjector? faults = null) => new(
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
