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
/// the data file and fsyncs it), taken whenever LiteDB's log passes 2 MiB.
/// When the journal has grown past <see cref="CheckpointBytes"/> the journal is retired: every
/// waiting op and document row is written to LiteDB, LiteDB is checkpointed, and the journal
/// segments that covers are deleted. On start, segments left by a crash are replayed into LiteDB
/// (each record is idempotent) and the journal retired before anything else happens. Snapshots
/// are not journaled: they are derived from the ops, so after a crash a document may replay more
/// ops than usual until its next snapshot.</para>
/// <para>An append writes nothing to LiteDB at once: its ops wait in memory until an op row's worth
/// is written (<see cref="OpRowBuffer"/>), and the document's progress (revision, last update,
/// snapshot revision) moves in memory, where readers see it, and reaches its document row when
/// the journal is retired (<see cref="DocumentRowCache"/>): a LiteDB lookup and update per
/// append cost more than the insert itself, and writing every document row at every LiteDB
/// checkpoint cost the server 8% of its CPU in S4.</para>
/// <para>The parts, each a class of its own: <see cref="StorageWriter"/> (the writer and syncer
/// threads), <see cref="RecordApplier"/> (a journal record applied to LiteDB),
/// <see cref="JournalReplay"/> (after a crash), <see cref="OpRowBuffer"/> (waiting ops and op rows),
/// <see cref="DocumentRowCache"/> (document progress and document rows), <see cref="LiteDbFile"/>
/// (LiteDB's files, collections and checkpoints). This class wires them: writes go to the writer,
/// reads merge LiteDB's rows with what waits in memory. docs/storage.md draws them.</para>
/// </remarks>
public sealed partial class DocumentStore : IDocumentStorage, IDisposable
{
    private readonly LiteDbFile _file;

    private readonly OpRowBuffer _ops;

    private readonly DocumentRowCache _documentRows;

    private readonly RecordApplier _applier;

    private readonly WriteJournal _journal;

    private readonly StorageWriter _writer;

    private readonly ILogger<DocumentStore> _log;

    private readonly DataDirectoryLock _directoryLock;

    private long _maxStoredOpBytes = BsonMapping.MaxStoredOpBytes;

    private int _disposed;

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
        _log = log;
        Directory.CreateDirectory(dataPath);
        string directory = Path.GetFullPath(dataPath);
        FilePath = Path.Combine(directory, "collabedit.db");
        _file = new LiteDbFile(FilePath, Path.Combine(directory, "collabedit-log.db"), log);
        _ops = new OpRowBuffer(_file, log);
        _documentRows = new DocumentRowCache(_file);
        _applier = new RecordApplier(_file, _ops, _documentRows);
        RecoveredRecords = JournalReplay.Recover(directory, _file, _ops, _documentRows, _applier, log, out var readOnly);
        _journal = WriteJournal.Open(directory);
        if (readOnly is null && DiskSpace.FreeBytes(directory) is { } free && free < DiskSpace.MinimumFreeBytes)
        {
            readOnly = new ReadOnlyStart($"Started read-only: {free:N0} bytes free on the data folder's disk. Writes resume once it has room.", [], Durable: true);
            LogStartedReadOnly(free);
        }

