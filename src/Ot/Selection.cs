namespace CollabEdit.Ot;

/// <summary>
/// A caret or selection in UTF-16 offsets: <see cref="Anchor"/> stays put while extending,
/// <see cref="Head"/> moves. Equal ends mean a plain caret.
/// </summary>
/// <param name="Anchor">The fixed end.</param>
/// <param name="Head">The moving end (where the caret is drawn).</param>
public readonly record struct Selection(int Anchor, int Head)
{
    /// <summary>A caret at <paramref name="index"/>.</summary>
    public static Selection Caret(int index) => new(index, index);
}
