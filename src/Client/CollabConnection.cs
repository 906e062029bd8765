using CollabEdit.Protocol;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Client;

/// <summary>Builds hub connections the way the browser makes them: WebSockets, MessagePack (or JSON).</summary>
public static class CollabConnection
{
    /// <summary>
    /// A hub connection (not started) authenticated by <paramref name="accessToken"/> (a bearer
    /// token, sent as the WebSocket request's Authorization header) and/or a share link's
    /// <paramref name="linkToken"/>; with neither, the caller is a signed-out stranger.
    /// </summary>
    public static HubConnection Create(Uri serverBaseUri, bool json = false, string? accessToken = null, string? linkToken = null)
    {
        var url = new Uri(serverBaseUri, linkToken is null ? HubMessages.Path : $"{HubMessages.Path}?link={Uri.EscapeDataString(linkToken)}");
        var builder = new HubConnectionBuilder()
            .WithUrl(url, options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                if (!string.IsNullOrEmpty(accessToken))
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
                }
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

    public static async Task<HubConnection> ConnectAsync(
        Uri serverBaseUri, bool json = false, string? accessToken = null, string? linkToken = null, CancellationToken cancellationToken = default)
    {
        var connection = Create(serverBaseUri, json, accessToken, linkToken);
        await connection.StartAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}
