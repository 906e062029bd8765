using CollabEdit.Ot;
using CollabEdit.Server.Diagnostics;
using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>
/// The LiteDB file (documents, the op log, snapshots, named versions) and the write journal that
/// makes its writes durable. Reads run on the caller's thread and see every completed write.
/// </summary>
/// <remarks>
/// <para>Every write runs on one writer thread, because LiteDB transactions are bound to the OS
/// thread. It takes everything queued (from any number of documents), applies it in one LiteDB
/// transaction and commits: from then on readers see it, but LiteDB 5.0.20's <c>Commit()</c> makes
/// nothing durable. The same writes, as records, are appended to the <see cref="WriteJournal"/>, and
/// a second thread, the syncer, makes them durable with one <c>fdatasync</c> for everything
/// appended since its last one; only then does a write's task complete. While the syncer waits
/// on the disk, the writer already applies the next batch.</para>
/// <para>LiteDB reaches its own file at LiteDB checkpoints (<c>Checkpoint()</c> copies its log into
/// the data file and fsyncs it), taken whenever LiteDB's log passes <see cref="MaxLiteDbLogBytes"/>.
/// When the journal has grown past <see cref="CheckpointBytes"/> the journal is retired: every
/// waiting op and document row is written to LiteDB, LiteDB is checkpointed, and the journal
/// segments that covers are deleted. On start, segments left by a crash are replayed into LiteDB
/// (each record is idempotent) and the journal retired before anything else happens. Snapshots are not journaled: they are derived from the ops, so after a crash a
/// document may replay more ops than usual until its next snapshot.</para>
/// <para>An append writes nothing to LiteDB at once: its ops wait in memory until an op row's worth
/// is written (DocumentStore.OpRows.cs), and the document's progress (revision, last update,
/// snapshot revision) moves in memory, where readers see it, and reaches its document row when
/// the journal is retired (DocumentStore.DocumentProgress.cs): a LiteDB lookup and update per
/// append cost more than the insert itself, and writing every document row at every LiteDB
/// checkpoint cost the server 8% of its CPU in S4.</para>
/// <para>The parts: this file (writes queued, reads, open and close), DocumentStore.Writer.cs
/// (the writer and syncer threads), DocumentStore.Records.cs (a journal record applied to LiteDB),
/// DocumentStore.Replay.cs (after a crash); docs/storage.md draws them.</para>
/// </remarks>
public sealed partial class DocumentStore : IDocumentStorage, IDisposable
{
    private readonly LiteDatabase _db;

    private readonly LiteDbFileStream _dataFile;

    private readonly LiteDbFileStream _logFile;

    private readonly ILiteCollection<BsonDocument> _documents;

    private readonly ILiteCollection<BsonDocument> _ops;

    private readonly ILiteCollection<BsonDocument> _snapshots;

    private readonly ILiteCollection<BsonDocument> _versions;

    private readonly WriteJournal _journal;

    private readonly IWriteFaultInjector _faults;

    private readonly CollabEditMetrics _metrics;

    private readonly ILogger<DocumentStore> _log;

    private readonly DataDirectoryLock _directoryLock;

    private long _maxStoredOpBytes = BsonMapping.MaxStoredOpBytes;

    private int _disposed;

    private volatile string? _lastError;

    /// <summary>Opens the store in a data directory whose lock the caller took; the store releases it after closing the file.</summary>
    public DocumentStore(
        DataDirectoryLock directoryLock,
        string dataPath,
        IWriteFaultInjector faults,
        CollabEditMetrics metrics,
        ILogger<DocumentStore> log,
        long checkpointBytes)
    {
        CheckpointBytes = checkpointBytes;
        _directoryLock = directoryLock;
        _faults = faults;
        _metrics = metrics;
        _log = log;
        Directory.CreateDirectory(dataPath);
        string directory = Path.GetFullPath(dataPath);
        FilePath = Path.Combine(directory, "collabedit.db");
        _dataFile = new LiteDbFileStream(FilePath, syncOnFlush: true);
        _logFile = new LiteDbFileStream(Path.Combine(directory, "collabedit-log.db"), syncOnFlush: false);
        _db = new LiteDatabase(_dataFile, logStream: _logFile);

        // LiteDB checkpoints are ours: taken when its log or the journal has grown, and at shutdown.
        _db.CheckpointSize = 0;
        _documents = _db.GetCollection("documents");
        _ops = _db.GetCollection("ops");
        _snapshots = _db.GetCollection("snapshots");
        _versions = _db.GetCollection("versions");
        _versions.EnsureIndex("doc");
        Recover(directory);
        _journal = WriteJournal.Open(directory);
        _writer = new Thread(WriteLoop) { Name = "CollabEdit storage writer", IsBackground = true };
        _syncer = new Thread(SyncLoop) { Name = "CollabEdit journal syncer", IsBackground = true };
        _writer.Start();
        _syncer.Start();
    }

