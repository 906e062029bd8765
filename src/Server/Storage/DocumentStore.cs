using System.Buffers;
using System.Collections.Concurrent;
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
/// <para>LiteDB reaches its own file at checkpoints (<c>Checkpoint()</c> copies its log into the
/// data file and fsyncs it), taken whenever LiteDB's log passes <see cref="MaxLiteDbLogBytes"/>.
/// When the journal has grown past <see cref="CheckpointBytes"/>, the checkpoint also writes the
/// document rows, and the journal segments it covers are then deleted. On start, segments left by a
/// crash are replayed into LiteDB (each record is idempotent) and checkpointed before anything
/// else happens. Snapshots are not journaled: they are derived from the ops, so after a crash a
/// document may replay more ops than usual until its next snapshot.</para>
/// <para>An append writes nothing to LiteDB at once: its ops wait in memory until a row's worth
/// is written (see the op rows part of this class), and the document's row (revision, last update,
/// snapshot revision) moves in memory, where readers see it, and is written when the journal is
/// retired: a LiteDB lookup and update per append cost more than the insert itself, and writing
/// every row at every log checkpoint cost the server 8% of its CPU in S4.</para>
/// </remarks>
public sealed partial class DocumentStore : IDocumentStorage, IDisposable
{
    private const int MaxRequestsPerTransaction = 1024;

    /// <summary>
    /// LiteDB's log size after which the writer checkpoints, whatever the journal's size. A
    /// checkpoint holds up the writer for a time that grows with the log, so small and frequent is
    /// what keeps ack tails short (S2 p99: 20 ms at 64 MiB, 10-14 at 16, 7-9 at 4, 5 at 2).
    /// </summary>
    private const long MaxLiteDbLogBytes = 2 * 1024 * 1024;

    private readonly LiteDatabase _db;
    private readonly LiteDbFileStream _dataFile;
    private readonly LiteDbFileStream _logFile;
    private readonly ILiteCollection<BsonDocument> _documents;
    private readonly ILiteCollection<BsonDocument> _ops;
    private readonly ILiteCollection<BsonDocument> _snapshots;
    private readonly ILiteCollection<BsonDocument> _versions;
    private readonly BlockingCollection<WriteRequest> _queue = [];
    private readonly BlockingCollection<SyncItem> _syncQueue = [];
    private readonly Thread _writer;
    private readonly Thread _syncer;
    private readonly WriteJournal _journal;
    private readonly IWriteFaultInjector _faults;
    private readonly CollabEditMetrics _metrics;
    private readonly ILogger<DocumentStore> _log;
    private readonly DataDirectoryLock _directoryLock;
    private readonly ArrayBufferWriter<byte> _frames = new(64 * 1024);

    // Each document's revision, last update and snapshot revision as appends and snapshots move
    // them, ahead of its LiteDB row, which is written only at checkpoints (the journal has every
    // append meanwhile): an append writes just its ops. Readers merge these in; every field only
    // grows, so a reader that looks here first and at the row second never goes backwards.
    private readonly ConcurrentDictionary<string, RowUpdate> _rowUpdates = new(StringComparer.Ordinal);

    // Documents the writer has seen exist (writer thread only), so an append needs no row lookup.
    private readonly HashSet<string> _knownDocuments = new(StringComparer.Ordinal);

    // Changes to the two above (and to the waiting ops) made by the transaction in progress: applied once it commits.
    private readonly List<Action> _afterCommit = [];
    private long _journalBytesSinceCheckpoint;
    private long _maxStoredOpBytes = BsonMapping.MaxStoredOpBytes;
    private int _disposed;
    private volatile string? _lastError;

    // A failed fdatasync may have dropped any page written before it, so after one no write is
    // acknowledged until a checkpoint has made LiteDB durable again. Writes carry the epoch they
    // were made in; the syncer fails every write of an epoch at or before a failed sync.
    private volatile int _epoch;
    private volatile int _failedEpoch = -1;

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

        // Checkpoints are ours: taken when the journal has grown, and at shutdown.
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

    /// <summary>Journal bytes after which the writer checkpoints LiteDB and deletes the journal behind it.</summary>
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

    public Task CreateDocumentAsync(StoredDocument document, string text) => WriteAsync(new BsonDocument
    {
        ["t"] = "create",
        ["row"] = BsonMapping.ToBson(document),
        ["snap"] = SnapshotBson(document.Id, new Snapshot(0, text)),
    });

