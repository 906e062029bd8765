namespace CollabEdit.Ot.Sync;

/// <summary>
/// One committed op as the authority keeps it: its revision, the op (applying to revision - 1),
/// and who submitted it, so a retry of the same (clientId, seq) can be recognised after a reload.
/// </summary>
/// <param name="Revision">The revision this op produced.</param>
/// <param name="Operation">The op as committed.</param>
/// <param name="ClientId">The submitter's private client id.</param>
/// <param name="Seq">The submitter's sequence number for this op.</param>
/// <param name="BaseRevision">The base revision the client submitted against.</param>
/// <param name="Submitted">The op exactly as the client sent it (before transformation).</param>
public sealed record CommittedOp(
    int Revision,
    TextOperation Operation,
    string ClientId,
    long Seq,
    int BaseRevision,
    TextOperation Submitted);
