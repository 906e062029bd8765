using Microsoft.AspNetCore.SignalR;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// SignalR's own lifetime manager, plus an outbox per connection: the hub's caller context does
/// not expose the connection's writer, and the outbox writes to it directly.
/// </summary>
internal sealed class OutboxHubLifetimeManager(ConnectionOutboxes outboxes, HubDrain drain, ILogger<DefaultHubLifetimeManager<CollabHub>> logger)
    : DefaultHubLifetimeManager<CollabHub>(logger)
{
    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        outboxes.Add(connection);
        drain.OnConnected(connection);
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        outboxes.Remove(connection.ConnectionId);
        return base.OnDisconnectedAsync(connection);
    }
}
