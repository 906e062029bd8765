using CollabEdit.Ot;
using CollabEdit.Ot.Sync;

namespace CollabEdit.Server.Storage;

/// <summary>
/// One op of the log: the op as the authority committed it (with the submit it came from, so a
/// retry is recognised after a reload), and what only storage and history keep: its document, who
/// made it and when (server time), and for a restore the revision whose text it brought back.
/// </summary>
public sealed record StoredOp(
    string DocumentId,
    CommittedOp Op,
    string Author,
    string PeerId,
    DateTimeOffset Timestamp,
    int? RestoredFrom = null)
{
    /// <summary>The revision this op produced.</summary>
    public int Revision => Op.Revision;

    /// <summary>The op as committed (applying to the revision before it).</summary>
    public TextOperation Operation => Op.Operation;
}
