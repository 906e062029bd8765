using System.Collections.Concurrent;
using LiteDB;

namespace CollabEdit.Server.Storage;

/// <remarks>
/// Document progress: each document's revision, last update and snapshot revision as appends and
/// snapshots move them, kept in memory (readers merge it in) and written to the document rows only
/// when the journal is retired; the journal has every append meanwhile.
/// </remarks>
public sealed partial class DocumentStore
{
    // Each document's revision, last update and snapshot revision as appends and snapshots move
    // them, ahead of its document row, which is written only when the journal is retired (the
    // journal has every append meanwhile): an append writes just its ops. Readers merge these in; every field only
    // grows, so a reader that looks here first and at the row second never goes backwards.
    private readonly ConcurrentDictionary<string, DocumentProgress> _progress = new(StringComparer.Ordinal);

    /// <summary>Moves a document's progress in memory, for readers and the document row's next write, once the transaction commits.</summary>
    private void AdvanceProgress(string documentId, DocumentProgress update) =>
        _afterCommit.Add(() => _progress.AddOrUpdate(documentId, update, (_, pending) => pending.Merge(update)));

    private static StoredDocument WithProgress(StoredDocument document, DocumentProgress? update) => update is not { } u ? document : document with
    {
        Revision = Math.Max(document.Revision, u.Revision),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(document.UpdatedAt.ToUnixTimeMilliseconds(), u.Updated)),
        SnapshotRevision = Math.Max(document.SnapshotRevision, u.Snapshot),
    };

    /// <summary>Moves a LiteDB row's revision, last update and snapshot revision forward (never back) and writes it.</summary>
    private void WriteDocumentRow(BsonDocument row, DocumentProgress update)
    {
        row["rev"] = Math.Max(row["rev"].AsInt32, update.Revision);
        row["updated"] = Math.Max(row["updated"].AsInt64, update.Updated);
        row["snap"] = Math.Max(row.TryGetValue("snap", out var snap) ? snap.AsInt32 : 0, update.Snapshot);
        _documents.Update(row);
    }

    /// <summary>Writes the progress appends and snapshots made into the document rows (when the journal is retired; one thread at a time).</summary>
    private void WriteDocumentRows()
    {
        if (_progress.IsEmpty)
        {
            return;
        }

        var flushed = _progress.ToArray();
        _db.BeginTrans();
        try
        {
            foreach (var (documentId, update) in flushed)
            {
                if (_documents.FindById(documentId) is { } row)
                {
                    WriteDocumentRow(row, update);
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
            _ = _progress.TryRemove(entry); // only if unchanged since
        }
    }

    /// <summary>A document row's revision, last update (Unix ms) and snapshot revision, not yet written to LiteDB.</summary>
    private readonly record struct DocumentProgress(int Revision, long Updated, int Snapshot)
    {
        public DocumentProgress Merge(DocumentProgress other) =>
            new(Math.Max(Revision, other.Revision), Math.Max(Updated, other.Updated), Math.Max(Snapshot, other.Snapshot));
    }
}
