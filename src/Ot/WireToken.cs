namespace CollabEdit.Ot;

/// <summary>
/// One element of the wire form: the text of an insert, or else a signed count (a retain
/// positive, a delete negative). <see cref="WireFormat.TokenOf"/> is the one place that decides it.
/// </summary>
public readonly record struct WireToken(int Count, string? Text)
{
    /// <summary>True for an insert's text, false for a count.</summary>
    public bool IsText => Text is not null;
}
