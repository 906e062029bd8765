using System.Security.Cryptography;
using System.Text.Json;
using CollabEdit.Ot;
using CollabEdit.Protocol;
using CollabEdit.Server.Access;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Diagnostics;
using CollabEdit.Server.Documents;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// The collaboration hub at <c>/hubs/collab</c> (docs/design.md, "Wire protocol"). Every method
/// validates its input, routes by document id to the document's session, and answers with a
/// result or a HubException "code: reason"; a refused call changes nothing. Who may call what is
/// decided before a method runs (<see cref="HubAuthorizationFilter"/>, by each method's
/// <see cref="RequiresCapabilityAttribute"/>); names and authors are the server's, never the client's.
/// </summary>
internal sealed class CollabHub(
    DocumentRegistry registry,
    DocumentMembers members,
    DocumentAccess access,
    CallerNames callerNames,
    IOptions<EditLimits> limits,
    IOptions<ConnectionLimits> connectionLimits,
    TimeProvider time,
    CollabEditMetrics metrics,
    PresenceThrottle presenceThrottle,
    DocumentWriteBudgets writeBudgets,
    SignedInConnections signedIn,
    HubDrain drain,
    IPresenceRelay relay) : Hub
{
    private const int MaxClientIdLength = 128;
    // The browser's palette (wwwroot/js/identity.js), in the same order: every colour has at least
    // 4.5:1 contrast with the white text of a name label.
    private static readonly string[] Palette = ["#b91c1c", "#1d4ed8", "#15803d", "#7c3aed", "#c2410c", "#0e7490", "#be185d", "#4d7c0f", "#a16207", "#57534e"];

    private ConnectionState State => (ConnectionState)Context.Items[typeof(ConnectionState)]!;

    public override Task OnConnectedAsync()
    {
        var settings = connectionLimits.Value;
        string? link = Context.GetHttpContext()?.Request.Query["link"].FirstOrDefault();
        var state = new ConnectionState(
            Context.ConnectionId,
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)),
            Context.User ?? new(),
            string.IsNullOrEmpty(link) ? null : link,
            new TokenBucket(settings.SubmitsPerSecond, settings.SubmitBurst, time),
            new TokenBucket(settings.CallsPerSecond, settings.CallBurst, time));
        Context.Items[typeof(ConnectionState)] = state;
        signedIn.Add(Context, state);
        metrics.ConnectionOpened();
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        metrics.ConnectionClosed();
        signedIn.Remove(Context.ConnectionId);
        foreach (var open in State.RemoveAll())
        {
            members.Leave(State, open);
        }

        return Task.CompletedTask;
    }

    [RequiresCapability(Capability.View)]
    public async Task<OpenResult> Open(string documentId, string? name)
    {
        RequireValidId(documentId);
        if (drain.Stopping)
        {
            // Its connection is being dropped: the client reconnects, to another process if there is one.
            throw new CollabException(ErrorCodes.Unavailable, "The server is stopping; reconnect and open again.");
        }

        var author = callerNames.AuthorOf(Context.User ?? new(), name);
        string peerName = author.Shown;
        var role = access.RoleOf(Context.User ?? new(), documentId, State.LinkToken);
        if (!registry.Exists(documentId) || role == DocumentRole.None)
        {
            throw new CollabException(ErrorCodes.NotFound, $"No document {documentId}.");
        }

        var state = State;

        // Each open document holds its text in memory and a lease that keeps it loaded.
        int maxOpen = connectionLimits.Value.MaxOpenDocumentsPerConnection;
        if (state.Get(documentId) is null && state.Count >= maxOpen)
        {
            throw new CollabException(ErrorCodes.TooLarge, $"{maxOpen} documents are open on this connection; close one first.");
        }

        var session = registry.Acquire(documentId);

        // The check above may predate a move to the trash (or a revocation) that finished before the
        // lease was taken; any later move goes through this session. So check once more, now.
        if (access.RoleOf(Context.User ?? new(), documentId, State.LinkToken) == DocumentRole.None)
        {
            registry.ReleaseRefused(session);
            throw new CollabException(ErrorCodes.NotFound, $"No document {documentId}.");
        }

        bool added = state.TryAdd(new OpenDocument(session, author, role));
        if (!added)
        {
            registry.Release(session); // Already open on this connection: answer again, keep one lease.
        }

        try
        {
            // Join before reading the text, so no op committed after that read is missed.
            members.Join(state, documentId);
            var opened = await session.OpenAsync().ConfigureAwait(false);
            if (!await registry.FitLoadedAsync().ConfigureAwait(false))
            {
                throw new CollabException(ErrorCodes.Unavailable, "The server holds as many open documents as it can; retry later.");
            }

            var me = session.Presence.AddOrUpdate(
                state.PeerId,
                _ => new PeerPresence(state.PeerId, peerName, DefaultColor(state.PeerId), 0, 0),
                (_, old) => old with { Name = peerName });
            presenceThrottle.Send(documentId, Context.ConnectionId, me);
            // Peers on this process and, on PostgreSQL, on the others.
            var peers = session.Presence.Values.Where(p => p.PeerId != state.PeerId)
                .Concat(relay.Remote(documentId).Where(p => !session.Presence.ContainsKey(p.PeerId)))
                .ToArray();
            return new OpenResult(opened.Revision, opened.Text, state.PeerId, peers, RoleNames.Of(role), peerName);
        }
        catch when (added)
        {
            if (state.Remove(documentId) is { } open)
            {
                members.Leave(state, open);
            }

            throw;
        }
    }

    [RequiresCapability(Capability.Edit)]
    public async Task<SubmitAck> Submit(string documentId, string clientId, long seq, int baseRevision, object? op)
    {
        var open = RequireOpen(documentId);
        if (string.IsNullOrEmpty(clientId) || clientId.Length > MaxClientIdLength)
        {
            throw new CollabException(ErrorCodes.InvalidOp, $"clientId must be 1–{MaxClientIdLength} characters.");
        }

        if (seq < 1)
        {
            throw new CollabException(ErrorCodes.InvalidOp, $"seq must be positive, got {seq}.");
        }

        if (baseRevision < 0)
        {
            throw new CollabException(ErrorCodes.InvalidOp, $"base revision {baseRevision} is negative.");
        }

        if (!State.RateLimit.TryTake())
        {
            throw new CollabException(ErrorCodes.RateLimited, "Too many submits; slow down and retry.");
        }

        var operation = ParseOp(op);
        // Stored twice (as committed and as sent); a retry of a committed op is charged again, which only errs on the safe side.
        if (!writeBudgets.TryTake(open.Session, 2 * OpPages.EstimatedBytes(operation)))
        {
            throw new CollabException(ErrorCodes.RateLimited, "This document's history is growing faster than the server allows; retry in a moment.");
        }

        int revision = await open.Session.SubmitAsync(
            new SubmitRequest(clientId, seq, baseRevision, operation, open.Author.ToString(), State.PeerId, Context.ConnectionId)).ConfigureAwait(false);
        return new SubmitAck(revision);
    }

    [RequiresCapability(Capability.ViewHistory)]
    public async Task<CommittedOpMessage[]> Catchup(string documentId, int fromRevision)
    {
        var open = RequireOpen(documentId);
        var ops = await open.Session.CatchupAsync(fromRevision).ConfigureAwait(false);
        return [.. ops.Select(op => new CommittedOpMessage(op.Revision, op.Operation, op.PeerId))];
    }

    /// <summary>Who wrote each unit of the text at the current revision (the document must be open on this connection).</summary>
    [RequiresCapability(Capability.View)]
    public async Task<AuthorshipMessage> Authorship(string documentId)
    {
        var open = RequireOpen(documentId);
        return await open.Session.AuthorshipAsync().ConfigureAwait(false);
    }

    [RequiresCapability(Capability.Edit)]
    public Task SetPresence(string documentId, PresenceInput presence)
    {
        var open = RequireOpen(documentId);
        if (presence is null || presence.Anchor < 0 || presence.Head < 0 || presence.Revision < 0
            || presence.Anchor > limits.Value.MaxDocumentLength || presence.Head > limits.Value.MaxDocumentLength)
        {
            throw new CollabException(ErrorCodes.InvalidOp, "anchor and head must be offsets within the document.");
        }

        if (!State.RateLimit.TryTake())
        {
            throw new CollabException(ErrorCodes.RateLimited, "Too many presence updates; slow down.");
        }

        string peerId = State.PeerId;
        if (open.Author.IsGuest && presence.Name is not null && CallerNames.Clean(presence.Name, "Anonymous") != open.Author.Name)
        {
            // A guest renaming in place: later ops are credited to the new name, still as a guest.
            // An account's name is its display name, whatever the client sends.
            open = State.Update(documentId, o => o with { Author = OpAuthor.ForGuest(CallerNames.Clean(presence.Name, "Anonymous")) }) ?? open;
        }

        string color = presence.Color is { Length: 7 } c && c[0] == '#' && c.Skip(1).All(char.IsAsciiHexDigit) ? c : DefaultColor(peerId);
        var update = new PeerPresence(peerId, open.Author.Shown, color, presence.Anchor, presence.Head, presence.Revision);
        open.Session.Presence[peerId] = update;
        presenceThrottle.Send(documentId, Context.ConnectionId, update);
        return Task.CompletedTask;
    }

    [NoDocumentCapability("Only releases what this connection holds open; answers the same for any id.")]
    public Task Close(string documentId)
    {
        RequireValidId(documentId);
        if (State.Remove(documentId) is { } open)
        {
            members.Leave(State, open);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The op arrives loosely typed so that a malformed one reaches this validation (and gets
    /// invalid-op) instead of failing SignalR's argument binding with a generic error.
    /// </summary>
    internal static TextOperation ParseOp(object? op)
    {
        try
        {
            // Only the arrays the two protocols produce: MessagePack's bin reads as a byte[], which
            // is a list of small integers, but bytes are not components.
            return op switch
            {
                JsonElement { ValueKind: JsonValueKind.Array } json => json.Deserialize<TextOperation>()!,
                OversizedValue oversized => throw new CollabException(ErrorCodes.TooLarge, oversized.Reason),
                object?[] values => WireFormat.Parse(values),
                _ => throw new CollabException(ErrorCodes.InvalidOp, "The op must be an array of integers and strings."),
            };
        }
        catch (JsonException e)
        {
            throw new CollabException(ErrorCodes.InvalidOp, PublicReason(e));
        }
        catch (InvalidTextOperationException e)
        {
            throw new CollabException(ErrorCodes.InvalidOp, e.Message);
        }
    }

    /// <summary>
    /// The converter's own messages ("TextOperation: element 2 …") say what is wrong; the
    /// serializer's ("The JSON value could not be converted to CollabEdit.Ot.TextOperation", e.g.
    /// for an escaped lone surrogate) name internal types, so they are replaced.
    /// </summary>
    private static string PublicReason(JsonException e) =>
        e.Message.StartsWith("TextOperation: ", StringComparison.Ordinal)
            ? e.Message
            : $"The op must be an array of non-zero integers and non-empty strings of valid UTF-16 (at {e.Path ?? "$"}).";

    private OpenDocument RequireOpen(string documentId)
    {
        RequireValidId(documentId);
        return State.Get(documentId)
            ?? throw new CollabException(ErrorCodes.Forbidden, $"Open document {documentId} on this connection first.");
    }

    private static void RequireValidId(string documentId)
    {
        if (!DocumentIds.IsValid(documentId))
        {
            throw new CollabException(ErrorCodes.NotFound, "Document ids are 1–64 characters of A–Z, a–z, 0–9, '-' and '_'.");
        }
    }

    private static string DefaultColor(string peerId) =>
        Palette[(int)((uint)string.GetHashCode(peerId, StringComparison.Ordinal) % Palette.Length)];
}
