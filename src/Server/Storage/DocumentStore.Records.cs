using LiteDB;

namespace CollabEdit.Server.Storage;

/// <remarks>
/// One journal record applied to LiteDB, as a live write on the writer thread or replayed after a
/// crash. A live append only moves memory once its transaction commits (waiting ops, document
/// progress); a replayed one adds the ops LiteDB does not hold yet.
/// </remarks>
public sealed partial class DocumentStore
{
    // Documents the writer has seen exist (writer thread only), so an append needs no document row lookup.
    private readonly HashSet<string> _knownDocuments = new(StringComparer.Ordinal);

    /// <summary>
    /// Applies one journal record to LiteDB. Replaying (after a crash) makes every record
    /// idempotent, because LiteDB may already hold it: its checkpoint may have come after the
    /// record, or its own log may have reached the disk. Returns false for a record that a replay
    /// skipped because LiteDB already had it or a later record deleted its document.
    /// </summary>
    private bool Apply(JournalRecord record, bool replay)
    {
        switch (record)
        {
            case CreateRecord create:
                string createdId = create.DocumentId;
                if (replay && _documents.FindById(createdId) is not null)
                {
                    return false;
                }

                _documents.Insert(create.DocumentRow);
                _snapshots.Upsert(create.Snapshot);
                if (!replay)
                {
                    _afterCommit.Add(() => _knownDocuments.Add(createdId));
                }

                break;
            case AppendRecord append:
                return ApplyAppend(append, replay);
            case VersionRecord version:
                _versions.Upsert(version.VersionRow);
                break;
            case DeleteRecord delete:
                string deleted = delete.DocumentId;
                void Forget()
                {
                    _ = _knownDocuments.Remove(deleted);
                    _ = _progress.TryRemove(deleted, out _);
                    _ = _waitingOps.TryRemove(deleted, out _);
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
                throw new InvalidDataException($"Unknown journal record {record.GetType().Name}.");
        }

        return true;
    }

    private bool ApplyAppend(AppendRecord append, bool replay)
    {
        string documentId = append.DocumentId;
        var last = append.Last;
        if (!replay)
        {
            if (!_knownDocuments.Contains(documentId))
            {
                // Live writes never append to a missing document.
                _ = _documents.FindById(documentId) ?? throw new InvalidOperationException($"Document {documentId} is missing.");
                _afterCommit.Add(() => _knownDocuments.Add(documentId));
            }

            // The ops wait in memory (readers see them) until a row's worth is written.
            _afterCommit.Add(() => AddWaitingOps(documentId, append.Ops));
            AdvanceProgress(documentId, new DocumentProgress(last["rev"].AsInt32, last["ts"].AsInt64, 0));
            return true;
        }

        var row = _documents.FindById(documentId);
        if (row is null)
        {
            return false; // Deleted later in the journal.
        }

        // LiteDB holds a prefix of each document's ops (rows are written in order, and
        // its log keeps whole transactions in order): add only what comes after it.
        int stored = StoredThrough(documentId);
        var missing = new BsonArray(append.Ops.Where(op => op.AsDocument["rev"].AsInt32 > stored));
        if (missing.Count > 0)
        {
            AddWaitingOps(documentId, missing);
        }

        WriteDocumentRow(row, new DocumentProgress(last["rev"].AsInt32, last["ts"].AsInt64, 0));
        return true;
    }
}
