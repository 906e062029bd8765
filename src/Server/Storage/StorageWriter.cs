using System.Buffers;
using System.Collections.Concurrent;
using CollabEdit.Server.Diagnostics;

namespace CollabEdit.Server.Storage;

/// <summary>
/// The writer and syncer threads. The writer takes a batch of writes, applies it in one LiteDB
/// transaction, appends its records to the journal and hands them to the syncer, which fdatasyncs
/// the journal once for everything appended since its last sync and only then completes the
/// writes. After a batch the writer writes full op rows and, when LiteDB's log or the journal has
/// grown, takes a LiteDB checkpoint or retires the journal. A failed write fails its callers with
/// <see cref="StorageUnavailableException"/>; after a failed sync nothing is acknowledged until the
/// journal has been retired (which makes LiteDB durable).
/// </summary>
internal sealed partial class StorageWriter : IDisposable
{
    private const int MaxRequestsPerTransaction = 1024;

    /// <summary>
    /// LiteDB's log size after which the writer checkpoints, whatever the journal's size. A
    /// checkpoint holds up the writer for a time that grows with the log, so small and frequent is
    /// what keeps ack tails short (S2 p99: 20 ms at 64 MiB, 10-14 at 16, 7-9 at 4, 5 at 2).
    /// </summary>
    private const long MaxLiteDbLogBytes = 2 * 1024 * 1024;

    private readonly LiteDbFile _file;

    private readonly OpRowBuffer _ops;

    private readonly RecordApplier _applier;

    private readonly WriteJournal _journal;

    private readonly long _checkpointBytes;

    private readonly IWriteFaultInjector _faults;

    private readonly CollabEditMetrics _metrics;

    private readonly ILogger _log;

    private readonly BlockingCollection<WriteRequest> _queue = [];

    private readonly BlockingCollection<SyncItem> _syncQueue = [];

    private readonly Thread _writer;

    private readonly Thread _syncer;

    private readonly ArrayBufferWriter<byte> _frames = new(64 * 1024);

    // Changes to memory (waiting ops, document progress, known documents) made by the transaction
    // in progress: applied once it commits, so that readers never see what a rollback undoes.
    private readonly List<Action> _afterCommit = [];

    // Writes of the batch in progress that cannot apply (their document is gone), and documents it deletes.
    private readonly List<(WriteRequest Request, string DocumentId)> _missing = [];

    private readonly HashSet<string> _deletedInBatch = new(StringComparer.Ordinal);

    private long _journalBytesSinceRetired;

    // A failed fdatasync may have dropped any page written before it, so after one no write is
    // acknowledged until retiring the journal has made LiteDB durable again. Writes carry the epoch they
    // were made in; the syncer fails every write of an epoch at or before a failed sync.
    private volatile int _epoch;

    private volatile int _failedEpoch = -1;

    private volatile string? _lastError;

    // True while failed only because the start was read-only over durable data: reads may then be
    // served (nothing they reveal can be lost), though writes still wait for the journal's retirement.
    private volatile bool _failedButDurable;

    // Set when LiteDB failed in a way that may leave its engine unusable (anything but the disk's
    // own IOException): the writer opens it again before its next write.
    private bool _reopenLiteDb;

    private long _lastFailedHeal;

    /// <summary>How long a failed writer waits between attempts to heal (and how often it probes when idle).</summary>
    private static readonly TimeSpan HealInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>Starts the writer and syncer threads over a LiteDB file already caught up with the journal.</summary>
    public StorageWriter(
        LiteDbFile file,
        OpRowBuffer ops,
        RecordApplier applier,
        WriteJournal journal,
        long checkpointBytes,
        IWriteFaultInjector faults,
        CollabEditMetrics metrics,
        ILogger log,
        ReadOnlyStart? readOnly = null)
    {
        _file = file;
        _ops = ops;
        _applier = applier;
        _journal = journal;
        _checkpointBytes = checkpointBytes;
        _faults = faults;
        _metrics = metrics;
        _log = log;
        if (readOnly is not null)
        {
            // Nothing is acknowledged until retiring the journal (what the start could not do) succeeds;
            // that retirement deletes the segments the start kept (they are older than the journal's).
            _failedEpoch = _epoch;
            _failedButDurable = readOnly.Durable;
            _lastError = readOnly.Reason;
        }

        _writer = new Thread(WriteLoop) { Name = "CollabEdit storage writer", IsBackground = true };
        _syncer = new Thread(SyncLoop) { Name = "CollabEdit journal syncer", IsBackground = true };
        _writer.Start();
        _syncer.Start();
    }

