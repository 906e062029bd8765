namespace CollabEdit.Server.Storage;

/// <summary>A document row's revision, last update (Unix ms), snapshot revision and stored history bytes, not yet written to LiteDB.</summary>
internal readonly record struct DocumentProgress(int Revision, long Updated, int Snapshot, long StoredBytes = 0)
{
    public DocumentProgress Merge(DocumentProgress other) =>
        new(Math.Max(Revision, other.Revision), Math.Max(Updated, other.Updated), Math.Max(Snapshot, other.Snapshot), Math.Max(StoredBytes, other.StoredBytes));

    /// <summary>The document as its row says, moved forward (never back) by this progress.</summary>
    public StoredDocument AppliedTo(StoredDocument document) => document with
    {
        Revision = Math.Max(document.Revision, Revision),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(document.UpdatedAt.ToUnixTimeMilliseconds(), Updated)),
        SnapshotRevision = Math.Max(document.SnapshotRevision, Snapshot),
        StoredBytes = Math.Max(document.StoredBytes, StoredBytes),
    };
}
