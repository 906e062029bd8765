namespace CollabEdit.Protocol;

/// <summary>
/// A loosely typed argument (an op) that was larger than its reader's limits: the reader skipped
/// the rest without materialising it, and validation answers <c>too-large</c> with <see cref="Reason"/>.
/// </summary>
public sealed class OversizedValue(string reason)
{
    public string Reason { get; } = reason;

    public override string ToString() => Reason;
}