    public string FilePath { get; }

    public string Location => FilePath;

    /// <summary>Null while writes succeed; the reason after a write failed, until one succeeds again.</summary>
    public string? LastError => _lastError;

    /// <summary>Journal bytes after which the writer retires the journal (writes everything to LiteDB, checkpoints it, deletes the journal).</summary>
    public long CheckpointBytes { get; }

    /// <summary>
    /// The largest size a committed op may take in storage, as transformed plus as sent: it must
    /// fit in one LiteDB row. Callers refuse an op whose <see cref="StoredOpBytesBound"/> exceeds
    /// it before committing it. Only tests lower it.
    /// </summary>
    public long MaxStoredOpBytes
    {
        get => _maxStoredOpBytes;
        internal set => _maxStoredOpBytes = Math.Min(value, BsonMapping.MaxStoredOpBytes);
    }

    /// <summary>
    /// An upper bound on the bytes an op takes in storage, stored as committed (at most
    /// <paramref name="committedComponents"/> components) and as sent (<paramref name="sentComponents"/>),
    /// both inserting <paramref name="insertedUnits"/> UTF-16 code units.
    /// </summary>
    public long StoredOpBytesBound(long committedComponents, long sentComponents, long insertedUnits) =>
        BsonMapping.StoredOpBytesBound(committedComponents, insertedUnits) + BsonMapping.StoredOpBytesBound(sentComponents, insertedUnits);

    /// <summary>How many journal records the last start applied to LiteDB (after a crash; 0 after a clean stop).</summary>
    public int RecoveredRecords { get; private set; }

    // ---- writes: each completes once durable, or fails with StorageUnavailableException ----

    public Task CreateDocumentAsync(StoredDocument document, string text) =>
        WriteAsync(new CreateRecord(BsonMapping.ToBson(document), SnapshotBson(document.Id, new Snapshot(0, text))));

    /// <summary>Appends committed ops (consecutive revisions) and moves the document's revision and updatedAt.</summary>
    public Task AppendAsync(string documentId, IReadOnlyList<StoredOp> ops, Snapshot? snapshot)
    {
        var record = new AppendRecord(documentId, new BsonArray(ops.Select(op => (BsonValue)BsonMapping.ToBson(op))));

        // The snapshot goes to LiteDB only: it is derived from the ops, so it need not be journaled.
        return WriteAsync(record, snapshot is null ? null : StoreSnapshot(documentId, snapshot));
    }

    public Task WriteSnapshotAsync(string documentId, Snapshot snapshot) => WriteAsync(null, StoreSnapshot(documentId, snapshot));

    public Task AddVersionAsync(string documentId, NamedVersion version) => WriteAsync(new VersionRecord(new BsonDocument
    {
        ["_id"] = ObjectId.NewObjectId(),
        ["doc"] = documentId,
        ["name"] = version.Name,
        ["rev"] = version.Revision,
        ["created"] = version.CreatedAt.ToUnixTimeMilliseconds(),
    }));

    /// <summary>
    /// Completes once everything readers can see is durable: at once, unless a journal sync failed
    /// and the journal was not retired since (then it goes through the writer, which retires it
    /// first, making LiteDB durable).
    /// </summary>
    public Task ConfirmDurableAsync() => _failedEpoch >= _epoch ? WriteAsync(null) : Task.CompletedTask;

    public Task DeleteDocumentAsync(string documentId) => WriteAsync(new DeleteRecord(documentId));

    // ---- reads ----

    public StoredDocument? GetDocument(string documentId)
    {
        bool updated = _progress.TryGetValue(documentId, out var update);
        var row = _documents.FindById(documentId);
        return row is null ? null : WithProgress(BsonMapping.ToStoredDocument(row), updated ? update : null);
    }

    public IReadOnlyList<StoredDocument> ListDocuments()
    {
        var updates = new Dictionary<string, DocumentProgress>(_progress, StringComparer.Ordinal);
        return [.. _documents.FindAll()
            .Select(row => BsonMapping.ToStoredDocument(row))
            .Select(d => WithProgress(d, updates.TryGetValue(d.Id, out var update) ? update : null))
            .OrderByDescending(d => d.UpdatedAt)];
    }

