using MessagePack;

namespace CollabEdit.Protocol;

/// <summary>
/// The answer to <c>Open</c>: the document at <see cref="Revision"/>, the caller's peer id, who
/// else is here, the caller's role (<c>owner</c>, <c>editor</c>, <c>viewer</c>) and the name the
/// server shows for the caller (an account's display name, or a link guest's given name marked as a guest).
/// </summary>
[MessagePackObject]
public sealed record OpenResult(
    [property: Key("revision")] int Revision,
    [property: Key("text")] string Text,
    [property: Key("peerId")] string PeerId,
    [property: Key("peers")] PeerPresence[] Peers,
    [property: Key("role")] string Role,
    [property: Key("name")] string Name);
