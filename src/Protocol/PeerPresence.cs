using MessagePack;

namespace CollabEdit.Protocol;

/// <summary>
/// A peer's name, colour and selection: UTF-16 offsets in the server's text at <see cref="Revision"/>.
/// A receiver holds it until it has applied that revision, then maps it through its own unacknowledged edits.
/// </summary>
[MessagePackObject]
public sealed record PeerPresence(
    [property: Key("peerId")] string PeerId,
    [property: Key("name")] string Name,
    [property: Key("color")] string Color,
    [property: Key("anchor")] int Anchor,
    [property: Key("head")] int Head,
    [property: Key("revision")] int Revision = 0);
