using System.Net.WebSockets;
using System.Text;

namespace CollabEdit.LoadDriver;

/// <summary>
/// A hub connection spoken by hand (SignalR's JSON protocol over a bare WebSocket), for the abuse
/// mix: a reader that reads slowly, a sender of oversized messages. It answers nothing the server
/// sends unless asked to read, and keeps itself alive with pings.
/// </summary>
internal sealed class RawHubSocket : IDisposable
{
    private const char RecordSeparator = '\u001e';
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public bool Open => _socket.State == WebSocketState.Open;

    /// <summary>A hub WebSocket carrying <paramref name="accessToken"/> in the query string, as a browser's does.</summary>
    public static async Task<RawHubSocket> ConnectAsync(Uri server, string accessToken, CancellationToken cancellationToken)
    {
        var raw = new RawHubSocket();
        var uri = new UriBuilder(new Uri(server, CollabEdit.Protocol.HubMessages.Path)) { Scheme = "ws", Query = $"access_token={Uri.EscapeDataString(accessToken)}" }.Uri;
        await raw._socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
        await raw.SendAsync("{\"protocol\":\"json\",\"version\":1}", cancellationToken).ConfigureAwait(false);
        await raw.ReadMessageAsync(cancellationToken).ConfigureAwait(false); // the handshake's answer
        return raw;
    }

    /// <summary>Sends one hub message (the separator is added).</summary>
    public async Task SendAsync(string message, CancellationToken cancellationToken)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(message + RecordSeparator);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public Task PingAsync(CancellationToken cancellationToken) => SendAsync("{\"type\":6}", cancellationToken);

    /// <summary>Reads up to <paramref name="buffer"/>'s size; 0 when the server closed.</summary>
    public async Task<int> ReadSomeAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var result = await _socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
        return result.MessageType == WebSocketMessageType.Close ? 0 : result.Count;
    }

    /// <summary>Reads until a whole WebSocket message has arrived; its text.</summary>
    public async Task<string> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        byte[] buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException("closed by the server");
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            if (result.EndOfMessage)
            {
                return text.ToString();
            }
        }
    }

    public void Dispose()
    {
        _socket.Abort();
        _socket.Dispose();
        _sendLock.Dispose();
    }
}
