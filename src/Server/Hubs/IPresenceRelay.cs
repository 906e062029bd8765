using CollabEdit.Protocol;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// Carries presence between processes that serve the same documents (PostgreSQL): this process's
/// peers' presence and leaving go out, other processes' peers come in and reach this process's
/// connections as if they were local. With one process (LiteDB) it does nothing.
/// </summary>
internal interface IPresenceRelay
{
    /// <summary>A peer of this process sent presence (already throttled per peer): others hear it, latest wins.</summary>
    void Published(string documentId, PeerPresence presence);

    /// <summary>A peer of this process left the document (closed it, disconnected).</summary>
    void Left(string documentId, string peerId);

    /// <summary>The peers of <paramref name="documentId"/> present through other processes, for an Open's peer list.</summary>
    IReadOnlyList<PeerPresence> Remote(string documentId);
}