    /// <summary>The snapshot at exactly <paramref name="revision"/>, by key; null if there is none.</summary>
    public Snapshot? GetSnapshot(string documentId, int revision)
    {
        var row = _snapshots.FindById(BsonMapping.Key(documentId, revision));
        return row is null ? null : ToSnapshot(row);
    }

    /// <summary>The newest snapshot at or before <paramref name="revision"/>.</summary>
    public Snapshot? LatestSnapshot(string documentId, int revision)
    {
        var row = BsonMapping.LastRow(_snapshots, documentId, revision);
        return row is null ? null : ToSnapshot(row);
    }

    public IReadOnlyList<NamedVersion> ListVersions(string documentId) =>
        [.. _versions.Find(Query.EQ("doc", documentId))
            .Select(v => new NamedVersion(v["name"].AsString, v["rev"].AsInt32, DateTimeOffset.FromUnixTimeMilliseconds(v["created"].AsInt64)))
            .OrderBy(v => v.Revision)];

    /// <summary>The text at <paramref name="revision"/>: the newest snapshot before it plus a replay of the ops after.</summary>
    public string TextAt(string documentId, int revision)
    {
        var snapshot = LatestSnapshot(documentId, revision)
            ?? throw new InvalidOperationException($"Document {documentId} has no snapshot at or before {revision}.");
        var document = new TextDocument(snapshot.Text);
        foreach (var op in ReadOps(documentId, snapshot.Revision, revision))
        {
            document.Apply(op.Operation);
        }

        return document.ToString();
    }

    public void Dispose()
    {
        // The container disposes it once as itself and once as IDocumentStorage.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.CompleteAdding();
        _writer.Join(); // The writer completes the syncer's queue when it ends.
        _syncer.Join();
        try
        {
            // A clean stop leaves no journal: everything is in the LiteDB file.
            WriteEverythingToLiteDb();
            foreach (string segment in WriteJournal.FindSegments(Path.GetDirectoryName(FilePath)!))
            {
                if (segment != _journal.Current.Path)
                {
                    File.Delete(segment);
                }
            }

            _journal.Current.Delete();
        }
        catch (Exception e) when (e is IOException or LiteException)
        {
            LogShutdownCheckpointFailed(e);
            _journal.Dispose();
        }

        _db.Dispose();
        _dataFile.Dispose();
        _logFile.Dispose();
        _queue.Dispose();
        _syncQueue.Dispose();
        _directoryLock.Dispose();
    }

    private static BsonDocument SnapshotBson(string documentId, Snapshot snapshot)
    {
        var row = new BsonDocument
        {
            ["_id"] = BsonMapping.Key(documentId, snapshot.Revision),
            ["doc"] = documentId,
            ["rev"] = snapshot.Revision,
        };
        BsonMapping.SetSnapshotText(row, snapshot.Text);
        return row;
    }

    private static Snapshot ToSnapshot(BsonDocument row) => new(row["rev"].AsInt32, BsonMapping.SnapshotText(row));

    /// <summary>A write that stores a snapshot; its row is built (and compressed) by the caller, off the writer thread.</summary>
    private Action StoreSnapshot(string documentId, Snapshot snapshot)
    {
        var row = SnapshotBson(documentId, snapshot);
        return () =>
        {
            _snapshots.Upsert(row);
            AdvanceProgress(documentId, new DocumentProgress(0, 0, snapshot.Revision));
        };
    }

    private Task WriteAsync(JournalRecord? record, Action? write = null)
    {
        var request = new WriteRequest(record, write);
        try
        {
            _queue.Add(request);
        }
        catch (InvalidOperationException)
        {
            return Task.FromException(new StorageUnavailableException("The store is shutting down."));
        }

        return request.Completion.Task;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The checkpoint at shutdown failed; the journal is kept and replayed at the next start")]
    private partial void LogShutdownCheckpointFailed(Exception exception);

    private sealed class WriteRequest(JournalRecord? record, Action? write)
    {
        /// <summary>The journal record (applied to LiteDB and journaled); null for LiteDB-only writes (snapshots).</summary>
        public JournalRecord? Record { get; } = record;

        /// <summary>A LiteDB-only write, after the record.</summary>
        public Action? Write { get; } = write;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
