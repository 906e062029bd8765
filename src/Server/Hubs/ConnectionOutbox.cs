using CollabEdit.Server.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using CollabEdit.Server.Configuration;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// What the server has yet to send one hub connection, bounded in bytes. Messages are written one
/// at a time, each after the previous has reached the transport, so a connection that reads
/// slowly makes its queue grow here, where it is counted, instead of in SignalR's write queue,
/// where nothing bounds it. Past <see cref="ConnectionLimits.MaxPendingBytesPerConnection"/> the
/// connection is cut: the client reconnects and catches up (Catchup pages the gap), and the
/// server never holds more than the bound for it. A peer's presence not yet sent is replaced by
/// its newer one (latest wins), so a presence flood costs one message per peer, not one per update.
/// </summary>
internal sealed partial class ConnectionOutbox(HubConnectionContext connection, long maxPendingBytes, CollabEditMetrics metrics, ILogger log)
{
    private readonly Lock _lock = new();
    private readonly Queue<Outgoing> _queue = new();
    private readonly Dictionary<(string DocumentId, string PeerId), Outgoing> _queuedPresence = [];
    private long _pendingBytes;
    private bool _sending;
    private bool _closed;

    public string ConnectionId => connection.ConnectionId;

    /// <summary>The most bytes ever pending at once.</summary>
    public long PeakPendingBytes { get; private set; }

    /// <summary>Queues <paramref name="message"/>; false if the connection was cut (now, for falling behind, or before).</summary>
    public bool Send(SerializedHubMessage message) => Enqueue(message, presenceKey: null);

    /// <summary>Queues a peer's presence, replacing one of the same peer not yet sent.</summary>
    public bool SendPresence(string documentId, string peerId, SerializedHubMessage message) =>
        Enqueue(message, (documentId, peerId));

    /// <summary>Queues a peer's leaving; a presence of it still queued stays before it, and a later one is sent after.</summary>
    public bool SendPeerLeft(string documentId, string peerId, SerializedHubMessage message)
    {
        lock (_lock)
        {
            _queuedPresence.Remove((documentId, peerId));
        }

        return Enqueue(message, presenceKey: null);
    }

    /// <summary>Drops everything queued (the connection has gone).</summary>
    /// <summary>Closes the connection itself (the client sees it drop and reconnects).</summary>
    public void Abort() => connection.Abort();

    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _queue.Clear();
            _queuedPresence.Clear();
            _pendingBytes = 0;
        }
    }

    private bool Enqueue(SerializedHubMessage message, (string, string)? presenceKey)
    {
        // Serialized once per protocol and cached in the message, so every connection of a
        // document shares one copy of the bytes; their length is what this connection waits on.
        long bytes = message.GetSerializedMessage(connection.Protocol).Length;
        bool start = false;
        bool overflow = false;
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }

            if (presenceKey is { } key && _queuedPresence.TryGetValue(key, out var queued))
            {
                _pendingBytes += bytes - queued.Bytes;
                queued.Message = message;
                queued.Bytes = bytes;
                return true;
            }

            // One message larger than the bound still goes to a connection that has caught up.
            if (_pendingBytes > 0 && _pendingBytes + bytes > maxPendingBytes)
            {
                overflow = true;
                _closed = true;
                _queue.Clear();
                _queuedPresence.Clear();
            }
            else
            {
                var outgoing = new Outgoing(message, bytes, presenceKey);
                _queue.Enqueue(outgoing);
                if (presenceKey is { } newKey)
                {
                    _queuedPresence[newKey] = outgoing;
                }

                _pendingBytes += bytes;
                PeakPendingBytes = Math.Max(PeakPendingBytes, _pendingBytes);
                start = !_sending;
                _sending = true;
            }
        }

        if (overflow)
        {
            LogFellBehind(log, connection.ConnectionId, maxPendingBytes);
            metrics.ConnectionFellBehind();
            connection.Abort();
            return false;
        }

        if (start)
        {
            _ = PumpAsync();
        }

        return true;
    }

    private async Task PumpAsync()
    {
        while (true)
        {
            Outgoing? next;
            lock (_lock)
            {
                if (_closed || !_queue.TryDequeue(out next))
                {
                    _sending = false;
                    return;
                }

                // Sent from now on: a newer presence of the same peer is queued after it, not merged.
                if (next.PresenceKey is { } key && _queuedPresence.TryGetValue(key, out var queued) && ReferenceEquals(queued, next))
                {
                    _queuedPresence.Remove(key);
                }
            }

            try
            {
                // Completes once the transport has taken the bytes: that is, at the reader's pace.
                await connection.WriteAsync(next.Message).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSendFailed(log, e, connection.ConnectionId);
            }
            finally
            {
                lock (_lock)
                {
                    _pendingBytes = _closed ? 0 : _pendingBytes - next.Bytes;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection {ConnectionId} fell more than {Bytes} bytes behind and was disconnected")]
    private static partial void LogFellBehind(ILogger logger, string connectionId, long bytes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sending to connection {ConnectionId} failed")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string connectionId);

    /// <summary>A message waiting to be written; a presence's is replaced while it waits.</summary>
    private sealed class Outgoing(SerializedHubMessage message, long bytes, (string DocumentId, string PeerId)? presenceKey)
    {
        public (string DocumentId, string PeerId)? PresenceKey { get; } = presenceKey;

        public SerializedHubMessage Message { get; set; } = message;

        public long Bytes { get; set; } = bytes;
    }
}