    /// <summary>Appends committed ops (consecutive revisions) and moves the document's revision and updatedAt.</summary>
    public Task AppendAsync(string documentId, IReadOnlyList<StoredOp> ops, Snapshot? snapshot)
    {
        var record = new BsonDocument
        {
            ["t"] = "append",
            ["doc"] = documentId,
            ["ops"] = new BsonArray(ops.Select(op => (BsonValue)BsonMapping.ToBson(op))),
        };

        // The snapshot goes to LiteDB only: it is derived from the ops, so it need not be journaled.
        return WriteAsync(record, snapshot is null ? null : StoreSnapshot(documentId, snapshot));
    }

    public Task WriteSnapshotAsync(string documentId, Snapshot snapshot) => WriteAsync(null, StoreSnapshot(documentId, snapshot));

    public Task AddVersionAsync(string documentId, NamedVersion version) => WriteAsync(new BsonDocument
    {
        ["t"] = "version",
        ["v"] = new BsonDocument
        {
            ["_id"] = ObjectId.NewObjectId(),
            ["doc"] = documentId,
            ["name"] = version.Name,
            ["rev"] = version.Revision,
            ["created"] = version.CreatedAt.ToUnixTimeMilliseconds(),
        },
    });

    /// <summary>
    /// Completes once everything readers can see is durable: at once, unless a journal sync failed
    /// and no checkpoint has made LiteDB durable since (then it goes through the writer, which
    /// takes that checkpoint first).
    /// </summary>
    public Task ConfirmDurableAsync() => _failedEpoch >= _epoch ? WriteAsync(null) : Task.CompletedTask;

    public Task DeleteDocumentAsync(string documentId) => WriteAsync(new BsonDocument { ["t"] = "delete", ["doc"] = documentId });

    // ---- reads ----

    public StoredDocument? GetDocument(string documentId)
    {
        bool updated = _rowUpdates.TryGetValue(documentId, out var update);
        var row = _documents.FindById(documentId);
        return row is null ? null : WithUpdate(BsonMapping.ToStoredDocument(row), updated ? update : null);
    }

    public IReadOnlyList<StoredDocument> ListDocuments()
    {
        var updates = new Dictionary<string, RowUpdate>(_rowUpdates, StringComparer.Ordinal);
        return [.. _documents.FindAll()
            .Select(row => BsonMapping.ToStoredDocument(row))
            .Select(d => WithUpdate(d, updates.TryGetValue(d.Id, out var update) ? update : null))
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
            CheckpointLiteDb();
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
            MoveRow(documentId, new RowUpdate(0, 0, snapshot.Revision));
        };
    }

    /// <summary>Records a row's new values for readers and the next checkpoint, once the transaction commits.</summary>
    private void MoveRow(string documentId, RowUpdate update) =>
        _afterCommit.Add(() => _rowUpdates.AddOrUpdate(documentId, update, (_, pending) => pending.Merge(update)));

