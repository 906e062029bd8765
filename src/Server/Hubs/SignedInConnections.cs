using System.Collections.Concurrent;
using CollabEdit.Server.Access;
using Microsoft.AspNetCore.SignalR;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// The hub connections made by a signed-in account. When an account's sessions change (a sign-out,
/// a new security stamp, a deleted account; here or announced by another process), its connections
/// whose session has ended are closed at once, not left open until their next call.
/// </summary>
internal sealed class SignedInConnections
{
    private readonly ConcurrentDictionary<string, (HubCallerContext Context, ConnectionState State)> _connections = new(StringComparer.Ordinal);
    private readonly AccountSessions _sessions;

    public SignedInConnections(AccountSessions sessions)
    {
        _sessions = sessions;
        sessions.Changed += Recheck;
    }

    public void Add(HubCallerContext context, ConnectionState state)
    {
        if (DocumentAccess.AccountIdOf(state.User) is not null)
        {
            _connections[context.ConnectionId] = (context, state);
        }
    }

    public void Remove(string connectionId) => _connections.TryRemove(connectionId, out _);

    /// <summary>Closes the account's connections (null: anyone's) whose session no longer holds.</summary>
    private void Recheck(string? accountId)
    {
        foreach (var (context, state) in _connections.Values)
        {
            if ((accountId is null || DocumentAccess.AccountIdOf(state.User) == accountId) && !_sessions.Holds(state.User))
            {
                context.Abort();
            }
        }
    }
}
