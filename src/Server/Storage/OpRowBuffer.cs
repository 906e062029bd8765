using System.Collections.Concurrent;
using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>
/// The op log: ops waiting in memory and LiteDB's op rows, read together as one.
/// </summary>
/// <remarks>
/// <para>The op log in LiteDB holds rows of up to <see cref="MaxOpsPerRow"/> consecutive ops of one
/// document, keyed by the first one's revision (a row written by earlier builds holds one op, keyed
/// the same way). An append does not touch LiteDB: its ops wait in memory, where readers see them,
/// and the journal has them. Once a document has <see cref="OpsPerRow"/> waiting, the writer puts
/// them into one row after its batch, a few documents at a time; everything that still waits is
/// written when the journal is retired, and replayed from the journal after a crash. Each LiteDB
/// insert costs about as much per op whether the ops are in one <c>InsertBulk</c> or not (an index
/// node per row, 20–60 µs and tens of KiB of garbage), so only fewer rows make it cheaper.</para>
/// <para>Ops are added and written by the writer thread only (or before it starts and after it
/// ends); any thread reads.</para>
/// </remarks>
internal sealed partial class OpRowBuffer(LiteDbFile file, ILogger log)
{
    /// <summary>The most ops one LiteDB row holds: a reader looks this far back for the row holding a revision.</summary>
    internal const int MaxOpsPerRow = 64;

    /// <summary>A document's waiting ops become a row once this many wait.</summary>
    internal const int OpsPerRow = 32;

    /// <summary>A row stops growing past about this many bytes (LiteDB's limit for one row is 16 MiB; one op may be a 2 MB paste).</summary>
    internal const int MaxRowBytes = 1 << 20;

    /// <summary>Documents whose ops the writer puts into rows after one batch: bounds how long that holds up the next.</summary>
    private const int RowWritesPerBatch = 64;

    private readonly LiteDbFile _file = file;

    private readonly ILogger _log = log;

    // Ops committed to the journal's batch but not yet in a LiteDB row, per document, oldest first.
    // Changed by the writer thread only (after its transaction commits); read by any thread.
    private readonly ConcurrentDictionary<string, WaitingOps> _waitingOps = new(StringComparer.Ordinal);

    // Documents with at least OpsPerRow ops waiting, in the order they got there (writer thread only).
    private readonly Queue<string> _fullDocuments = new();

    /// <summary>The ops with <paramref name="afterRevision"/> &lt; revision ≤ <paramref name="toRevision"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<StoredOp> Read(string documentId, int afterRevision, int toRevision, int limit)
    {
        if (toRevision <= afterRevision || limit <= 0)
        {
            return [];
        }

        // Waiting ops first: an op leaves them only once its row has committed, so whatever is not
        // here any more is in LiteDB when it is read next. Both may hold an op for a moment.
        var waiting = _waitingOps.TryGetValue(documentId, out var pending) ? pending.ToArray() : [];
        var ops = new List<StoredOp>();
        int next = afterRevision + 1;
        int firstRow = Math.Max(0, next - MaxOpsPerRow + 1);
        foreach (var row in _file.Ops.Find(BsonMapping.KeyRange(documentId, firstRow, toRevision)))
        {
            if (!TakeOps(OpsOf(row), ops, ref next, toRevision, limit))
            {
                return ops;
            }
        }

        _ = TakeOps(waiting, ops, ref next, toRevision, limit);
        return ops;
    }

    /// <summary>Adds a committed append's ops to the waiting ones (writer thread, after the commit; or during the replay).</summary>
    public void Add(string documentId, BsonArray ops)
    {
        var pending = _waitingOps.GetOrAdd(documentId, _ => new WaitingOps());
        if (pending.Add(ops) >= OpsPerRow && !pending.Queued)
        {
            pending.Queued = true;
            _fullDocuments.Enqueue(documentId);
        }
    }

    /// <summary>Drops a deleted document's waiting ops.</summary>
    public void Forget(string documentId) => _waitingOps.TryRemove(documentId, out _);

    /// <summary>The newest revision LiteDB or the waiting ops hold for a document (0 for none): the replay skips what it has.</summary>
    public int StoredThrough(string documentId) => LastStoredOp(documentId)?["rev"].AsInt32 ?? 0;

    /// <summary>The newest op LiteDB or the waiting ops hold for a document.</summary>
    public BsonDocument? LastStoredOp(string documentId)
    {
        if (_waitingOps.TryGetValue(documentId, out var pending) && pending.Last is { } waiting)
        {
            return waiting;
        }

        return BsonMapping.LastRow(_file.Ops, documentId) is { } row ? OpsOf(row).Last() : null;
    }

    /// <summary>After a batch: puts the ops of a few documents that have a row's worth waiting into rows.</summary>
    public void WriteFullRows()
    {
        if (_fullDocuments.Count == 0)
        {
            return;
        }

        var documents = new List<string>(RowWritesPerBatch);
        while (documents.Count < RowWritesPerBatch && _fullDocuments.TryDequeue(out string? documentId))
        {
            // A document deleted and created again under its id may be queued twice.
            if (_waitingOps.TryGetValue(documentId, out var pending) && !documents.Contains(documentId))
            {
                pending.Queued = false;
                documents.Add(documentId);
            }
        }

        try
        {
            WriteRows(documents);
        }
        catch (Exception e) when (e is IOException or LiteException)
        {
            // The journal keeps the ops; they are written with the next op rows or when the journal is retired.
            LogOpRowsFailed(e);
        }
    }

