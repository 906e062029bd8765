using MessagePack;

namespace CollabEdit.Protocol;

/// <summary>A peer's name, colour and selection (UTF-16 offsets in that peer's text when sent).</summary>
[MessagePackObject]
public sealed record PeerPresence(
    [property: Key("peerId")] string PeerId,
    [property: Key("name")] string Name,
    [property: Key("color")] string Color,
    [property: Key("anchor")] int Anchor,
    [property: Key("head")] int Head);
