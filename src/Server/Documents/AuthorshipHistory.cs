using CollabEdit.Ot;
using CollabEdit.Protocol;
using CollabEdit.Server.Access;
using CollabEdit.Server.Storage;

namespace CollabEdit.Server.Documents;

/// <summary>
/// Who wrote what at a revision, read from storage: the newest snapshot at or before it that holds
/// its authorship, then the ops after it (at most <c>SnapshotInterval</c> of them once a document's
/// snapshots carry authorship; a document from before that replays from the newest one that does,
/// or from revision 0, whose text is credited to nobody).
/// </summary>
internal static class AuthorshipHistory
{
    private const int Chunk = 1000;

    /// <summary>The authorship at <paramref name="revision"/> of <paramref name="document"/> (0 ≤ revision ≤ its revision).</summary>
    public static Authorship At(IDocumentStorage store, StoredDocument document, int revision, CancellationToken cancellationToken)
    {
        var snapshot = store.LatestAuthoredSnapshot(document.Id, revision);
        Authorship authorship;
        int from;
        if (snapshot?.Authorship is { } stored)
        {
            (authorship, from) = (stored, snapshot.Revision);
        }
        else
        {
            var first = store.GetSnapshot(document.Id, 0) ?? throw new InvalidOperationException($"Document {document.Id} has no snapshot at revision 0.");
            (authorship, from) = (IDocumentStorage.UnknownAuthorship(document, first.Text), 0);
        }

        return Replay(store, document.Id, authorship, from, revision, cancellationToken);
    }

    /// <summary><paramref name="authorship"/> at <paramref name="from"/> moved by the stored ops up to <paramref name="to"/>.</summary>
    public static Authorship Replay(IDocumentStorage store, string documentId, Authorship authorship, int from, int to, CancellationToken cancellationToken)
    {
        while (from < to)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ops = store.ReadOps(documentId, from, to, Chunk);
            if (ops.Count == 0)
            {
                break;
            }

            foreach (var op in ops)
            {
                authorship = Apply(authorship, op);
            }

            from = ops[^1].Revision;
        }

        return authorship;
    }

    /// <summary>Moves <paramref name="authorship"/> past one stored op, crediting its inserts to the op's author at its time.</summary>
    public static Authorship Apply(Authorship authorship, StoredOp op) =>
        authorship.Apply(op.Operation, op.Author, op.Timestamp.ToUnixTimeMilliseconds());

    public static AuthorshipSpanMessage[] ToMessages(Authorship authorship) =>
        [.. authorship.Spans.Select(span =>
        {
            var author = OpAuthor.Parse(span.Author);
            return new AuthorshipSpanMessage(span.Length, author.AccountId, author.Name, author.IsGuest, span.Stamp);
        })];

    public static PeerAuthorMessage ToMessage(string peerId, string storedAuthor)
    {
        var author = OpAuthor.Parse(storedAuthor);
        return new PeerAuthorMessage(peerId, author.AccountId, author.Name, author.IsGuest);
    }
}