    /// <summary>Null while writes succeed; the reason after a write failed, until one succeeds again.</summary>
    public string? LastError => _lastError;

    /// <summary>
    /// Queues a write: <paramref name="record"/> is applied to LiteDB and journaled (null for a
    /// LiteDB-only write), then <paramref name="write"/> runs in the same transaction, on the writer
    /// thread, adding to its list the memory changes to make once the transaction commits. The task
    /// completes once the write is durable, or fails with <see cref="StorageUnavailableException"/>.
    /// </summary>
    public Task WriteAsync(JournalRecord? record, Action<List<Action>>? write = null)
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

    /// <summary>
    /// Completes once everything readers can see is durable: at once, unless a journal sync failed
    /// and the journal was not retired since (then it goes through the writer, which retires it
    /// first, making LiteDB durable).
    /// </summary>
    public Task ConfirmDurableAsync() => Failed && !_failedButDurable ? WriteAsync(null) : Task.CompletedTask;

    /// <summary>Takes no more writes and waits for the threads to finish what was queued; LiteDB is then free for the caller's thread.</summary>
    public void Stop()
    {
        _queue.CompleteAdding();
        _writer.Join(); // The writer completes the syncer's queue when it ends.
        _syncer.Join();
    }

    public void Dispose()
    {
        _queue.Dispose();
        _syncQueue.Dispose();
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
                    // While failed, an idle writer still tries to heal now and then, so that health
                    // turns good again once the disk has room, without waiting for a write.
                    if (!Failed)
                    {
                        batch.Add(_queue.Take());
                    }
                    else if (_queue.TryTake(out var first, HealInterval))
                    {
                        batch.Add(first);
                    }
                }
                catch (InvalidOperationException)
                {
                    return; // Completed and drained.
                }

                if (batch.Count == 0)
                {
                    if (_queue.IsCompleted)
                    {
                        return;
                    }

                    TryHeal(batch);
                    continue;
                }

                while (batch.Count < MaxRequestsPerTransaction && _queue.TryTake(out var more))
                {
                    batch.Add(more);
                }

