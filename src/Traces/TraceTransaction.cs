namespace CollabEdit.Traces;

/// <summary>One recorded transaction: its patches, in descending position order, applied in turn.</summary>
public sealed record TraceTransaction(DateTimeOffset? Time, IReadOnlyList<TracePatch> Patches);
