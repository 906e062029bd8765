using System.Collections.Concurrent;
using CollabEdit.Ot;
using CollabEdit.Server.Diagnostics;
using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>
/// The LiteDB file: documents, the op log, snapshots and named versions. Reads run on the
/// caller's thread. Every write runs on one dedicated writer thread, because LiteDB transactions
/// are bound to the OS thread: it takes everything queued (from any number of documents), writes
/// it in one transaction, commits, and then checkpoints. In LiteDB 5.0.20 <c>Commit()</c> returns
/// before its pages reach the log file; <c>Checkpoint()</c> waits for that queue and fsyncs the
/// data file, so a write's task completes only once it would survive <c>kill -9</c>.
/// </summary>
public sealed partial class DocumentStore : IDisposable
{
    private const int MaxRequestsPerTransaction = 1024;

    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _documents;
    private readonly ILiteCollection<BsonDocument> _ops;
    private readonly ILiteCollection<BsonDocument> _snapshots;
    private readonly ILiteCollection<BsonDocument> _versions;
    private readonly BlockingCollection<WriteRequest> _queue = [];
    private readonly Thread _writer;
    private readonly IWriteFaultInjector _faults;
    private readonly CollabEditMetrics _metrics;
    private readonly ILogger<DocumentStore> _log;
    private readonly DataDirectoryLock _directoryLock;
    private volatile string? _lastError;

    /// <summary>Opens the store in a data directory whose lock the caller took; the store releases it after closing the file.</summary>
    public DocumentStore(DataDirectoryLock directoryLock, string dataPath, IWriteFaultInjector faults, CollabEditMetrics metrics, ILogger<DocumentStore> log)
    {
        _directoryLock = directoryLock;
        _faults = faults;
        _metrics = metrics;
        _log = log;
        Directory.CreateDirectory(dataPath);
        FilePath = Path.Combine(Path.GetFullPath(dataPath), "collabedit.db");
        _db = new LiteDatabase(new ConnectionString { Filename = FilePath, Connection = ConnectionType.Direct });

        // Checkpoints are ours, once per transaction: that is what makes a commit durable.
        _db.CheckpointSize = 0;
        _documents = _db.GetCollection("documents");
        _ops = _db.GetCollection("ops");
        _snapshots = _db.GetCollection("snapshots");
        _versions = _db.GetCollection("versions");
        _versions.EnsureIndex("doc");
        _writer = new Thread(WriteLoop) { Name = "CollabEdit storage writer", IsBackground = true };
        _writer.Start();
    }

    public string FilePath { get; }

    /// <summary>Null while writes succeed; the reason after a write failed, until one succeeds again.</summary>
    public string? LastError => _lastError;

    // ---- writes: each completes once durable, or fails with StorageUnavailableException ----

    public Task CreateDocumentAsync(StoredDocument document, string text) => WriteAsync(db =>
    {
        _documents.Insert(BsonMapping.ToBson(document));
        _snapshots.Insert(SnapshotBson(document.Id, new Snapshot(0, text)));
    });

    /// <summary>Appends committed ops (consecutive revisions) and moves the document's revision and updatedAt.</summary>
    public Task AppendAsync(string documentId, IReadOnlyList<StoredOp> ops, Snapshot? snapshot) => WriteAsync(db =>
    {
        var row = _documents.FindById(documentId) ?? throw new InvalidOperationException($"Document {documentId} is missing.");
        _ops.InsertBulk(ops.Select(BsonMapping.ToBson));
        if (snapshot is not null)
        {
            _snapshots.Upsert(SnapshotBson(documentId, snapshot));
            row["snap"] = snapshot.Revision;
        }

        row["rev"] = ops[^1].Revision;
        row["updated"] = ops[^1].Timestamp.ToUnixTimeMilliseconds();
        _documents.Update(row);
    });

    public Task WriteSnapshotAsync(string documentId, Snapshot snapshot) => WriteAsync(_ =>
    {
        _snapshots.Upsert(SnapshotBson(documentId, snapshot));
        if (_documents.FindById(documentId) is { } row && (!row.TryGetValue("snap", out var snap) || snap.AsInt32 < snapshot.Revision))
        {
            row["snap"] = snapshot.Revision;
            _documents.Update(row);
        }
    });