    private static StoredDocument WithUpdate(StoredDocument document, RowUpdate? update) => update is not { } u ? document : document with
    {
        Revision = Math.Max(document.Revision, u.Revision),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(document.UpdatedAt.ToUnixTimeMilliseconds(), u.Updated)),
        SnapshotRevision = Math.Max(document.SnapshotRevision, u.Snapshot),
    };

    /// <summary>Moves a LiteDB row's revision, last update and snapshot revision forward (never back) and writes it.</summary>
    private void UpdateRow(BsonDocument row, RowUpdate update)
    {
        row["rev"] = Math.Max(row["rev"].AsInt32, update.Revision);
        row["updated"] = Math.Max(row["updated"].AsInt64, update.Updated);
        row["snap"] = Math.Max(row.TryGetValue("snap", out var snap) ? snap.AsInt32 : 0, update.Snapshot);
        _documents.Update(row);
    }

    /// <summary>Writes the rows that appends and snapshots moved into LiteDB (before a checkpoint; one thread at a time).</summary>
    private void FlushRowUpdates()
    {
        if (_rowUpdates.IsEmpty)
        {
            return;
        }

        var flushed = _rowUpdates.ToArray();
        _db.BeginTrans();
        try
        {
            foreach (var (documentId, update) in flushed)
            {
                if (_documents.FindById(documentId) is { } row)
                {
                    UpdateRow(row, update);
                }
            }

            _db.Commit();
        }
        catch
        {
            TryRollback();
            throw;
        }

        foreach (var entry in flushed)
        {
            _ = _rowUpdates.TryRemove(entry); // only if unchanged since
        }
    }

    /// <summary>
    /// Applies one journal record to LiteDB. Replaying (after a crash) makes every record
    /// idempotent, because LiteDB may already hold it: its checkpoint may have come after the
    /// record, or its own log may have reached the disk. Returns false for a record that a replay
    /// skipped because LiteDB already had it or a later record deleted its document.
    /// </summary>
    private bool Apply(BsonDocument record, bool replay)
    {
        switch (record["t"].AsString)
        {
            case "create":
                var created = record["row"].AsDocument;
                if (replay && _documents.FindById(created["_id"]) is not null)
                {
                    return false;
                }

                _documents.Insert(created);
                _snapshots.Upsert(record["snap"].AsDocument);
                if (!replay)
                {
                    string createdId = created["_id"].AsString;
                    _afterCommit.Add(() => _knownDocuments.Add(createdId));
                }

                break;
            case "append":
                string documentId = record["doc"].AsString;
                var ops = record["ops"].AsArray;
                var last = ops[^1].AsDocument;
                if (!replay)
                {
                    if (!_knownDocuments.Contains(documentId))
                    {
                        // Live writes never append to a missing document.
                        _ = _documents.FindById(documentId) ?? throw new InvalidOperationException($"Document {documentId} is missing.");
                        _afterCommit.Add(() => _knownDocuments.Add(documentId));
                    }

                    // The ops wait in memory (readers see them) until a row's worth is written.
                    _afterCommit.Add(() => AddPending(documentId, ops));
                    MoveRow(documentId, new RowUpdate(last["rev"].AsInt32, last["ts"].AsInt64, 0));
                    break;
                }

                var row = _documents.FindById(documentId);
                if (row is null)
                {
                    return false; // Deleted later in the journal.
                }

                // LiteDB holds a prefix of each document's ops (rows are written in order, and
                // its log keeps whole transactions in order): add only what comes after it.
                int stored = StoredThrough(documentId);
                var missing = new BsonArray(ops.Where(op => op.AsDocument["rev"].AsInt32 > stored));
                if (missing.Count > 0)
                {
                    AddPending(documentId, missing);
                }

                UpdateRow(row, new RowUpdate(last["rev"].AsInt32, last["ts"].AsInt64, 0));
                break;
            case "version":
                _versions.Upsert(record["v"].AsDocument);
                break;
            case "delete":
                string deleted = record["doc"].AsString;
                void Forget()
                {
                    _ = _knownDocuments.Remove(deleted);
                    _ = _rowUpdates.TryRemove(deleted, out _);
                    _ = _pendingOps.TryRemove(deleted, out _);
                }

                // A replay's later records must not find the document's ops waiting.
                if (replay)
                {
                    Forget();
                }
                else
                {
                    _afterCommit.Add(Forget);
                }

                _documents.Delete(deleted);
                _ops.DeleteMany(BsonMapping.KeyRange(deleted));
                _snapshots.DeleteMany(BsonMapping.KeyRange(deleted));
                _versions.DeleteMany(Query.EQ("doc", deleted));
                break;
            default:
                throw new InvalidDataException($"Unknown journal record type '{record["t"].AsString}'.");
        }

        return true;
    }

    /// <summary>Replays the journal a crash left behind into LiteDB, checkpoints, and deletes it.</summary>
    private void Recover(string directory)
    {
        var segments = WriteJournal.FindSegments(directory);
        if (segments.Count == 0)
        {
            return;
        }

        int records = 0;
        _db.BeginTrans();
        foreach (string segment in segments)
        {
            var read = WriteJournal.ReadSegment(segment, out long torn);
            foreach (var record in read)
            {
                if (Apply(record, replay: true))
                {
                    records++;
                }
            }

            if (torn > 0)
            {
                LogTornJournalTail(Path.GetFileName(segment), torn);
            }
        }

        CatchUpDocumentRows();
        _db.Commit();
        CheckpointLiteDb();
        foreach (string segment in segments)
        {
            File.Delete(segment);
        }

        RecoveredRecords = records;
        LogRecovered(records, segments.Count);
    }

    private Task WriteAsync(BsonDocument? record, Action? write = null)
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

    private void WriteLoop()
    {
        try
        {
            var batch = new List<WriteRequest>();
            while (true)
            {
                batch.Clear();
                try
                {
                    batch.Add(_queue.Take());
                }
                catch (InvalidOperationException)
                {
                    return; // Completed and drained.
                }

                while (batch.Count < MaxRequestsPerTransaction && _queue.TryTake(out var more))
                {
                    batch.Add(more);
                }

                Write(batch);
            }
        }
        finally
        {
            _syncQueue.CompleteAdding();
        }
    }

    private void Write(List<WriteRequest> batch)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_failedEpoch >= _epoch && !TryHeal(batch))
        {
            return;
        }

        try
        {
            _db.BeginTrans();
            foreach (var request in batch)
            {
                if (request.Record is { } record)
                {
                    _ = Apply(record, replay: false);
                }

                request.Write?.Invoke();
            }

            _faults.BeforeCommit();
            _db.Commit();
        }
        catch (Exception e)
        {
            _afterCommit.Clear();
            TryRollback();
            Fail(batch, e);
            return;
        }

        foreach (var change in _afterCommit)
        {
            change();
        }

        _afterCommit.Clear();

        WriteJournal.Segment segment;
        try
        {
            _frames.ResetWrittenCount();
            foreach (var request in batch)
            {
                if (request.Record is { } record)
                {
                    WriteJournal.Frame(record, _frames);
                }
            }

            segment = _journal.Append(_frames.WrittenSpan);
            _journalBytesSinceCheckpoint += _frames.WrittenCount;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // LiteDB has it but the journal does not: acknowledge nothing until a checkpoint.
            _failedEpoch = _epoch;
            Fail(batch, e);
            return;
        }

        _syncQueue.Add(new SyncItem([.. batch], segment, _epoch, started, Retire: false));
        WriteFullRows();

        // LiteDB's log grows far faster than the journal (every commit appends whole 8 KB pages,
        // the same page again each time), and a checkpoint's cost grows with it: bound both.
        if (_journalBytesSinceCheckpoint >= CheckpointBytes)
        {
            Checkpoint(retireJournal: true);
        }
        else if (_logFile.Length >= MaxLiteDbLogBytes)
        {
            Checkpoint(retireJournal: false);
        }
    }

    /// <summary>
    /// Copies LiteDB's log into its data file; when the journal has grown, also writes the document
    /// rows and retires the journal behind them. Only a retiring checkpoint writes the rows: until
    /// then the journal holds every append, and its replay moves the rows.
    /// </summary>
    private void Checkpoint(bool retireJournal)
    {
        try
        {
            if (retireJournal)
            {
                CheckpointAndRetireJournal();
            }
            else
            {
                // This writes op rows (and snapshots) to LiteDB's file but not the document rows,
                // possibly ahead of a journal the syncer has not synced yet: after a crash, the
                // replay moves each document up to its stored ops (CatchUpDocumentRows).
                CheckpointLiteDbLog();
            }
        }
        catch (Exception e) when (e is IOException or LiteException)
        {
            // The journal keeps everything; the next checkpoint tries again.
            LogCheckpointFailed(e);
        }
    }

    /// <summary>Checkpoints LiteDB, then hands the journal segment it covers to the syncer for deleting.</summary>
    private void CheckpointAndRetireJournal()
    {
        CheckpointLiteDb();
        _journalBytesSinceCheckpoint = 0;
        var retired = _journal.Rotate();
        _syncQueue.Add(new SyncItem([], retired, _epoch, 0, Retire: true));
    }

    /// <summary>
    /// Copies LiteDB's log into its data file, durably. Its log is made durable first (it is not
    /// fsynced per commit), so that a crash in the middle of the copy finds a whole log to redo
    /// it from; the data file is fsynced by LiteDB's own flush at the end of the copy.
    /// </summary>
    private void CheckpointLiteDb()
    {
        WriteAllRows();
        FlushRowUpdates();
        CheckpointLiteDbLog();
    }

    /// <summary>Copies LiteDB's log into its data file, durably, leaving the document rows to move in memory.</summary>
    private void CheckpointLiteDbLog()
    {
        _logFile.SyncOnFlush = true;
        try
        {
            _logFile.Sync();
            _db.Checkpoint();
        }
        finally
        {
            _logFile.SyncOnFlush = false;
        }
    }

    /// <summary>After a failed sync: a checkpoint makes what LiteDB holds durable, and writes may be acknowledged again.</summary>
    private bool TryHeal(List<WriteRequest> batch)
    {
        try
        {
            CheckpointAndRetireJournal();
            _epoch++;
            return true;
        }
        catch (Exception e) when (e is IOException or LiteException or UnauthorizedAccessException)
        {
            Fail(batch, e);
            return false;
        }
    }

    private void SyncLoop()
    {
        var items = new List<SyncItem>();
        var synced = new HashSet<WriteJournal.Segment>();
        while (true)
        {
            items.Clear();
            try
            {
                items.Add(_syncQueue.Take());
            }
            catch (InvalidOperationException)
            {
                return;
            }

            while (_syncQueue.TryTake(out var more))
            {
                items.Add(more);
            }

            Exception? failure = null;
            synced.Clear();
            foreach (var item in items)
            {
                if (item.Requests.Length == 0 || item.Epoch <= _failedEpoch || !synced.Add(item.Segment))
                {
                    continue;
                }

                try
                {
                    _faults.BeforeSync();
                    item.Segment.Sync();
                }
                catch (Exception e)
                {
                    failure = e;
                    _failedEpoch = Math.Max(_failedEpoch, items.Max(i => i.Epoch));
                    break;
                }
            }

            foreach (var item in items)
            {
                if (item.Retire)
                {
                    item.Segment.Delete();
                }
                else if (failure is not null || item.Epoch <= _failedEpoch)
                {
                    Fail(item.Requests, failure ?? new IOException("An earlier journal sync failed."));
                }
                else
                {
                    Complete(item);
                }
            }
        }
    }

    private void Complete(SyncItem item)
    {
        if (_lastError is not null)
        {
            _lastError = null;
            LogWritesRecovered();
        }

        _metrics.RecordWrite(item.Requests.Length, System.Diagnostics.Stopwatch.GetElapsedTime(item.Started));
        foreach (var request in item.Requests)
        {
            request.Completion.TrySetResult();
        }
    }

    private void Fail(IReadOnlyCollection<WriteRequest> requests, Exception e)
    {
        _lastError = e.Message;
        LogWriteFailed(e, requests.Count);
        var failure = new StorageUnavailableException("The write did not become durable.", e);
        foreach (var request in requests)
        {
            request.Completion.TrySetException(failure);
        }
    }

    private void TryRollback()
    {
        try
        {
            _db.Rollback();
        }
        catch (Exception e)
        {
            LogRollbackFailed(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A storage write of {RequestCount} requests failed; none of it is acknowledged")]
    private partial void LogWriteFailed(Exception exception, int requestCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage writes succeed again")]
    private partial void LogWritesRecovered();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rolling back a failed storage write failed")]
    private partial void LogRollbackFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A LiteDB checkpoint failed; the journal keeps every write until the next one succeeds")]
    private partial void LogCheckpointFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The checkpoint at shutdown failed; the journal is kept and replayed at the next start")]
    private partial void LogShutdownCheckpointFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recovered {RecordCount} journal records from {SegmentCount} segments left by an unclean stop")]
    private partial void LogRecovered(int recordCount, int segmentCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal segment {Segment} ends with {TornBytes} bytes of a write cut short; ignored (it was never acknowledged)")]
    private partial void LogTornJournalTail(string segment, long tornBytes);

    private sealed class WriteRequest(BsonDocument? record, Action? write)
    {
        /// <summary>The journal record (applied to LiteDB and journaled); null for LiteDB-only writes (snapshots).</summary>
        public BsonDocument? Record { get; } = record;

        /// <summary>A LiteDB-only write, after the record.</summary>
        public Action? Write { get; } = write;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>A document row's revision, last update (Unix ms) and snapshot revision, not yet written to LiteDB.</summary>
    private readonly record struct RowUpdate(int Revision, long Updated, int Snapshot)
    {
        public RowUpdate Merge(RowUpdate other) =>
            new(Math.Max(Revision, other.Revision), Math.Max(Updated, other.Updated), Math.Max(Snapshot, other.Snapshot));
    }

    private sealed record SyncItem(WriteRequest[] Requests, WriteJournal.Segment Segment, int Epoch, long Started, bool Retire);
}
