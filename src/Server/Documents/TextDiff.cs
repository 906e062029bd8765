using CollabEdit.Ot;

namespace CollabEdit.Server.Documents;

/// <summary>The op turning one text into another: keep the common prefix and suffix, replace the middle.</summary>
public static class TextDiff
{
    public static TextOperation Between(string from, string to)
    {
        int prefix = 0;
        int max = Math.Min(from.Length, to.Length);
        while (prefix < max && from[prefix] == to[prefix])
        {
            prefix++;
        }

        int suffix = 0;
        while (suffix < max - prefix && from[from.Length - 1 - suffix] == to[to.Length - 1 - suffix])
        {
            suffix++;
        }

        // Never cut a surrogate pair: widen the changed middle to whole pairs.
        if (prefix > 0 && char.IsHighSurrogate(from[prefix - 1]))
        {
            prefix--;
        }

        if (suffix > 0 && char.IsLowSurrogate(from[from.Length - suffix]))
        {
            suffix--;
        }

        return TextOperation.Builder()
            .Retain(prefix)
            .Insert(to.Substring(prefix, to.Length - prefix - suffix))
            .Delete(from.Length - prefix - suffix)
            .Retain(suffix)
            .Build();
    }
}
