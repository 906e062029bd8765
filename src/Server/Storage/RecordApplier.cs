using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>
/// Journal records applied to LiteDB, as live writes on the writer thread or replayed after a
/// crash, and what waits in memory written to LiteDB when the journal is retired. A live write
/// moves memory (waiting ops, document progress, known documents) only once its transaction
/// commits, through the after-commit list its caller runs then; a replayed one adds the ops
/// LiteDB does not hold yet and moves the document row at once (the replay is one transaction
/// that nobody reads until it ends).
/// </summary>
internal sealed class RecordApplier(LiteDbFile file, OpRowBuffer ops, DocumentRowCache documentRows)
{
    private readonly LiteDbFile _file = file;

    private readonly OpRowBuffer _ops = ops;

    private readonly DocumentRowCache _documentRows = documentRows;

    // Documents the writer has seen exist (writer thread only), so an append needs no document row lookup.
    private readonly HashSet<string> _knownDocuments = new(StringComparer.Ordinal);

    /// <summary>
    /// The document a live write's record needs and cannot find in the transaction in progress,
    /// else null: an append or a named version needs its document, which may have been deleted
    /// (before, or earlier in the same batch: <paramref name="deletedInBatch"/>). Checked first, so
    /// that one such write fails alone instead of failing every document's writes in the batch.
    /// </summary>
    public string? MissingDocument(JournalRecord record, HashSet<string> deletedInBatch)
    {
        string? documentId = record switch
        {
            AppendRecord append => append.DocumentId,
            VersionRecord version => version.VersionRow["doc"].AsString,
            _ => null,
        };
        bool present = documentId is null
            || (!deletedInBatch.Contains(documentId) && (_knownDocuments.Contains(documentId) || _file.Documents.FindById(documentId) is not null));
        return present ? null : documentId;
    }

    /// <summary>Applies a live write's record in the writer's transaction; <paramref name="afterCommit"/> gets the memory changes to make once it commits.</summary>
    public void Apply(JournalRecord record, List<Action> afterCommit) => _ = ApplyRecord(record, afterCommit);

    /// <summary>
    /// Applies one record read back from the journal. Replaying (after a crash) makes every record
    /// idempotent, because LiteDB may already hold it: its checkpoint may have come after the
    /// record, or its own log may have reached the disk. Returns false for a record skipped because
    /// LiteDB already had it or a later record deleted its document.
    /// </summary>
    public bool Replay(JournalRecord record) => ApplyRecord(record, afterCommit: null);

    /// <summary>Stores a snapshot row built off the writer thread; the document's progress moves once the transaction commits.</summary>
    public void WriteSnapshot(string documentId, BsonDocument row, int revision, List<Action> afterCommit)
    {
        _file.Snapshots.Upsert(row);
        afterCommit.Add(() => _documentRows.Advance(documentId, new DocumentProgress(0, 0, revision)));
    }

    /// <summary>Writes every waiting op and every document's progress to LiteDB and checkpoints it: its file alone then holds what the journal does.</summary>
    public void WriteEverythingToLiteDb()
    {
        _ops.WriteAllRows();
        _documentRows.WriteRows();
        _file.Checkpoint();
    }

    /// <summary>A live write when given <paramref name="afterCommit"/>, a replayed one without.</summary>
    private bool ApplyRecord(JournalRecord record, List<Action>? afterCommit)
    {
        bool replay = afterCommit is null;
        switch (record)
        {
            case CreateRecord create:
                string createdId = create.DocumentId;
                if (replay && _file.Documents.FindById(createdId) is not null)
                {
                    return false;
                }

                _file.Documents.Insert(create.DocumentRow);
                _file.Snapshots.Upsert(create.Snapshot);
                afterCommit?.Add(() => _knownDocuments.Add(createdId));
                break;
            case AppendRecord append:
                return replay ? ReplayAppend(append) : ApplyAppend(append, afterCommit!);
            case VersionRecord version:
                _file.Versions.Upsert(version.VersionRow);
                break;
            case DeleteRecord delete:
                string deleted = delete.DocumentId;
                void Forget()
                {
                    _ = _knownDocuments.Remove(deleted);
                    _documentRows.Forget(deleted);
                    _ops.Forget(deleted);
                }

                // A replay's later records must not find the document's ops waiting.
                if (replay)
                {
                    Forget();
                }
                else
                {
                    afterCommit!.Add(Forget);
                }

                _file.Documents.Delete(deleted);
                _file.Ops.DeleteMany(BsonMapping.KeyRange(deleted));
                _file.Snapshots.DeleteMany(BsonMapping.KeyRange(deleted));
                _file.Versions.DeleteMany(Query.EQ("doc", deleted));
                break;
            default:
                throw new InvalidDataException($"Unknown journal record {record.GetType().Name}.");
        }

        return true;
    }

    private bool ApplyAppend(AppendRecord append, List<Action> afterCommit)
    {
        string documentId = append.DocumentId;
        if (!_knownDocuments.Contains(documentId))
        {
            // Live writes never append to a missing document.
            _ = _file.Documents.FindById(documentId) ?? throw new InvalidOperationException($"Document {documentId} is missing.");
            afterCommit.Add(() => _knownDocuments.Add(documentId));
        }

        // The ops wait in memory (readers see them) until a row's worth is written.
        var progress = ProgressOf(append);
        afterCommit.Add(() => _ops.Add(documentId, append.Ops));
        afterCommit.Add(() => _documentRows.Advance(documentId, progress));
        return true;
    }

    private bool ReplayAppend(AppendRecord append)
    {
        string documentId = append.DocumentId;
        var row = _file.Documents.FindById(documentId);
        if (row is null)
        {
            return false; // Deleted later in the journal.
        }

        // LiteDB holds a prefix of each document's ops (rows are written in order, and
        // its log keeps whole transactions in order): add only what comes after it.
        int stored = _ops.StoredThrough(documentId);
        var missing = new BsonArray(append.Ops.Where(op => op.AsDocument["rev"].AsInt32 > stored));
        if (missing.Count > 0)
        {
            _ops.Add(documentId, missing);
        }

        _documentRows.WriteRow(row, ProgressOf(append));
        return true;
    }

    /// <summary>Where an append moves its document: to its last op's revision and time.</summary>
    private static DocumentProgress ProgressOf(AppendRecord append) =>
        new(append.Last["rev"].AsInt32, append.Last["ts"].AsInt64, 0, append.StoredBytes);
}
