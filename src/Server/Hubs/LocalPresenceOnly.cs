using CollabEdit.Protocol;

namespace CollabEdit.Server.Hubs;

/// <summary>One process serves every document (LiteDB): presence never leaves it.</summary>
internal sealed class LocalPresenceOnly : IPresenceRelay
{
    public void Published(string documentId, PeerPresence presence)
    {
    }

    public void Left(string documentId, string peerId)
    {
    }

    public IReadOnlyList<PeerPresence> Remote(string documentId) => [];
}
