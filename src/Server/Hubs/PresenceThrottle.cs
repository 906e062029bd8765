using System.Collections.Concurrent;
using CollabEdit.Protocol;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// Coalesces each peer's presence per document: at most one broadcast per
/// <see cref="Interval"/>, and the latest update wins (one that arrives sooner is sent when the
/// interval is up). A caret moving as fast as a client can send would otherwise fan out every
/// update to every peer; people cannot see more than a few caret moves a second anyway. What is
/// sent goes to the other processes too (<see cref="IPresenceRelay"/>), at the same pace.
/// </summary>
internal sealed class PresenceThrottle(ConnectionOutboxes outboxes, IPresenceRelay relay, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentDictionary<(string DocumentId, string PeerId), Peer> _peers = new();

    /// <summary>Broadcasts <paramref name="presence"/> to the document's other connections now, or with the peer's next slot.</summary>
    public void Send(string documentId, string connectionId, PeerPresence presence)
    {
        var peer = _peers.GetOrAdd((documentId, presence.PeerId), _ => new Peer());
        lock (peer.Gate)
        {
            if (peer.Left)
            {
                return;
            }

            peer.Latest = presence;
            peer.ConnectionId = connectionId;
            if (peer.Timer is not null)
            {
                return; // A send is due at the end of the interval: it takes the latest.
            }

            var wait = Interval - time.GetElapsedTime(peer.LastSent);
            if (peer.LastSent == 0 || wait <= TimeSpan.Zero)
            {
                SendNow(documentId, peer);
                return;
            }

            peer.Timer = time.CreateTimer(_ => Flush(documentId, peer), null, wait, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The peer left the document: nothing of it is sent after this (its PeerLeft follows).</summary>
    public void Forget(string documentId, string peerId)
    {
        if (_peers.TryRemove((documentId, peerId), out var peer))
        {
            lock (peer.Gate)
            {
                peer.Left = true;
                peer.Timer?.Dispose();
                peer.Timer = null;
            }
        }
    }

    private void Flush(string documentId, Peer peer)
    {
        lock (peer.Gate)
        {
            peer.Timer?.Dispose();
            peer.Timer = null;
            if (!peer.Left)
            {
                SendNow(documentId, peer);
            }
        }
    }

    private void SendNow(string documentId, Peer peer)
    {
        peer.LastSent = time.GetTimestamp();
        outboxes.SendPresence(documentId, peer.ConnectionId!, peer.Latest!);
        relay.Published(documentId, peer.Latest!);
    }

    /// <summary>One peer in one document; its properties are guarded by <see cref="Gate"/>.</summary>
    private sealed class Peer
    {
        public Lock Gate { get; } = new();

        public PeerPresence? Latest { get; set; }

        public string? ConnectionId { get; set; }

        public long LastSent { get; set; }

        public ITimer? Timer { get; set; }

        public bool Left { get; set; }
    }
}
