using MessagePack;

namespace CollabEdit.Protocol;

/// <summary>The author a peer's ops are credited to.</summary>
[MessagePackObject]
public sealed record PeerAuthorMessage(
    [property: Key("peerId")] string PeerId,
    [property: Key("authorId")] string? AuthorId,
    [property: Key("authorName")] string AuthorName,
    [property: Key("guest")] bool Guest);
