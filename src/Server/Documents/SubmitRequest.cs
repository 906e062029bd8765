using CollabEdit.Ot;

namespace CollabEdit.Server.Documents;

/// <summary>A submit as the session receives it: the client's op plus who sent it (and, for a restore, the revision it brings back).</summary>
public sealed record SubmitRequest(
    string ClientId,
    long Seq,
    int BaseRevision,
    TextOperation Operation,
    string Author,
    string PeerId,
    string? ConnectionId,
    int? RestoredFrom = null);
