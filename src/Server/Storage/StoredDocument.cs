namespace CollabEdit.Server.Storage;

/// <summary>
/// A document's metadata row. <see cref="SnapshotRevision"/> is the revision of its newest
/// snapshot, so opening fetches that snapshot by key instead of searching for it.
/// <see cref="StoredBytes"/> is its history's size as its session counts it, for the storage quota.
/// </summary>
public sealed record StoredDocument(string Id, string Title, int Revision, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int SnapshotRevision = 0, long StoredBytes = 0);
