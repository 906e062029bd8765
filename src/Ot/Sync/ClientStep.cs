namespace CollabEdit.Ot.Sync;

/// <summary>
/// What the client must do after an event: apply <see cref="Apply"/> to the local text in order,
/// then send <see cref="Send"/> if there is one.
/// </summary>
/// <param name="Apply">Remote ops, transformed to apply to the local text, in order.</param>
/// <param name="Send">An op to submit now, or null.</param>
public sealed record ClientStep(IReadOnlyList<TextOperation> Apply, Submission? Send)
{
    /// <summary>Nothing to do.</summary>
    public static ClientStep None { get; } = new([], null);
}
