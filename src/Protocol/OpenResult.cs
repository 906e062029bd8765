using MessagePack;

namespace CollabEdit.Protocol;

/// <summary>The answer to <c>Open</c>: the document at <see cref="Revision"/>, the caller's peer id and who else is here.</summary>
[MessagePackObject]
public sealed record OpenResult(
    [property: Key("revision")] int Revision,
    [property: Key("text")] string Text,
    [property: Key("peerId")] string PeerId,
    [property: Key("peers")] PeerPresence[] Peers);
