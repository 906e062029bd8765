using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CollabEdit.Server.Api;

/// <summary>Texts as files: UTF-8 without a byte order mark, named after the document's title.</summary>
internal static class TextFiles
{
    private const int MaxNameLength = 100;

    /// <summary>Strict: a file that is not valid UTF-8 is refused, never patched with U+FFFD.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>An attachment of <paramref name="text"/> named <paramref name="title"/>.<paramref name="extension"/> (md: text/markdown, else text/plain).</summary>
    public static FileContentHttpResult Download(string text, string title, string extension)
    {
        string type = extension == "md" ? "text/markdown; charset=utf-8" : "text/plain; charset=utf-8";
        return TypedResults.File(StrictUtf8.GetBytes(text), type, $"{SafeName(title)}.{extension}");
    }

    /// <summary>
    /// A file name from a title that is safe on every system: no path separators, control
    /// characters or characters Windows refuses, no leading dot, at most 100 units (never half a
    /// surrogate pair); "document" if nothing is left.
    /// </summary>
    public static string SafeName(string title)
    {
        var name = new StringBuilder();
        foreach (char c in title)
        {
            name.Append(char.IsControl(c) || "/\\:*?\"<>|".Contains(c) ? '_' : c);
        }

        string safe = name.ToString().Trim().TrimStart('.').Trim();
        if (safe.Length > MaxNameLength)
        {
            safe = safe[..(char.IsHighSurrogate(safe[MaxNameLength - 1]) ? MaxNameLength - 1 : MaxNameLength)].TrimEnd();
        }

        return safe.Length == 0 ? "document" : safe;
    }
}
