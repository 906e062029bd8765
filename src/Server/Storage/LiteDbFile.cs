using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>
/// The LiteDB database: its data and log files, its four collections, transactions and
/// checkpoints. LiteDB's transactions are bound to the OS thread, so everything here that writes
/// runs on the writer thread (or before it starts and after it ends); reads run on any thread.
/// </summary>
internal sealed partial class LiteDbFile : IDisposable
{
    private volatile LiteDatabase _db;

    private volatile Collections _collections;

    // Reads that fail while LiteDB is being reopened (its engine disposed under them) run again on the new one.
    private volatile int _generation;

    private volatile bool _reopening;

    private readonly LiteDbFileStream _dataFile;

    private readonly LiteDbFileStream _logFile;

    private readonly ILogger _log;

    public LiteDbFile(string path, string logPath, ILogger log)
    {
        _log = log;
        _dataFile = new LiteDbFileStream(path, syncOnFlush: true);
        _logFile = new LiteDbFileStream(logPath, syncOnFlush: false, holdRefusedWrites: true);
        _db = Open();
        _collections = new Collections(_db);
    }

    public ILiteCollection<BsonDocument> Documents => _collections.Documents;

    public ILiteCollection<BsonDocument> Ops => _collections.Ops;

    public ILiteCollection<BsonDocument> Snapshots => _collections.Snapshots;

    public ILiteCollection<BsonDocument> Versions => _collections.Versions;

    /// <summary>Bytes of LiteDB's log the disk has refused so far (it is full); they wait in memory.</summary>
    public long HeldLogBytes => _logFile.HeldBytes;

    /// <summary>The size of LiteDB's log file, which every commit grows until the next checkpoint.</summary>
    public long LogBytes => _logFile.Length;

    /// <summary>Runs <paramref name="writes"/> in one LiteDB transaction and commits it; rolls it back and rethrows if anything fails.</summary>
    public void InTransaction(Action writes)
    {
        _db.BeginTrans();
        try
        {
            writes();
            _db.Commit();
        }
        catch
        {
            TryRollback();
            throw;
        }
    }

    /// <summary>
    /// A LiteDB checkpoint: copies LiteDB's log into its data file, durably. The log is made durable
    /// first (it is not fsynced per commit), so that a crash in the middle of the copy finds a whole
    /// log to redo it from; the data file is fsynced by LiteDB's own flush at the end of the copy.
    /// </summary>
    public void Checkpoint()
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

    /// <summary>
    /// Closes LiteDB's engine and opens it again over the same files (writer thread only). After a
    /// failure LiteDB may be left unusable (an engine it closed itself, a lock a failed checkpoint
    /// kept): a new engine reads the data file and every confirmed transaction of the log, which
    /// holds every commit (the log stream keeps what the disk refused), so nothing committed is lost.
    /// </summary>
    public void Reopen()
    {
        _reopening = true;
        try
        {
            try
            {
                _db.Dispose();
            }
            catch (Exception e)
            {
                LogCloseFailed(e);
            }

            _db = Open();
            _collections = new Collections(_db);
        }
        finally
        {
            _generation++;
            _reopening = false;
        }
    }

    /// <summary>
    /// Runs a read (any thread); if LiteDB was reopened under it (which disposes the engine it
    /// was reading), runs it again on the new engine rather than failing the reader.
    /// </summary>
    public T Read<T>(Func<T> read)
    {
        while (true)
        {
            int generation = _generation;
            try
            {
                return read();
            }
            catch (Exception) when (_reopening || generation != _generation)
            {
                SpinWait.SpinUntil(() => !_reopening, TimeSpan.FromSeconds(5));
            }
        }
    }

    public void Dispose()
    {
        _db.Dispose();
        _dataFile.Dispose();
        _logFile.Dispose();
    }

    private LiteDatabase Open()
    {
        var db = new LiteDatabase(_dataFile, logStream: _logFile);

        // LiteDB checkpoints are ours: taken when its log or the journal has grown, and at shutdown.
        // A pragma is a write: made only once, so that opening on a full disk writes nothing.
        if (db.CheckpointSize != 0)
        {
            db.CheckpointSize = 0;
        }

        db.GetCollection("versions").EnsureIndex("doc");
        return db;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing LiteDB to reopen it failed; it is reopened anyway")]
    private partial void LogCloseFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rolling back a failed storage write failed")]
    private partial void LogRollbackFailed(Exception exception);

    private sealed class Collections(LiteDatabase db)
    {
        public ILiteCollection<BsonDocument> Documents { get; } = db.GetCollection("documents");

        public ILiteCollection<BsonDocument> Ops { get; } = db.GetCollection("ops");

        public ILiteCollection<BsonDocument> Snapshots { get; } = db.GetCollection("snapshots");

        public ILiteCollection<BsonDocument> Versions { get; } = db.GetCollection("versions");
    }
}
