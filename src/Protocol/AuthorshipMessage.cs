using MessagePack;

namespace CollabEdit.Protocol;

/// <summary>
/// Who wrote each unit of a document's text at <see cref="Revision"/> (the answer to the hub's
/// <c>Authorship</c> and to <c>GET /api/documents/{id}/authorship</c>): the spans' lengths sum to
/// the text's length in UTF-16 code units. <see cref="Peers"/> names the author of each peer
/// present whose ops this process has seen, so a client can credit an <c>Op</c> (which carries
/// its peer id) to its author and keep the spans up to date itself.
/// </summary>
[MessagePackObject]
public sealed record AuthorshipMessage(
    [property: Key("revision")] int Revision,
    [property: Key("spans")] AuthorshipSpanMessage[] Spans,
    [property: Key("peers")] PeerAuthorMessage[] Peers);
