using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>
/// The LiteDB database: its data and log files, its four collections, transactions and
/// checkpoints. LiteDB's transactions are bound to the OS thread, so everything here that writes
/// runs on the writer thread (or before it starts and after it ends); reads run on any thread.
/// </summary>
internal sealed partial class LiteDbFile : IDisposable
{
    private readonly LiteDatabase _db;

    private readonly LiteDbFileStream _dataFile;

    private readonly LiteDbFileStream _logFile;

    private readonly ILogger _log;

    public LiteDbFile(string path, string logPath, ILogger log)
    {
        _log = log;
        _dataFile = new LiteDbFileStream(path, syncOnFlush: true);
        _logFile = new LiteDbFileStream(logPath, syncOnFlush: false);
        _db = new LiteDatabase(_dataFile, logStream: _logFile);

        // LiteDB checkpoints are ours: taken when its log or the journal has grown, and at shutdown.
        _db.CheckpointSize = 0;
        Documents = _db.GetCollection("documents");
        Ops = _db.GetCollection("ops");
        Snapshots = _db.GetCollection("snapshots");
        Versions = _db.GetCollection("versions");
        Versions.EnsureIndex("doc");
    }

    public ILiteCollection<BsonDocument> Documents { get; }

    public ILiteCollection<BsonDocument> Ops { get; }

    public ILiteCollection<BsonDocument> Snapshots { get; }

    public ILiteCollection<BsonDocument> Versions { get; }

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

    public void Dispose()
    {
        _db.Dispose();
        _dataFile.Dispose();
        _logFile.Dispose();
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rolling back a failed storage write failed")]
    private partial void LogRollbackFailed(Exception exception);
}
