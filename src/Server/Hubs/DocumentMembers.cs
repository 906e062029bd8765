using System.Collections.Concurrent;
using CollabEdit.Protocol;
using CollabEdit.Server.Access;
using CollabEdit.Server.Documents;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// Which connections have which document open, and their leaving (ops stop, presence leaves,
/// the session's lease is released). When a document's access changes, every connection on it is
/// decided again: one that lost access is closed out of the document and told
/// (<see cref="HubMessages.AccessRevoked"/>) before the change's request is answered; one whose
/// role moved is told its new role (<see cref="HubMessages.AccessChanged"/>).
/// </summary>
internal sealed class DocumentMembers
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, ConnectionState>> _members = new(StringComparer.Ordinal);
    private readonly ConnectionOutboxes _outboxes;
    private readonly PresenceThrottle _presence;
    private readonly DocumentRegistry _registry;
    private readonly DocumentAccess _access;
    private readonly IPresenceRelay _relay;

    public DocumentMembers(ConnectionOutboxes outboxes, PresenceThrottle presence, DocumentRegistry registry, DocumentAccess access, IPresenceRelay relay)
    {
        _relay = relay;
        _outboxes = outboxes;
        _presence = presence;
        _registry = registry;
        _access = access;
        access.Changed += Recheck;
        access.AllChanged += RecheckAll;
    }

    /// <summary>From now on the connection receives what is sent to the document.</summary>
    public void Join(ConnectionState state, string documentId)
    {
        _members.GetOrAdd(documentId, _ => new(StringComparer.Ordinal))[state.ConnectionId] = state;
        _outboxes.Join(documentId, state.ConnectionId);
    }

    public void Leave(ConnectionState state, OpenDocument open)
    {
        string documentId = open.Session.Id;
        try
        {
            if (_members.TryGetValue(documentId, out var members))
            {
                members.TryRemove(state.ConnectionId, out _);
            }

            _outboxes.Leave(documentId, state.ConnectionId);
            _presence.Forget(documentId, state.PeerId);
            if (open.Session.Presence.TryRemove(state.PeerId, out _))
            {
                _outboxes.SendPeerLeft(documentId, state.PeerId);
                _relay.Left(documentId, state.PeerId);
            }
        }
        finally
        {
            _registry.Release(open.Session);
        }
    }

    private void RecheckAll()
    {
        foreach (string documentId in _members.Keys)
        {
            Recheck(documentId);
        }
    }

    private void Recheck(string documentId)
    {
        if (!_members.TryGetValue(documentId, out var members))
        {
            return;
        }

        foreach (var state in members.Values)
        {
            var role = _access.RoleOf(state.User, documentId, state.LinkToken);
            if (role == DocumentRole.None)
            {
                if (state.Remove(documentId) is { } open)
                {
                    Leave(state, open);
                    _outboxes.SendTo(state.ConnectionId, HubMessages.AccessRevoked, documentId);
                }
            }
            else if (state.Get(documentId) is { } open && open.Role != role)
            {
                state.Update(documentId, current => current with { Role = role });
                _outboxes.SendTo(state.ConnectionId, HubMessages.AccessChanged, documentId, RoleNames.Of(role));
            }
        }
    }
}
