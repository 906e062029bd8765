using CollabEdit.Server.Storage;

namespace CollabEdit.Server.Documents;

/// <summary>Sends committed ops (and a deletion) to a document's live clients. Must not wait on slow clients.</summary>
public interface IOpBroadcaster
{
    /// <summary>Sends <paramref name="op"/> to every client of the document but <paramref name="exceptConnectionId"/>.</summary>
    void Broadcast(StoredOp op, string? exceptConnectionId);

    /// <summary>Tells every client that has <paramref name="documentId"/> open that it was deleted.</summary>
    void DocumentDeleted(string documentId);
}
