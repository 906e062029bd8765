using CollabEdit.Ot;

namespace CollabEdit.Server.Documents;

/// <summary>Sends committed ops (and a deletion) to a document's live clients. Must not wait on slow clients.</summary>
public interface IOpBroadcaster
{
    /// <summary>
    /// Sends <paramref name="operation"/>, committed as <paramref name="revision"/> of
    /// <paramref name="documentId"/> by <paramref name="peerId"/>, to every client of the document
    /// but <paramref name="exceptConnectionId"/>.
    /// </summary>
    void Broadcast(string documentId, int revision, TextOperation operation, string peerId, string? exceptConnectionId);

    /// <summary>
    /// Tells every client of <paramref name="documentId"/> that <paramref name="revision"/> restored
    /// <paramref name="fromRevision"/>'s text, by <paramref name="author"/> (stored form, <c>OpAuthor</c>).
    /// Sent after that revision's op.
    /// </summary>
    void Restored(string documentId, int revision, int fromRevision, string author)
    {
    }

    /// <summary>Tells every client that has <paramref name="documentId"/> open that it was deleted.</summary>
    void DocumentDeleted(string documentId);
}