        _writer = new StorageWriter(_file, _ops, _applier, _journal, checkpointBytes, faults, metrics, log, readOnly);
    }

    public string FilePath { get; }

    public string Location => FilePath;

    /// <summary>One process per data directory (its lock): no one else appends.</summary>
    public bool IsShared => false;

    /// <summary>Null while writes succeed; the reason after a write failed, until one succeeds again.</summary>
    public string? LastError => _writer.LastError;

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

    public Task CreateDocumentAsync(StoredDocument document, string text, Authorship? authorship = null) =>
        _writer.WriteAsync(new CreateRecord(
            BsonMapping.ToBson(document),
            SnapshotBson(document.Id, new Snapshot(0, text, authorship ?? IDocumentStorage.UnknownAuthorship(document, text)))));

    /// <summary>Appends committed ops (consecutive revisions) and moves the document's revision and updatedAt.</summary>
    public Task AppendAsync(string documentId, IReadOnlyList<StoredOp> ops, Snapshot? snapshot, long storedBytes = 0)
    {
        var record = new AppendRecord(documentId, new BsonArray(ops.Select(op => (BsonValue)BsonMapping.ToBson(op))), storedBytes);

        // The snapshot goes to LiteDB only: it is derived from the ops, so it need not be journaled.
        return _writer.WriteAsync(record, snapshot is null ? null : StoreSnapshot(documentId, snapshot));
    }

    public Task WriteSnapshotAsync(string documentId, Snapshot snapshot) => _writer.WriteAsync(null, StoreSnapshot(documentId, snapshot));

    public Task AddVersionAsync(string documentId, NamedVersion version) => _writer.WriteAsync(new VersionRecord(new BsonDocument
    {
        ["_id"] = ObjectId.NewObjectId(),
        ["doc"] = documentId,
        ["name"] = version.Name,
        ["rev"] = version.Revision,
        ["created"] = version.CreatedAt.ToUnixTimeMilliseconds(),
    }));

    /// <summary>Completes once everything readers can see is durable (see <see cref="StorageWriter.ConfirmDurableAsync"/>).</summary>
    public Task ConfirmDurableAsync() => _writer.ConfirmDurableAsync();

    public Task DeleteDocumentAsync(string documentId) => _writer.WriteAsync(new DeleteRecord(documentId));

    // ---- reads ----

    public StoredDocument? GetDocument(string documentId) => _file.Read(() => ReadDocument(documentId));

    private StoredDocument? ReadDocument(string documentId)
    {
        // Progress first: it only grows, so a row written since cannot take the document backwards.
        var progress = _documentRows.Find(documentId);
        var row = _file.Documents.FindById(documentId);
        if (row is null)
        {
            return null;
        }

        var document = BsonMapping.ToStoredDocument(row);
        return progress is { } moved ? moved.AppliedTo(document) : document;
    }

    public IReadOnlyList<StoredDocument> ListDocuments() => _file.Read(ReadDocuments);

    private IReadOnlyList<StoredDocument> ReadDocuments()
    {
        var updates = _documentRows.Copy();
        return [.. _file.Documents.FindAll()
            .Select(row => BsonMapping.ToStoredDocument(row))
            .Select(d => updates.TryGetValue(d.Id, out var update) ? update.AppliedTo(d) : d)
            .OrderByDescending(d => d.UpdatedAt)];
    }

    /// <summary>The ops with <paramref name="afterRevision"/> &lt; revision ≤ <paramref name="toRevision"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<StoredOp> ReadOps(string documentId, int afterRevision, int toRevision, int limit = int.MaxValue) =>
        _file.Read(() => _ops.Read(documentId, afterRevision, toRevision, limit));

    /// <summary>The snapshot at exactly <paramref name="revision"/>, by key; null if there is none.</summary>
    public Snapshot? GetSnapshot(string documentId, int revision)
    {
        var row = _file.Read(() => _file.Snapshots.FindById(BsonMapping.Key(documentId, revision)));
        return row is null ? null : ToSnapshot(row);
    }

    /// <summary>The newest snapshot at or before <paramref name="revision"/>.</summary>
    public Snapshot? LatestSnapshot(string documentId, int revision)
    {
        var row = _file.Read(() => BsonMapping.LastRow(_file.Snapshots, documentId, revision));
        return row is null ? null : ToSnapshot(row);
    }

    /// <summary>The newest snapshot at or before <paramref name="revision"/> that has its authorship (older builds wrote none).</summary>
    public Snapshot? LatestAuthoredSnapshot(string documentId, int revision)
    {
        while (LatestSnapshot(documentId, revision) is { } snapshot)
        {
            if (snapshot.Authorship is not null || snapshot.Revision == 0)
            {
                return snapshot.Authorship is null ? null : snapshot;
            }

            revision = snapshot.Revision - 1;
        }

        return null;
    }

    public IReadOnlyList<NamedVersion> ListVersions(string documentId) => _file.Read<IReadOnlyList<NamedVersion>>(() =>
        [.. _file.Versions.Find(Query.EQ("doc", documentId))
            .Select(v => new NamedVersion(v["name"].AsString, v["rev"].AsInt32, DateTimeOffset.FromUnixTimeMilliseconds(v["created"].AsInt64)))
            .OrderBy(v => v.Revision)]);

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

        _writer.Stop();
        try
        {
            // A clean stop leaves no journal: everything is in the LiteDB file.
            _applier.WriteEverythingToLiteDb();
            foreach (string segment in WriteJournal.FindSegments(Path.GetDirectoryName(FilePath)!))
            {
                if (segment != _journal.Current.Path)
                {
                    File.Delete(segment);
                }
            }

            _journal.Current.Delete();
        }
        catch (Exception e)
        {
            LogShutdownCheckpointFailed(e);
            _journal.Dispose();
        }

        try
        {
            _file.Dispose();
        }
        catch (Exception e)
        {
            LogShutdownCheckpointFailed(e);
        }

        _writer.Dispose();
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
        if (snapshot.Authorship is { } authorship)
        {
            row["auth"] = AuthorshipCodec.Encode(authorship);
        }

        return row;
    }

    private static Snapshot ToSnapshot(BsonDocument row) => new(
        row["rev"].AsInt32,
        BsonMapping.SnapshotText(row),
        row.TryGetValue("auth", out var authorship) ? AuthorshipCodec.Decode(authorship.AsString) : null);

    /// <summary>A write that stores a snapshot; its row is built (and compressed) by the caller, off the writer thread.</summary>
    private Action<List<Action>> StoreSnapshot(string documentId, Snapshot snapshot)
    {
        var row = SnapshotBson(documentId, snapshot);
        return afterCommit => _applier.WriteSnapshot(documentId, row, snapshot.Revision, afterCommit);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Started read-only: {FreeBytes} bytes free on the data folder's disk; reads are served, writes are refused until it has room")]
    private partial void LogStartedReadOnly(long freeBytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "The checkpoint at shutdown failed; the journal is kept and replayed at the next start")]
    private partial void LogShutdownCheckpointFailed(Exception exception);
}
