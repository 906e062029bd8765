using CollabEdit.Ot;
using CollabEdit.Server.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Server.Tests.History;

/// <summary>
/// The server's storage, counting the ops read per document, with a hook run before each read of
/// ops (a test can hold a read there until it has made the client go).
/// </summary>
internal sealed class CountingStorage(IDocumentStorage inner) : IDocumentStorage
{
    private readonly Dictionary<string, int> _opsRead = new(StringComparer.Ordinal);

    /// <summary>Over the server's own storage, whichever backend it runs on.</summary>
    public static CountingStorage Over(IServiceProvider services) =>
        new((IDocumentStorage?)services.GetService<CollabEdit.Server.Storage.Postgres.PostgresDocumentStorage>() ?? services.GetRequiredService<DocumentStore>());

    /// <summary>Runs before each ReadOps, with the document id.</summary>
    public Action<string>? BeforeRead { get; set; }

    public int OpsRead(string documentId)
    {
        lock (_opsRead)
        {
            return _opsRead.GetValueOrDefault(documentId);
        }
    }

    public void Reset(string documentId)
    {
        lock (_opsRead)
        {
            _opsRead.Remove(documentId);
        }
    }

    public string? LastError => inner.LastError;

    public string Location => inner.Location;

    public bool IsShared => inner.IsShared;

    public long MaxStoredOpBytes => inner.MaxStoredOpBytes;

    public long StoredOpBytesBound(long committedComponents, long sentComponents, long insertedUnits) => inner.StoredOpBytesBound(committedComponents, sentComponents, insertedUnits);

    public Task CreateDocumentAsync(StoredDocument document, string text, Authorship? authorship = null) => inner.CreateDocumentAsync(document, text, authorship);

    public Task AppendAsync(string documentId, IReadOnlyList<StoredOp> ops, Snapshot? snapshot, long storedBytes = 0) => inner.AppendAsync(documentId, ops, snapshot, storedBytes);

    public Task WriteSnapshotAsync(string documentId, Snapshot snapshot) => inner.WriteSnapshotAsync(documentId, snapshot);

    public Task AddVersionAsync(string documentId, NamedVersion version) => inner.AddVersionAsync(documentId, version);

    public Task DeleteDocumentAsync(string documentId) => inner.DeleteDocumentAsync(documentId);

    public Task ConfirmDurableAsync() => inner.ConfirmDurableAsync();

    public StoredDocument? GetDocument(string documentId) => inner.GetDocument(documentId);

    public IReadOnlyList<StoredDocument> ListDocuments() => inner.ListDocuments();

    public IReadOnlyList<StoredOp> ReadOps(string documentId, int afterRevision, int toRevision, int limit = int.MaxValue)
    {
        BeforeRead?.Invoke(documentId);
        var ops = inner.ReadOps(documentId, afterRevision, toRevision, limit);
        lock (_opsRead)
        {
            _opsRead[documentId] = _opsRead.GetValueOrDefault(documentId) + ops.Count;
        }

        return ops;
    }

    public Task<IReadOnlyList<StoredOp>> ReadOpsAsync(string documentId, int afterRevision, int toRevision, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(ReadOps(documentId, afterRevision, toRevision, limit));

    public Snapshot? GetSnapshot(string documentId, int revision) => inner.GetSnapshot(documentId, revision);

    public Snapshot? LatestSnapshot(string documentId, int revision) => inner.LatestSnapshot(documentId, revision);

    public Snapshot? LatestAuthoredSnapshot(string documentId, int revision) => inner.LatestAuthoredSnapshot(documentId, revision);

    public string TextAt(string documentId, int revision)
    {
        var snapshot = LatestSnapshot(documentId, revision)!;
        return new TextDocumentReplay(snapshot.Text, ReadOps(documentId, snapshot.Revision, revision)).Text;
    }

    public IReadOnlyList<NamedVersion> ListVersions(string documentId) => inner.ListVersions(documentId);

    private sealed class TextDocumentReplay(string text, IReadOnlyList<StoredOp> ops)
    {
        public string Text { get; } = ops.Aggregate(text, (t, op) => op.Operation.Apply(t));
    }
}
