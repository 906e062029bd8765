using System.Collections.Concurrent;

namespace CollabEdit.LoadDriver;

/// <summary>
/// Remote latency for one document. The author of each commit learns its revision from its ack
/// and records when the edits it carried were made; every other client reports when it has
/// applied that revision. Either may come first (an op's broadcast can overtake its ack), so
/// whichever comes second records the latency: edit made → another client applied it.
/// </summary>
internal sealed class RevisionLedger(RunClock clock, LatencyHistogram remote)
{
    private readonly ConcurrentDictionary<int, Entry> _entries = new();

    /// <summary>Revision <paramref name="revision"/> was committed by client <paramref name="author"/>, carrying edits made at <paramref name="madeAt"/>.</summary>
    public void Committed(int revision, int author, long[] madeAt)
    {
        var entry = _entries.GetOrAdd(revision, static _ => new Entry());
        lock (entry)
        {
            entry.Author = author;
            entry.MadeAt = madeAt;
            if (entry.Early is { } early)
            {
                foreach (var (receiver, appliedAt) in early)
                {
                    if (receiver != author)
                    {
                        RecordAll(madeAt, appliedAt);
                    }
                }

                entry.Early = null;
            }
        }
    }

    /// <summary>Client <paramref name="receiver"/> has applied every revision up to <paramref name="revision"/> at <paramref name="appliedAt"/>.</summary>
    public void Applied(int revision, int receiver, long appliedAt)
    {
        var entry = _entries.GetOrAdd(revision, static _ => new Entry());
        lock (entry)
        {
            if (entry.MadeAt is null)
            {
                (entry.Early ??= []).Add((receiver, appliedAt));
            }
            else if (receiver != entry.Author)
            {
                RecordAll(entry.MadeAt, appliedAt);
            }
        }
    }

    private void RecordAll(long[] madeAt, long appliedAt)
    {
        foreach (long made in madeAt)
        {
            if (clock.IsMeasured(made))
            {
                remote.Record(made, appliedAt);
            }
        }
    }

    private sealed class Entry
    {
        public int Author { get; set; } = -1;

        public long[]? MadeAt { get; set; }

        public List<(int Receiver, long AppliedAt)>? Early { get; set; }
    }
}
