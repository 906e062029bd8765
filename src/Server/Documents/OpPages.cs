using CollabEdit.Ot;
using CollabEdit.Server.Storage;

namespace CollabEdit.Server.Documents;

/// <summary>
/// Pages of committed ops bounded in bytes as well as in count: one answer (a Catchup, a history
/// page) must not grow with a document's history, since it is built whole in memory and sent as
/// one message. A page always holds at least one op, however large, so paging makes progress.
/// </summary>
internal static class OpPages
{
    /// <summary>Ops read from the store at a time while filling a page.</summary>
    private const int Chunk = 64;

    /// <summary>
    /// The ops after <paramref name="afterRevision"/> up to <paramref name="toRevision"/>, oldest
    /// first, at most <paramref name="maxCount"/> and (but for the first) at most <paramref name="maxBytes"/>
    /// by <see cref="EstimatedBytes(StoredOp)"/>; <paramref name="full"/> is true when it was cut short by bytes.
    /// </summary>
    public static List<StoredOp> Read(
        IDocumentStorage store, string documentId, int afterRevision, int toRevision, int maxCount, long maxBytes, out bool full, CancellationToken cancellationToken = default)
    {
        var page = new List<StoredOp>();
        long bytes = 0;
        full = false;
        int next = afterRevision;
        while (next < toRevision && page.Count < maxCount && !full)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var chunk = store.ReadOps(documentId, next, toRevision, Math.Min(Chunk, maxCount - page.Count));
            if (chunk.Count == 0)
            {
                break;
            }

            full = !TryAddAll(page, chunk, ref bytes, maxBytes);
            next = chunk[^1].Revision;
        }

        return page;
    }

    /// <summary>Adds <paramref name="ops"/> in order while they fit; false at the first that does not.</summary>
    public static bool TryAddAll(List<StoredOp> page, IEnumerable<StoredOp> ops, ref long bytes, long maxBytes)
    {
        foreach (var op in ops)
        {
            long size = EstimatedBytes(op);
            if (page.Count > 0 && bytes + size > maxBytes)
            {
                return false;
            }

            page.Add(op);
            bytes += size;
        }

        return true;
    }

    /// <summary>
    /// An upper bound of the op's size in a message: inserted text as UTF-8 (at most 3 bytes a
    /// UTF-16 unit), 5 bytes a component, and the revision, author, peer and time around it.
    /// </summary>
    public static long EstimatedBytes(StoredOp op) =>
        64 + (3L * (op.Author.Length + op.PeerId.Length)) + EstimatedBytes(op.Operation);

    /// <summary>The op's part of <see cref="EstimatedBytes(StoredOp)"/>: its inserted text as UTF-8 and 5 bytes a component.</summary>
    public static long EstimatedBytes(TextOperation operation)
    {
        long bytes = 0;
        foreach (var component in operation.Components)
        {
            bytes += component is Insert insert ? 5 + (3L * insert.Text.Length) : 5;
        }

        return bytes;
    }
}
