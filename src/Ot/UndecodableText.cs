namespace CollabEdit.Ot;

/// <summary>
/// What a decoder hands on for a string token whose bytes are not valid UTF-8 (for example a lone
/// surrogate written as WTF-8 by a JavaScript encoder), so validation can refuse it by name
/// instead of the text being silently changed to U+FFFD.
/// </summary>
public sealed class UndecodableText
{
    /// <summary>The one instance: the marker carries nothing but its kind.</summary>
    public static readonly UndecodableText Instance = new();

    private UndecodableText()
    {
    }
}
