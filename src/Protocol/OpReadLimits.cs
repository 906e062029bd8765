namespace CollabEdit.Protocol;

/// <summary>
/// What a server reads of a loosely typed op before it stops: more components or more UTF-16
/// units of inserted text than this, and the rest is skipped unread into an <see cref="OversizedValue"/>.
/// </summary>
public sealed record OpReadLimits(int MaxComponents, long MaxTextLength)
{
    /// <summary>No limit: clients, which read only what their server sends.</summary>
    public static OpReadLimits None { get; } = new(int.MaxValue, long.MaxValue);
}