    /// <summary>Puts every waiting op into op rows (when the journal is retired).</summary>
    public void WriteAllRows()
    {
        // If this fails, the documents queue up again with their next append.
        _fullDocuments.Clear();
        foreach (var pending in _waitingOps.Values)
        {
            pending.Queued = false;
        }

        WriteRows([.. _waitingOps.Keys]);
    }

    /// <summary>Consecutive ops cut into rows of at most <see cref="MaxOpsPerRow"/> ops and about <see cref="MaxRowBytes"/> of BSON (an op bigger than that gets a row of its own).</summary>
    internal static IEnumerable<BsonDocument> CutIntoRows(string documentId, BsonDocument[] ops)
    {
        int start = 0;
        while (start < ops.Length)
        {
            int end = start + 1;
            long bytes = EstimatedBytes(ops[start]);
            while (end < ops.Length && end - start < MaxOpsPerRow && (bytes += EstimatedBytes(ops[end])) <= MaxRowBytes)
            {
                end++;
            }

            yield return new BsonDocument
            {
                ["_id"] = BsonMapping.Key(documentId, ops[start]["rev"].AsInt32),
                ["doc"] = documentId,
                ["ops"] = new BsonArray(ops[start..end]),
            };
            start = end;
        }
    }

    /// <summary>A stored op's size in BSON, from above (<see cref="BsonMapping.StoredOpBytesBound"/>), counting the op and the op as sent.</summary>
    internal static long EstimatedBytes(BsonDocument op)
    {
        long components = 0;
        long textUnits = 0;
        foreach (string field in (ReadOnlySpan<string>)["op", "sent"])
        {
            if (op.TryGetValue(field, out var array))
            {
                foreach (var component in array.AsArray)
                {
                    components++;
                    textUnits += component.IsString ? component.AsString.Length : 0;
                }
            }
        }

        return BsonMapping.StoredOpBytesBound(components, textUnits);
    }

    private static IEnumerable<BsonDocument> OpsOf(BsonDocument row) =>
        row.TryGetValue("ops", out var ops) ? ops.AsArray.Select(op => op.AsDocument) : [row];

    /// <summary>Adds the ops from revision <paramref name="next"/> on; false once past <paramref name="toRevision"/> or <paramref name="limit"/>.</summary>
    private static bool TakeOps(IEnumerable<BsonDocument> source, List<StoredOp> ops, ref int next, int toRevision, int limit)
    {
        foreach (var op in source)
        {
            int revision = op["rev"].AsInt32;
            if (revision < next)
            {
                continue;
            }

            if (revision > toRevision || ops.Count >= limit)
            {
                return false;
            }

            ops.Add(BsonMapping.ToStoredOp(op));
            next = revision + 1;
        }

        return ops.Count < limit;
    }

    /// <summary>Writes the documents' waiting ops as rows in one transaction; once it commits, they stop waiting.</summary>
    private void WriteRows(List<string> documentIds)
    {
        var written = new List<(WaitingOps Pending, int Through)>(documentIds.Count);
        _file.InTransaction(() =>
        {
            foreach (string documentId in documentIds)
            {
                if (!_waitingOps.TryGetValue(documentId, out var pending) || pending.ToArray() is not { Length: > 0 } ops)
                {
                    continue;
                }

                foreach (var row in CutIntoRows(documentId, ops))
                {
                    _file.Ops.Insert(row);
                }

                written.Add((pending, ops[^1]["rev"].AsInt32));
            }
        });

        foreach (var (pending, through) in written)
        {
            pending.RemoveThrough(through);
        }

        foreach (string documentId in documentIds)
        {
            // Only the writer adds, so an empty entry stays empty until removed.
            if (_waitingOps.TryGetValue(documentId, out var pending) && pending.Last is null)
            {
                _ = _waitingOps.TryRemove(documentId, out _);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing waiting ops to LiteDB failed; the journal keeps them until the next try")]
    private partial void LogOpRowsFailed(Exception exception);

    /// <summary>One document's waiting ops, oldest first.</summary>
    private sealed class WaitingOps
    {
        private readonly Lock _gate = new();
        private readonly List<BsonDocument> _ops = [];

        /// <summary>In <see cref="_fullDocuments"/> (writer thread only).</summary>
        public bool Queued { get; set; }

        public BsonDocument? Last
        {
            get
            {
                lock (_gate)
                {
                    return _ops.Count == 0 ? null : _ops[^1];
                }
            }
        }

        /// <summary>Adds ops after the last; returns how many wait now.</summary>
        public int Add(BsonArray ops)
        {
            lock (_gate)
            {
                foreach (var op in ops)
                {
                    _ops.Add(op.AsDocument);
                }

                return _ops.Count;
            }
        }

        public BsonDocument[] ToArray()
        {
            lock (_gate)
            {
                return [.. _ops];
            }
        }

        public void RemoveThrough(int revision)
        {
            lock (_gate)
            {
                int count = 0;
                while (count < _ops.Count && _ops[count]["rev"].AsInt32 <= revision)
                {
                    count++;
                }

                _ops.RemoveRange(0, count);
            }
        }
    }
}
