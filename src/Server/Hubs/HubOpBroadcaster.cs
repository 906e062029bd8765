using CollabEdit.Protocol;
using CollabEdit.Server.Documents;
using CollabEdit.Server.Storage;
using Microsoft.AspNetCore.SignalR;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// Sends committed ops to a document's group without awaiting delivery: a slow client must not
/// hold up the session. Order between sends is not guaranteed anyway; each op carries its
/// revision and clients apply them in revision order.
/// </summary>
internal sealed partial class HubOpBroadcaster(IHubContext<CollabHub> hub, ILogger<HubOpBroadcaster> log) : IOpBroadcaster
{
    public static string Group(string documentId) => "doc:" + documentId;

    public void Broadcast(StoredOp op, string? exceptConnectionId)
    {
        var clients = exceptConnectionId is null
            ? hub.Clients.Group(Group(op.DocumentId))
            : hub.Clients.GroupExcept(Group(op.DocumentId), exceptConnectionId);
        var sending = clients.SendAsync(HubMessages.Op, op.DocumentId, op.Revision, op.Operation, op.PeerId);
        if (!sending.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(sending, op);
        }
    }

    private async Task ObserveAsync(Task sending, StoredOp op)
    {
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogBroadcastFailed(e, op.DocumentId, op.Revision);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broadcasting revision {Revision} of {DocumentId} failed")]
    private partial void LogBroadcastFailed(Exception exception, string documentId, int revision);
}
