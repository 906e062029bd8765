using System.Collections.Concurrent;
using LiteDB;

namespace CollabEdit.Server.Storage;

/// <summary>
/// Each document's progress (revision, last update, snapshot revision) as appends and snapshots
/// move it, ahead of its document row, which is written only when the journal is retired (the
/// journal has every append meanwhile): an append writes just its ops. Readers merge the progress
/// in; every field only grows, so a reader that looks here first and at the row second never goes
/// backwards.
/// </summary>
internal sealed class DocumentRowCache(LiteDbFile file)
{
    private readonly LiteDbFile _file = file;

    private readonly ConcurrentDictionary<string, DocumentProgress> _progress = new(StringComparer.Ordinal);

    /// <summary>Moves a document's progress, for readers and the document row's next write (writer thread, once the transaction that moved it commits).</summary>
    public void Advance(string documentId, DocumentProgress update) =>
        _progress.AddOrUpdate(documentId, update, (_, pending) => pending.Merge(update));

    /// <summary>The progress not yet in the document's row, if any; read it before the row.</summary>
    public DocumentProgress? Find(string documentId) => _progress.TryGetValue(documentId, out var update) ? update : null;

    /// <summary>Every document's progress not yet in its row, as of now; read it before the rows.</summary>
    public Dictionary<string, DocumentProgress> Copy() => new(_progress, StringComparer.Ordinal);

    /// <summary>Drops a deleted document's progress.</summary>
    public void Forget(string documentId) => _progress.TryRemove(documentId, out _);

    /// <summary>Moves a LiteDB row's revision, last update and snapshot revision forward (never back) and writes it (in the caller's transaction).</summary>
    public void WriteRow(BsonDocument row, DocumentProgress update)
    {
        row["rev"] = Math.Max(row["rev"].AsInt32, update.Revision);
        row["updated"] = Math.Max(row["updated"].AsInt64, update.Updated);
        row["snap"] = Math.Max(row.TryGetValue("snap", out var snap) ? snap.AsInt32 : 0, update.Snapshot);
        long bytes = Math.Max(row.TryGetValue("bytes", out var stored) ? stored.AsInt64 : 0, update.StoredBytes);
        if (bytes > 0)
        {
            row["bytes"] = bytes;
        }

        _file.Documents.Update(row);
    }

    /// <summary>Writes the progress appends and snapshots made into the document rows (when the journal is retired; one thread at a time).</summary>
    public void WriteRows()
    {
        if (_progress.IsEmpty)
        {
            return;
        }

        var flushed = _progress.ToArray();
        _file.InTransaction(() =>
        {
            foreach (var (documentId, update) in flushed)
            {
                if (_file.Documents.FindById(documentId) is { } row)
                {
                    WriteRow(row, update);
                }
            }
        });

        foreach (var entry in flushed)
        {
            _ = _progress.TryRemove(entry); // only if unchanged since
        }
    }
}
