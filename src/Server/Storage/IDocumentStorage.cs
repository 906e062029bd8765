using CollabEdit.Ot;

namespace CollabEdit.Server.Storage;

/// <summary>
/// What the server needs from storage, whatever keeps it (LiteDB and a write journal today,
/// <see cref="DocumentStore"/>): documents with their metadata, each one's op log, snapshots of its
/// text, and named versions. The contract every implementation passes is
/// <c>tests/CollabEdit.Server.Tests/Storage/DocumentStorageContract.cs</c>; docs/storage.md
/// describes the LiteDB one.
/// </summary>
/// <remarks>
/// Writes complete once durable, or fail with <see cref="StorageUnavailableException"/> having
/// acknowledged nothing. Reads run on the caller's thread and see every completed write (and may
/// see writes still in progress, which callers never reveal before they complete). One caller at a
/// time appends to a document (its session), in revision order.
/// </remarks>
public interface IDocumentStorage
{
    /// <summary>Null while writes succeed; the reason after a write failed, until one succeeds again.</summary>
    string? LastError { get; }

    /// <summary>Where the data lives, for operators (a path, a connection's host).</summary>
    string Location { get; }

    /// <summary>
    /// True when other processes may append to the same documents (PostgreSQL): a session then reads
    /// what they committed before its own commits, and an append may fail with
    /// <see cref="RevisionConflictException"/>. False when this process is the only writer (LiteDB).
    /// </summary>
    bool IsShared { get; }

    /// <summary>
    /// The largest size a committed op may take in storage, as committed plus as sent: an op whose
    /// <see cref="StoredOpBytesBound"/> exceeds it must be refused before it is committed.
    /// </summary>
    long MaxStoredOpBytes { get; }

    /// <summary>
    /// An upper bound on the bytes an op takes in storage, stored as committed (at most
    /// <paramref name="committedComponents"/> components) and as sent (<paramref name="sentComponents"/>),
    /// both inserting <paramref name="insertedUnits"/> UTF-16 code units.
    /// </summary>
    long StoredOpBytesBound(long committedComponents, long sentComponents, long insertedUnits);

    /// <summary>
    /// Creates a document at revision 0 with <paramref name="text"/> (its first snapshot), written
    /// by <paramref name="authorship"/> (default: <see cref="UnknownAuthorship"/>).
    /// </summary>
    Task CreateDocumentAsync(StoredDocument document, string text, Authorship? authorship = null);

    /// <summary>
    /// Appends a group of committed ops (consecutive revisions, after the document's current one)
    /// durably and moves the document's revision and last update; <paramref name="snapshot"/>, if
    /// given, is the text after the last of them and need not be durable with them. A shared
    /// storage refuses the whole group with <see cref="RevisionConflictException"/> when another
    /// process already committed its first revision or one of its (clientId, seq).
    /// </summary>
    /// <remarks><paramref name="storedBytes"/>: the document's history bytes after these ops as its session counts them (<see cref="StoredDocument.StoredBytes"/>), kept with the revision; 0 when not counted.</remarks>
    Task AppendAsync(string documentId, IReadOnlyList<StoredOp> ops, Snapshot? snapshot, long storedBytes = 0);

    /// <summary>Stores a snapshot of a revision already appended (not necessarily durably: snapshots are derived).</summary>
    Task WriteSnapshotAsync(string documentId, Snapshot snapshot);

    /// <summary>Pins a name to a revision of the document.</summary>
    Task AddVersionAsync(string documentId, NamedVersion version);

    /// <summary>Deletes a document with its ops, snapshots and versions.</summary>
    Task DeleteDocumentAsync(string documentId);

    /// <summary>Completes once everything readers can see is durable (for answers that reveal a revision without a write).</summary>
    Task ConfirmDurableAsync();

    /// <summary>The document's metadata, or null if there is no such document.</summary>
    StoredDocument? GetDocument(string documentId);

    /// <summary>Every document's metadata, most recently updated first.</summary>
    IReadOnlyList<StoredDocument> ListDocuments();

    /// <summary>The ops with <paramref name="afterRevision"/> &lt; revision ≤ <paramref name="toRevision"/>, oldest first, at most <paramref name="limit"/>, each once.</summary>
    IReadOnlyList<StoredOp> ReadOps(string documentId, int afterRevision, int toRevision, int limit = int.MaxValue);

    /// <summary>
    /// <see cref="ReadOps"/> without holding a thread while the storage answers: a shared store
    /// reads over the network, and a session's loop must not block a thread-pool thread on it. A
    /// local store reads from memory and the page cache, so by default this is the same call.
    /// </summary>
    Task<IReadOnlyList<StoredOp>> ReadOpsAsync(string documentId, int afterRevision, int toRevision, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(ReadOps(documentId, afterRevision, toRevision, limit));

    /// <summary>The snapshot at exactly <paramref name="revision"/>; null if there is none.</summary>
    Snapshot? GetSnapshot(string documentId, int revision);

    /// <summary>The newest snapshot at or before <paramref name="revision"/>; null if there is none.</summary>
    Snapshot? LatestSnapshot(string documentId, int revision);

    /// <summary>
    /// The newest snapshot at or before <paramref name="revision"/> that holds its authorship; null
    /// if none does (a document from before authorship was kept: readers start at revision 0 with
    /// <see cref="UnknownAuthorship"/>).
    /// </summary>
    Snapshot? LatestAuthoredSnapshot(string documentId, int revision);

    /// <summary>The authorship of a text whose author nobody recorded: one span by the empty author, stamped with the document's creation.</summary>
    static Authorship UnknownAuthorship(StoredDocument document, string text) =>
        Authorship.Of(text.Length, "", document.CreatedAt.ToUnixTimeMilliseconds());

    /// <summary>The text at <paramref name="revision"/>.</summary>
    string TextAt(string documentId, int revision);

    /// <summary>The document's named versions, by revision.</summary>
    IReadOnlyList<NamedVersion> ListVersions(string documentId);
}
