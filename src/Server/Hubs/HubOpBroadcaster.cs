using CollabEdit.Ot;
using CollabEdit.Protocol;
using CollabEdit.Server.Access;
using CollabEdit.Server.Documents;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// Sends committed ops to a document's connections without awaiting delivery: a slow client must
/// not hold up the session, and each connection's outbox bounds what waits for it. Order between
/// sends is not guaranteed anyway; each op carries its revision and clients apply them in revision order.
/// </summary>
internal sealed class HubOpBroadcaster(ConnectionOutboxes outboxes) : IOpBroadcaster
{
    public void Broadcast(string documentId, int revision, TextOperation operation, string peerId, string? exceptConnectionId) =>
        outboxes.Send(documentId, exceptConnectionId, HubMessages.Op, documentId, revision, operation, peerId);

    public void Restored(string documentId, int revision, int fromRevision, string author)
    {
        var by = OpAuthor.Parse(author);
        outboxes.Send(documentId, null, HubMessages.Restored, documentId, revision, fromRevision, by.Shown, by.AccountId);
    }

    public void DocumentDeleted(string documentId) =>
        outboxes.Send(documentId, null, HubMessages.DocumentDeleted, documentId);
}
