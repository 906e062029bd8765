using System.Collections.Concurrent;
using CollabEdit.Protocol;
using CollabEdit.Server.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using CollabEdit.Server.Configuration;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// Every hub connection's <see cref="ConnectionOutbox"/>, and which connections have each document
/// open: everything the server sends unasked (ops, presence, peers leaving) goes through here,
/// serialized once per message and queued per connection under its byte bound.
/// </summary>
internal sealed class ConnectionOutboxes(IOptions<ConnectionLimits> options, CollabEditMetrics metrics, ILogger<ConnectionOutbox> log)
{
    private readonly ConcurrentDictionary<string, ConnectionOutbox> _connections = new(StringComparer.Ordinal);

    // Copied on change (joins and leaves are rare next to sends), so a send reads its document's array without a lock.
    private readonly ConcurrentDictionary<string, ConnectionOutbox[]> _members = new(StringComparer.Ordinal);
    private readonly Lock _membersLock = new();
    private long _peakOfRemoved;

    public int Count => _connections.Count;

    /// <summary>The most bytes ever pending for one connection, of those connected now and before.</summary>
    public long PeakPendingBytes => Math.Max(Interlocked.Read(ref _peakOfRemoved), _connections.Values.Select(o => o.PeakPendingBytes).DefaultIfEmpty(0).Max());

    public ConnectionOutbox? Get(string connectionId) => _connections.GetValueOrDefault(connectionId);

    public void Add(HubConnectionContext connection) =>
        _connections[connection.ConnectionId] = new ConnectionOutbox(connection, options.Value.MaxPendingBytesPerConnection, metrics, log);

    /// <summary>Closes every connection (the process is stopping); returns how many there were.</summary>
    public int AbortAll()
    {
        int count = 0;
        foreach (var outbox in _connections.Values)
        {
            outbox.Abort();
            count++;
        }

        return count;
    }

    public void Remove(string connectionId)
    {
        if (_connections.TryRemove(connectionId, out var outbox))
        {
            outbox.Close();
            long peak = outbox.PeakPendingBytes;
            long seen;
            while ((seen = Interlocked.Read(ref _peakOfRemoved)) < peak && Interlocked.CompareExchange(ref _peakOfRemoved, peak, seen) != seen)
            {
            }
        }
    }

    /// <summary>From now on the connection receives what is sent to <paramref name="documentId"/>.</summary>
    public void Join(string documentId, string connectionId)
    {
        if (Get(connectionId) is not { } outbox)
        {
            return;
        }

        lock (_membersLock)
        {
            var members = _members.GetValueOrDefault(documentId, []);
            if (!members.Contains(outbox))
            {
                _members[documentId] = [.. members, outbox];
            }
        }
    }

    public void Leave(string documentId, string connectionId)
    {
        lock (_membersLock)
        {
            if (!_members.TryGetValue(documentId, out var members))
            {
                return;
            }

            var rest = members.Where(m => m.ConnectionId != connectionId).ToArray();
            if (rest.Length == 0)
            {
                _members.TryRemove(documentId, out _);
            }
            else
            {
                _members[documentId] = rest;
            }
        }
    }

    /// <summary>Sends to every connection that has <paramref name="documentId"/> open but <paramref name="exceptConnectionId"/>.</summary>
    public void Send(string documentId, string? exceptConnectionId, string method, params object?[] arguments)
    {
        var message = Message(method, arguments);
        foreach (var outbox in Members(documentId, exceptConnectionId))
        {
            outbox.Send(message);
        }
    }

    /// <summary>Sends to one connection, whatever it has open.</summary>
    public void SendTo(string connectionId, string method, params object?[] arguments) => Get(connectionId)?.Send(Message(method, arguments));

    /// <summary>Sends a peer's presence to the document's other connections; a newer one replaces it where it still waits.</summary>
    public void SendPresence(string documentId, string exceptConnectionId, PeerPresence presence)
    {
        var message = Message(HubMessages.Presence, documentId, presence);
        foreach (var outbox in Members(documentId, exceptConnectionId))
        {
            outbox.SendPresence(documentId, presence.PeerId, message);
        }
    }

    public void SendPeerLeft(string documentId, string peerId)
    {
        var message = Message(HubMessages.PeerLeft, documentId, peerId);
        foreach (var outbox in Members(documentId, exceptConnectionId: null))
        {
            outbox.SendPeerLeft(documentId, peerId, message);
        }
    }

    private IEnumerable<ConnectionOutbox> Members(string documentId, string? exceptConnectionId) =>
        _members.GetValueOrDefault(documentId, []).Where(outbox => outbox.ConnectionId != exceptConnectionId);

    private static SerializedHubMessage Message(string method, params object?[] arguments) =>
        new(new InvocationMessage(method, arguments));
}
