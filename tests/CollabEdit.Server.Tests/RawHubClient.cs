using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using CollabEdit.Protocol;

namespace CollabEdit.Server.Tests;

/// <summary>
/// A hub client written by hand over a raw WebSocket (JSON protocol), so a test can make it read
/// as slowly as it likes: its socket's receive buffer is small, so what it does not read backs up
/// into the server.
/// </summary>
internal sealed class RawHubClient : IDisposable
{
    private const char RecordSeparator = '\u001e';
    private readonly ClientWebSocket _socket;
    private readonly HttpMessageInvoker _invoker;
    private readonly byte[] _buffer = new byte[4096];
    private readonly StringBuilder _received = new();

    private RawHubClient(ClientWebSocket socket, HttpMessageInvoker invoker)
    {
        _socket = socket;
        _invoker = invoker;
    }

    /// <summary>Connects as the server's owner: by the Authorization header, or by <paramref name="queryToken"/> in the URL (as a browser's WebSocket must).</summary>
    public static async Task<RawHubClient> ConnectAsync(RunningServer server, int receiveBufferBytes = 4096, string? queryToken = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = receiveBufferBytes, NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var invoker = new HttpMessageInvoker(handler);
        var socket = new ClientWebSocket();
        if (queryToken is null)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {server.OwnerToken}");
        }
        var uri = new UriBuilder(server.BaseUri) { Scheme = "ws", Path = HubMessages.Path, Query = queryToken is null ? "" : $"access_token={Uri.EscapeDataString(queryToken)}" }.Uri;
        await socket.ConnectAsync(uri, invoker, CancellationToken.None).WaitAsync(Timeouts.Call);
        var client = new RawHubClient(socket, invoker);
        await client.SendAsync("""{"protocol":"json","version":1}""");
        await client.ReadUntilAsync("{}");
        return client;
    }

    public Task SendAsync(string json) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).WaitAsync(Timeouts.Call);

    /// <summary>Reads until a record containing <paramref name="fragment"/> has arrived.</summary>
    public async Task ReadUntilAsync(string fragment)
    {
        while (!_received.ToString().Split(RecordSeparator).Any(record => record.Contains(fragment, StringComparison.Ordinal)))
        {
            var result = await _socket.ReceiveAsync(_buffer, CancellationToken.None).WaitAsync(Timeouts.Call);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            _received.Append(Encoding.UTF8.GetString(_buffer, 0, result.Count));
        }

        _received.Clear();
    }

    /// <summary>Reads every record until one matches <paramref name="last"/>, and returns them all (the match included).</summary>
    public async Task<List<string>> ReadRecordsUntilAsync(Func<string, bool> last)
    {
        var records = new List<string>();
        var pending = new StringBuilder();
        while (true)
        {
            var result = await _socket.ReceiveAsync(_buffer, CancellationToken.None).WaitAsync(Timeouts.Call);
            Assert.NotEqual(WebSocketMessageType.Close, result.MessageType);
            pending.Append(Encoding.UTF8.GetString(_buffer, 0, result.Count));
            string text = pending.ToString();
            int end = text.LastIndexOf(RecordSeparator);
            if (end < 0)
            {
                continue;
            }

            pending.Clear().Append(text[(end + 1)..]);
            foreach (string record in text[..end].Split(RecordSeparator))
            {
                records.Add(record);
                if (last(record))
                {
                    return records;
                }
            }
        }
    }

    /// <summary>
    /// Reads one buffer's worth every <paramref name="pause"/>, pinging the server once a second so
    /// it does not time the client out, until <paramref name="stop"/>; false if the server closed the connection first.
    /// </summary>
    public async Task<bool> ReadSlowlyAsync(TimeSpan pause, CancellationToken stop)
    {
        long lastPing = Environment.TickCount64;
        while (!stop.IsCancellationRequested)
        {
            if (!await ReceiveOnceAsync())
            {
                return false;
            }

            if (Environment.TickCount64 - lastPing > 1000)
            {
                if (!await TryPingAsync())
                {
                    return false;
                }

                lastPing = Environment.TickCount64;
            }

            await Task.Delay(pause, CancellationToken.None);
        }

        return true;
    }

    /// <summary>
    /// Reads as fast as it can, pinging once a second, for at most <paramref name="within"/>; true
    /// once the server has closed the connection. (The server pings every 2 s, so a read never waits long.)
    /// </summary>
    public async Task<bool> ReadUntilClosedAsync(TimeSpan within)
    {
        var deadline = Environment.TickCount64 + (long)within.TotalMilliseconds;
        long lastPing = Environment.TickCount64;
        while (Environment.TickCount64 < deadline)
        {
            if (!await ReceiveOnceAsync())
            {
                return true;
            }

            if (Environment.TickCount64 - lastPing > 1000)
            {
                if (!await TryPingAsync())
                {
                    return true;
                }

                lastPing = Environment.TickCount64;
            }
        }

        return false;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _invoker.Dispose();
    }

    private async Task<bool> TryPingAsync()
    {
        try
        {
            await SendAsync("""{"type":6}""");
            return true;
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>One receive; false when the connection is closed or reset.</summary>
    private async Task<bool> ReceiveOnceAsync()
    {
        try
        {
            var result = await _socket.ReceiveAsync(_buffer, CancellationToken.None).WaitAsync(Timeouts.Call);
            return result.MessageType != WebSocketMessageType.Close;
        }
        catch (WebSocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
