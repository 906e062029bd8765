namespace CollabEdit.Ot;

/// <summary>
/// Inserts <see cref="Text"/> at the current position. The text is never empty and never
/// contains a lone surrogate.
/// </summary>
public sealed record Insert : OpComponent
{
    /// <summary>Creates an insert; <paramref name="text"/> must be non-empty, well-formed UTF-16.</summary>
    public Insert(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            throw new InvalidTextOperationException("Insert: the text must not be empty.");
        }

        int lone = Utf16.IndexOfLoneSurrogate(text);
        if (lone >= 0)
        {
            throw new InvalidTextOperationException(
                $"Insert: the text has a lone surrogate at index {lone} (length {text.Length}).");
        }

        Text = text;
    }

    /// <summary>The inserted text; non-empty and well-formed UTF-16.</summary>
    public string Text { get; }

    /// <inheritdoc/>
    public override int BaseLength => 0;

    /// <inheritdoc/>
    public override int TargetLength => Text.Length;

    /// <inheritdoc/>
    public override string ToString() => $"insert \"{Text}\"";
}
