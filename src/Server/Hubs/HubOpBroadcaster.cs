using CollabEdit.Ot;
using CollabEdit.Protocol;
using CollabEdit.Server.Documents;
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

    public void Broadcast(string documentId, int revision, TextOperation operation, string peerId, string? exceptConnectionId)
    {
        var clients = exceptConnectionId is null
            ? hub.Clients.Group(Group(documentId))
            : hub.Clients.GroupExcept(Group(documentId), exceptConnectionId);
        var sending = clients.SendAsync(HubMessages.Op, documentId, revision, operation, peerId);
        if (!sending.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(sending, documentId, revision);
        }
    }

    public void DocumentDeleted(string documentId)
    {
        var sending = hub.Clients.Group(Group(documentId)).SendAsync(HubMessages.DocumentDeleted, documentId);
        if (!sending.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(sending, documentId, revision: -1);
        }
    }

    private async Task ObserveAsync(Task sending, string documentId, int revision)
    {
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogBroadcastFailed(e, documentId, revision);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Broadcasting revision {Revision} of {DocumentId} failed (-1: its deletion)")]
    private partial void LogBroadcastFailed(Exception exception, string documentId, int revision);
}