    public Task AddVersionAsync(string documentId, NamedVersion version) => WriteAsync(_ => _versions.Insert(new BsonDocument
    {
        ["doc"] = documentId,
        ["name"] = version.Name,
        ["rev"] = version.Revision,
        ["created"] = version.CreatedAt.ToUnixTimeMilliseconds(),
    }));

    public Task DeleteDocumentAsync(string documentId) => WriteAsync(_ =>
    {
        _documents.Delete(documentId);
        _ops.DeleteMany(Query.Between("_id", BsonMapping.Key(documentId, 0), BsonMapping.Key(documentId, int.MaxValue)));
        _snapshots.DeleteMany(Query.Between("_id", BsonMapping.Key(documentId, 0), BsonMapping.Key(documentId, int.MaxValue)));
        _versions.DeleteMany(Query.EQ("doc", documentId));
    });

    // ---- reads ----

    public StoredDocument? GetDocument(string documentId)
    {
        var row = _documents.FindById(documentId);
        return row is null ? null : BsonMapping.ToStoredDocument(row);
    }

    public IReadOnlyList<StoredDocument> ListDocuments() =>
        [.. _documents.FindAll().Select(BsonMapping.ToStoredDocument).OrderByDescending(d => d.UpdatedAt)];

    /// <summary>The snapshot at exactly <paramref name="revision"/>, by key; null if there is none.</summary>
    public Snapshot? GetSnapshot(string documentId, int revision)
    {
        var row = _snapshots.FindById(BsonMapping.Key(documentId, revision));
        return row is null ? null : new Snapshot(row["rev"].AsInt32, row["text"].AsString);
    }

    /// <summary>The newest snapshot at or before <paramref name="revision"/>.</summary>
    public Snapshot? LatestSnapshot(string documentId, int revision)
    {
        var row = _snapshots.Query()
            .Where(Query.Between("_id", BsonMapping.Key(documentId, 0), BsonMapping.Key(documentId, revision)))
            .OrderByDescending("_id")
            .Limit(1)
            .FirstOrDefault();
        return row is null ? null : new Snapshot(row["rev"].AsInt32, row["text"].AsString);
    }

    /// <summary>The ops with <paramref name="afterRevision"/> &lt; revision ≤ <paramref name="toRevision"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<StoredOp> ReadOps(string documentId, int afterRevision, int toRevision, int limit = int.MaxValue)
    {
        if (toRevision <= afterRevision)
        {
            return [];
        }

        return [.. _ops.Find(Query.Between("_id", BsonMapping.Key(documentId, afterRevision + 1), BsonMapping.Key(documentId, toRevision)), 0, limit)
            .Select(BsonMapping.ToStoredOp)];
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
        _queue.CompleteAdding();
        _writer.Join();
        _db.Dispose();
        _queue.Dispose();
        _directoryLock.Dispose();
    }

    private static BsonDocument SnapshotBson(string documentId, Snapshot snapshot) => new()
    {
        ["_id"] = BsonMapping.Key(documentId, snapshot.Revision),
        ["doc"] = documentId,
        ["rev"] = snapshot.Revision,
        ["text"] = snapshot.Text,
    };

    private Task WriteAsync(Action<LiteDatabase> write)
    {
        var request = new WriteRequest(write);
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

            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                _db.BeginTrans();
                foreach (var request in batch)
                {
                    request.Write(_db);
                }

                _faults.BeforeCommit();
                _db.Commit();
                _db.Checkpoint();
            }
            catch (Exception e)
            {
                TryRollback();
                _lastError = e.Message;
                LogWriteFailed(e, batch.Count);
                var failure = new StorageUnavailableException("The write did not become durable.", e);
                foreach (var request in batch)
                {
                    request.Completion.TrySetException(failure);
                }

                continue;
            }

            if (_lastError is not null)
            {
                _lastError = null;
                LogWritesRecovered();
            }

            _metrics.RecordWrite(batch.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            foreach (var request in batch)
            {
                request.Completion.TrySetResult();
            }
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

    private sealed class WriteRequest(Action<LiteDatabase> write)
    {
        public Action<LiteDatabase> Write { get; } = write;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
