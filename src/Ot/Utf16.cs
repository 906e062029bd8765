namespace CollabEdit.Ot;

/// <summary>UTF-16 well-formedness checks shared by the operation and the document model.</summary>
public static class Utf16
{
    /// <summary>Index of the first unpaired surrogate in <paramref name="text"/>, or -1.</summary>
    public static int IndexOfLoneSurrogate(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (!char.IsSurrogate(c))
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            return i;
        }

        return -1;
    }

    /// <summary>True when position <paramref name="index"/> falls between the halves of a surrogate pair.</summary>
    public static bool SplitsPair(ReadOnlySpan<char> text, int index) =>
        index > 0 && index < text.Length && char.IsHighSurrogate(text[index - 1]) && char.IsLowSurrogate(text[index]);
}
