using CollabEdit.Ot;
using CollabEdit.Server.Storage;

namespace CollabEdit.Server.Documents;

/// <summary>
/// Texts at any revision for the history reads: the newest snapshot at or before it plus the ops
/// after (at most the snapshot interval of them), so a read costs the same at r100 and r100,000.
/// Read in chunks, checking the request's cancellation between them.
/// </summary>
internal static class RevisionTexts
{
    private const int Chunk = 256;

    public static string At(IDocumentStorage store, string documentId, int revision, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var snapshot = store.LatestSnapshot(documentId, revision)
            ?? throw new InvalidOperationException($"Document {documentId} has no snapshot at or before {revision}.");
        var text = new TextDocument(snapshot.Text);
        ForEachOp(store, documentId, snapshot.Revision, revision, op => text.Apply(op.Operation), cancellationToken);
        return text.ToString();
    }

    /// <summary>Runs <paramref name="action"/> on the ops after <paramref name="after"/> up to <paramref name="to"/>, oldest first.</summary>
    public static void ForEachOp(IDocumentStorage store, string documentId, int after, int to, Action<StoredOp> action, CancellationToken cancellationToken)
    {
        while (after < to)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ops = store.ReadOps(documentId, after, to, Chunk);
            if (ops.Count == 0)
            {
                break;
            }

            foreach (var op in ops)
            {
                action(op);
            }

            after = ops[^1].Revision;
        }
    }
}
