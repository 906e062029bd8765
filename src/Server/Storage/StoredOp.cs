using CollabEdit.Ot;

namespace CollabEdit.Server.Storage;

/// <summary>
/// One op of the log: the op as committed, who and when (server time), and the submit it came
/// from (clientId, seq, base revision and the op as sent) so a retry is recognised after reload.
/// </summary>
public sealed record StoredOp(
    string DocumentId,
    int Revision,
    TextOperation Operation,
    string Author,
    string PeerId,
    DateTimeOffset Timestamp,
    string ClientId,
    long Seq,
    int BaseRevision,
    TextOperation Submitted);