                try
                {
                    Write(batch);
                }
                catch (Exception e)
                {
                    // Whatever went wrong, the thread lives on; nothing of the batch is acknowledged,
                    // and nothing more is until retiring the journal has made LiteDB durable again.
                    MarkFailed(_epoch);
                    _reopenLiteDb = true;
                    _afterCommit.Clear();
                    Fail(batch, e);
                }
            }
        }
        finally
        {
            _syncQueue.CompleteAdding();
        }
    }

    private bool Failed => _failedEpoch >= _epoch;

    private void MarkFailed(int epoch)
    {
        _failedButDurable = false;
        _failedEpoch = epoch;
    }

    private void Write(List<WriteRequest> batch)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (Failed && !TryHeal(batch))
        {
            return;
        }

        if (_reopenLiteDb && !TryReopen(batch))
        {
            return;
        }

        try
        {
            _missing.Clear();
            _deletedInBatch.Clear();
            _file.InTransaction(() =>
            {
                foreach (var request in batch)
                {
                    if (request.Record is { } record)
                    {
                        if (_applier.MissingDocument(record, _deletedInBatch) is { } missing)
                        {
                            _missing.Add((request, missing));
                            continue;
                        }

                        _applier.Apply(record, _afterCommit);
                        if (record is DeleteRecord delete)
                        {
                            _deletedInBatch.Add(delete.DocumentId);
                        }
                    }

                    request.Write?.Invoke(_afterCommit);
                }

                _faults.BeforeCommit();
            });
        }
        catch (Exception e)
        {
            // Rolled back: nothing of it is in LiteDB. Anything but the disk's own error may have
            // left LiteDB's engine unusable (LiteDB closes it on a failed log write, or keeps a lock).
            _afterCommit.Clear();
            _reopenLiteDb |= e is not IOException;
            Fail(batch, e);
            return;
        }

        foreach (var change in _afterCommit)
        {
            change();
        }

        _afterCommit.Clear();

        // A write to a deleted document fails alone; the rest of the batch goes on.
        if (_missing.Count > 0)
        {
            foreach (var (request, documentId) in _missing)
            {
                request.Completion.TrySetException(new DocumentMissingException(documentId));
                batch.Remove(request);
            }
        }

        WriteJournal.Segment segment;
        try
        {
            _faults.BeforeJournalAppend();
            _frames.ResetWrittenCount();
            foreach (var request in batch)
            {
                if (request.Record is { } record)
                {
                    WriteJournal.Frame(record.ToBson(), _frames);
                }
            }

            segment = _journal.Append(_frames.WrittenSpan);
            _journalBytesSinceRetired += _frames.WrittenCount;
        }
        catch (Exception e)
        {
            // LiteDB has it but the journal does not: acknowledge nothing until a checkpoint.
            MarkFailed(_epoch);
            Fail(batch, e);
            return;
        }

        _syncQueue.Add(new SyncItem([.. batch], segment, _epoch, started, Retire: false));
        _ops.WriteFullRows();

        // LiteDB's log grows far faster than the journal (every commit appends whole 8 KB pages,
        // the same page again each time), and a checkpoint's cost grows with it: bound both.
        if (_journalBytesSinceRetired >= _checkpointBytes)
        {
            TryRetireJournalOrCheckpoint(retireJournal: true);
        }
        else if (_file.LogBytes >= MaxLiteDbLogBytes)
        {
            TryRetireJournalOrCheckpoint(retireJournal: false);
        }
    }

    /// <summary>
    /// After a batch: retires the journal once it has grown past the checkpoint bytes, else takes a
    /// LiteDB checkpoint. Only retiring writes the document rows: until then the journal holds every
    /// append, and its replay moves the document rows after a crash.
    /// </summary>
    private void TryRetireJournalOrCheckpoint(bool retireJournal)
    {
        try
        {
            if (retireJournal)
            {
                RetireJournal();
            }
            else
            {
                // This writes op rows (and snapshots) to LiteDB's file but not the document rows,
                // possibly ahead of a journal the syncer has not synced yet: after a crash, the
                // replay moves each document up to its stored ops (JournalReplay's catch-up).
                _faults.BeforeCheckpoint();
                _file.Checkpoint();
            }
        }
        catch (Exception e)
        {
            // The journal keeps everything; the next checkpoint tries again. A failure that is not
            // the disk's may have left LiteDB holding a lock (a LockRecursionException next time):
            // it is opened again first.
            _reopenLiteDb |= e is not IOException;
            LogCheckpointFailed(e);
        }
    }

    /// <summary>Brings LiteDB's file up to the journal, then starts a new segment and hands the old one to the syncer for deleting.</summary>
    private void RetireJournal()
    {
        _faults.BeforeCheckpoint();
        _applier.WriteEverythingToLiteDb();
        _journalBytesSinceRetired = 0;
        var retired = _journal.Rotate();
        _syncQueue.Add(new SyncItem([], retired, _epoch, 0, Retire: true));

        // LiteDB now holds everything every older segment does: delete any still there (kept by a
        // read-only start, or a deletion that failed). A leftover would be replayed after a crash,
        // and could bring back a document whose delete was in a segment since deleted.
        foreach (string segment in WriteJournal.FindSegments(_journal.Folder))
        {
            if (string.CompareOrdinal(Path.GetFileName(segment), Path.GetFileName(retired.Path)) < 0)
            {
                TryDelete(segment);
            }
        }
    }

    /// <summary>
    /// After a failed write: retiring the journal makes what LiteDB holds durable, and writes may be
    /// acknowledged again. Tried at most every <see cref="HealInterval"/>: while the disk stays full
    /// the writes in between fail at once. If LiteDB itself failed, it is opened again first.
    /// </summary>
    private bool TryHeal(List<WriteRequest> batch)
    {
        if (_lastFailedHeal != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(_lastFailedHeal) < HealInterval)
        {
            Fail(batch, new IOException(_lastError ?? "Storage writes are failing."), log: false);
            return false;
        }

        try
        {
            if (DiskSpace.FreeBytes(_journal.Folder) is { } free && free < DiskSpace.MinimumFreeBytes)
            {
                throw new IOException($"No space left on the data folder's disk: {free:N0} bytes free, at least {DiskSpace.MinimumFreeBytes:N0} needed to write.");
            }

            if (_reopenLiteDb)
            {
                _file.Reopen();
                _reopenLiteDb = false;
            }

            RetireJournal();
            _epoch++;
            _lastFailedHeal = 0;
            if (batch.Count == 0)
            {
                Recovered();
            }

            return true;
        }
        catch (Exception e)
        {
            _lastFailedHeal = System.Diagnostics.Stopwatch.GetTimestamp();
            _reopenLiteDb |= e is not IOException;
            Fail(batch, e, log: batch.Count > 0 || _lastError != e.Message);
            return false;
        }
    }

    /// <summary>Opens LiteDB again after a failure that may have left its engine unusable.</summary>
    private bool TryReopen(List<WriteRequest> batch)
    {
        try
        {
            _file.Reopen();
            _reopenLiteDb = false;
            return true;
        }
        catch (Exception e)
        {
            Fail(batch, e);
            return false;
        }
    }

    private void TryDelete(string segment)
    {
        try
        {
            File.Delete(segment);
        }
        catch (Exception e)
        {
            LogDeleteFailed(e, segment);
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
                    MarkFailed(Math.Max(_failedEpoch, items.Max(i => i.Epoch)));
                    break;
                }
            }

            foreach (var item in items)
            {
                if (item.Retire)
                {
                    try
                    {
                        _faults.BeforeRetire();
                        item.Segment.Delete();
                    }
                    catch (Exception e)
                    {
                        // LiteDB already holds everything it has; a later start replays it idempotently.
                        LogDeleteFailed(e, item.Segment.Path);
                    }
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
        Recovered();

        _metrics.RecordWrite(item.Requests.Length, System.Diagnostics.Stopwatch.GetElapsedTime(item.Started));
        foreach (var request in item.Requests)
        {
            request.Completion.TrySetResult();
        }
    }

    private void Recovered()
    {
        if (_lastError is not null)
        {
            _lastError = null;
            LogWritesRecovered();
        }
    }

    private void Fail(IReadOnlyCollection<WriteRequest> requests, Exception e, bool log = true)
    {
        _lastError = e.Message;
        if (log)
        {
            LogWriteFailed(e, requests.Count);
        }

        var failure = new StorageUnavailableException("The write did not become durable.", e);
        foreach (var request in requests)
        {
            request.Completion.TrySetException(failure);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A storage write of {RequestCount} requests failed; none of it is acknowledged")]
    private partial void LogWriteFailed(Exception exception, int requestCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting the retired journal segment {Segment} failed; it is replayed (idempotently) at the next start")]
    private partial void LogDeleteFailed(Exception exception, string segment);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage writes succeed again")]
    private partial void LogWritesRecovered();

    [LoggerMessage(Level = LogLevel.Warning, Message = "A LiteDB checkpoint failed; the journal keeps every write until the next one succeeds")]
    private partial void LogCheckpointFailed(Exception exception);

    private sealed class WriteRequest(JournalRecord? record, Action<List<Action>>? write)
    {
        /// <summary>The journal record (applied to LiteDB and journaled); null for LiteDB-only writes (snapshots).</summary>
        public JournalRecord? Record { get; } = record;

        /// <summary>A LiteDB-only write, after the record, given the transaction's after-commit list.</summary>
        public Action<List<Action>>? Write { get; } = write;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record SyncItem(WriteRequest[] Requests, WriteJournal.Segment Segment, int Epoch, long Started, bool Retire);
}
