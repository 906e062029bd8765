using CollabEdit.Ot;
using MessagePack;

namespace CollabEdit.Protocol;

/// <summary>One committed op as <c>Catchup</c> returns it.</summary>
[MessagePackObject]
public sealed record CommittedOpMessage(
    [property: Key("revision")] int Revision,
    [property: Key("op")] TextOperation Op,
    [property: Key("peerId")] string PeerId);
