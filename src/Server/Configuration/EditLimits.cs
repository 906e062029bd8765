using System.ComponentModel.DataAnnotations;
using CollabEdit.Ot.Sync;

namespace CollabEdit.Server.Configuration;

/// <summary>
/// How large an op, a document and a history page may be, and how far behind a submit may be
/// (configuration section <c>CollabEdit</c>; the reasons are in docs/protocol.md, "Limits").
/// </summary>
public sealed class EditLimits
{
    /// <summary>How many revisions a submit's base may lag behind and still be transformed.</summary>
    [Range(1, int.MaxValue)]
    public int MaxRevisionLag { get; set; } = ServerAuthority.DefaultMaxHistory;

    /// <summary>
    /// How many revisions further back than <see cref="MaxRevisionLag"/> a submit's base may be and
    /// still be transformed, from ops read from storage: a resend after <c>unavailable</c> keeps its
    /// base while a busy document moves on. 0 refuses anything past the lag.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxResendLag { get; set; } = 10_000;

    /// <summary>Largest op, in UTF-16 code units inserted plus deleted: a 1 MB paste fits at once.</summary>
    [Range(1, int.MaxValue)]
    public int MaxOpLength { get; set; } = 2 * 1024 * 1024;

    /// <summary>
    /// Most components (retains, inserts, deletes) in one op: with <see cref="MaxOpLength"/> this bounds
    /// an op's size in storage, whatever its wire size.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxOpComponents { get; set; } = 100_000;

    /// <summary>Largest document, in UTF-16 code units.</summary>
    [Range(0, int.MaxValue)]
    public int MaxDocumentLength { get; set; } = 8 * 1024 * 1024;

    /// <summary>Most ops one history page returns.</summary>
    [Range(1, int.MaxValue)]
    public int MaxHistoryPage { get; set; } = 1000;

    /// <summary>
    /// Bytes (estimated from UTF-8, an upper bound) after which a <c>Catchup</c> answer is cut; the
    /// client asks again from the last revision it got. At least one op is always sent.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxCatchupBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Bytes (estimated as for <see cref="MaxCatchupBytes"/>) after which a history page is cut.</summary>
    [Range(1, long.MaxValue)]
    public long MaxHistoryPageBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Bytes of history (estimated, as committed and as sent) one document may add a second, from all its clients together.</summary>
    [Range(1, int.MaxValue)]
    public int DocumentWriteBytesPerSecond { get; set; } = 1024 * 1024;

    /// <summary>Bytes of history one document may add in a burst (a few large pastes); more is <c>rate-limited</c>.</summary>
    [Range(1, int.MaxValue)]
    public int DocumentWriteBurstBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>
    /// Bytes of history (estimated as stored: each op as committed and as sent) one document may
    /// hold; a submit beyond it is refused with <c>quota-exceeded</c>. Counted from the first write
    /// by a server that counts them (documents written before start at 0).
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxDocumentStoredBytes { get; set; } = 256L * 1024 * 1024;
}
