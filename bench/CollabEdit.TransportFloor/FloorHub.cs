using System.Collections.Concurrent;
using CollabEdit.Ot;
using CollabEdit.Protocol;
using Microsoft.AspNetCore.SignalR;

namespace CollabEdit.TransportFloor;

/// <summary>
/// CollabEdit's hub methods as the load driver calls them, answered straight from memory: a
/// submit is transformed, acknowledged and broadcast at once (the real server first makes it durable).
/// </summary>
internal sealed class FloorHub(ConcurrentDictionary<string, FloorDocument> documents) : Hub
{
    private static string Group(string documentId) => "doc:" + documentId;

    public async Task<OpenResult> Open(string documentId, string? name)
    {
        var document = Find(documentId);
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(documentId)).ConfigureAwait(false);
        var (revision, text) = document.Open();
        // No access control here: the floor measures the transport alone, so everyone edits.
        return new OpenResult(revision, text, Context.ConnectionId, [], "editor", name ?? "");
    }

    public async Task<SubmitAck> Submit(string documentId, string clientId, long seq, int baseRevision, TextOperation op)
    {
        var result = Find(documentId).Submit(clientId, seq, baseRevision, op);
        if (!result.Accepted)
        {
            throw new HubException($"{ErrorCodes.InvalidOp}: {result.Message}");
        }

        if (result.Operation is { } committed)
        {
            await Clients.OthersInGroup(Group(documentId))
                .SendAsync(HubMessages.Op, documentId, result.Revision, committed, Context.ConnectionId).ConfigureAwait(false);
        }

        return new SubmitAck(result.Revision);
    }

    public CommittedOpMessage[] Catchup(string documentId, int fromRevision) =>
        [.. Find(documentId).Since(fromRevision).Select(op => new CommittedOpMessage(op.Revision, op.Operation, op.ClientId))];

    public Task Close(string documentId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(documentId));

    private FloorDocument Find(string documentId) =>
        documents.TryGetValue(documentId, out var document) ? document : throw new HubException($"{ErrorCodes.NotFound}: no document {documentId}.");
}
