using CollabEdit.Protocol;
using CollabEdit.Server.Documents;
using CollabEdit.Server.Storage;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// Sends committed ops to a document's connections without awaiting delivery: a slow client must
/// not hold up the session, and each connection's outbox bounds what waits for it. Order between
/// sends is not guaranteed anyway; each op carries its revision and clients apply them in revision order.
/// </summary>
internal sealed class HubOpBroadcaster(ConnectionOutboxes outboxes) : IOpBroadcaster
{
    public void Broadcast(StoredOp op, string? exceptConnectionId) =>
        outboxes.Send(op.DocumentId, exceptConnectionId, HubMessages.Op, op.DocumentId, op.Revision, op.Operation, op.PeerId);
}
