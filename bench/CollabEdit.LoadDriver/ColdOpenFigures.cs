namespace CollabEdit.LoadDriver;

/// <summary>S5: how long <c>Open</c> takes on a long history after a restart.</summary>
/// <param name="HistoryOps">Revisions of the document.</param>
/// <param name="DocumentLength">Its text's length.</param>
/// <param name="PopulateSeconds">Time to commit the history (closed-loop clients).</param>
/// <param name="FirstOpenMs">Per restart: the first Open of the process (hub path not yet JIT-compiled), page cache evicted.</param>
/// <param name="WarmOpenMs">Per restart: Open after a small document was opened first (JIT warm, this document's data cold).</param>
/// <param name="FirstOpenMedianMs">The median of <paramref name="FirstOpenMs"/>.</param>
/// <param name="WarmOpenMedianMs">The median of <paramref name="WarmOpenMs"/>.</param>
/// <param name="PageCacheEvicted">Whether posix_fadvise(DONTNEED) on the LiteDB file succeeded before each restart.</param>
internal sealed record ColdOpenFigures(
    int HistoryOps,
    int DocumentLength,
    double PopulateSeconds,
    IReadOnlyList<double> FirstOpenMs,
    IReadOnlyList<double> WarmOpenMs,
    double FirstOpenMedianMs,
    double WarmOpenMedianMs,
    bool PageCacheEvicted);
