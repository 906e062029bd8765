using System.Buffers;
using System.Collections.Concurrent;
using CollabEdit.Server.Diagnostics;
using LiteDB;

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

    private long _journalBytesSinceRetired;

    // A failed fdatasync may have dropped any page written before it, so after one no write is
    // acknowledged until retiring the journal has made LiteDB durable again. Writes carry the epoch they
    // were made in; the syncer fails every write of an epoch at or before a failed sync.
    private volatile int _epoch;

    private volatile int _failedEpoch = -1;

    private volatile string? _lastError;

    /// <summary>Starts the writer and syncer threads over a LiteDB file already caught up with the journal.</summary>
    public StorageWriter(
        LiteDbFile file,
        OpRowBuffer ops,
        RecordApplier applier,
        WriteJournal journal,
        long checkpointBytes,
        IWriteFaultInjector faults,
        CollabEditMetrics metrics,
        ILogger log)
    {
        _file = file;
        _ops = ops;
        _applier = applier;
        _journal = journal;
        _checkpointBytes = checkpointBytes;
        _faults = faults;
        _metrics = metrics;
        _log = log;
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
    public Task ConfirmDurableAsync() => _failedEpoch >= _epoch ? WriteAsync(null) : Task.CompletedTask;

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
            _file.InTransaction(() =>
            {
                foreach (var request in batch)
                {
                    if (request.Record is { } record)
                    {
                        _applier.Apply(record, _afterCommit);
                    }

                    request.Write?.Invoke(_afterCommit);
                }

                _faults.BeforeCommit();
            });
        }
        catch (Exception e)
        {
            _afterCommit.Clear();
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
                    WriteJournal.Frame(record.ToBson(), _frames);
                }
            }

            segment = _journal.Append(_frames.WrittenSpan);
            _journalBytesSinceRetired += _frames.WrittenCount;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // LiteDB has it but the journal does not: acknowledge nothing until a checkpoint.
            _failedEpoch = _epoch;
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
                _file.Checkpoint();
            }
        }
        catch (Exception e) when (e is IOException or LiteException)
        {
            // The journal keeps everything; the next checkpoint tries again.
            LogCheckpointFailed(e);
        }
    }

    /// <summary>Brings LiteDB's file up to the journal, then starts a new segment and hands the old one to the syncer for deleting.</summary>
    private void RetireJournal()
    {
        _applier.WriteEverythingToLiteDb();
        _journalBytesSinceRetired = 0;
        var retired = _journal.Rotate();
        _syncQueue.Add(new SyncItem([], retired, _epoch, 0, Retire: true));
    }

    /// <summary>After a failed sync: retiring the journal makes what LiteDB holds durable, and writes may be acknowledged again.</summary>
    private bool TryHeal(List<WriteRequest> batch)
    {
        try
        {
            RetireJournal();
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

    [LoggerMessage(Level = LogLevel.Error, Message = "A storage write of {RequestCount} requests failed; none of it is acknowledged")]
    private partial void LogWriteFailed(Exception exception, int requestCount);

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
