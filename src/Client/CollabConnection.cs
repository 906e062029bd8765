using CollabEdit.Protocol;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Client;

/// <summary>Builds hub connections the way the browser makes them: WebSockets, MessagePack (or JSON).</summary>
public static class CollabConnection
{
    public static HubConnection Create(Uri serverBaseUri, bool json = false)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(serverBaseUri, HubMessages.Path), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
            });
        if (!json)
        {
            builder.AddMessagePackProtocol(options => options.SerializerOptions = CollabEditResolver.Options);
        }

        var connection = builder.Build();
        connection.ServerTimeout = TimeSpan.FromSeconds(60);

        // The server closes a connection it has not heard from for 8 s (a dead peer leaves the
        // presence list quickly), so ping it well within that, also while idle.
        connection.KeepAliveInterval = TimeSpan.FromSeconds(3);
        return connection;
    }

    public static async Task<HubConnection> ConnectAsync(Uri serverBaseUri, bool json = false, CancellationToken cancellationToken = default)
    {
        var connection = Create(serverBaseUri, json);
        await connection.StartAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}
