using System.Globalization;

namespace CollabEdit.LoadDriver;

/// <summary>
/// A shared document is divided into one section per client, each opened by a marker line nobody
/// edits. A client finds its section by its marker, so it types only there, and the final text is
/// known exactly: the markers and each client's own section. A client alone has no marker.
/// </summary>
internal static class Sections
{
    public static string Marker(int index, int count) =>
        count == 1 ? "" : string.Create(CultureInfo.InvariantCulture, $"\n=== section {index + 1} of {count}: nobody edits this line ===\n");

    /// <summary>The document made of these sections, in order.</summary>
    public static string Join(IReadOnlyList<string> sections) =>
        string.Concat(sections.Select((text, i) => Marker(i, sections.Count) + text));

    /// <summary>Where the section after <paramref name="marker"/> starts in <paramref name="text"/>.</summary>
    public static int Start(string text, string marker)
    {
        if (marker.Length == 0)
        {
            return 0;
        }

        int at = text.IndexOf(marker, StringComparison.Ordinal);
        return at < 0 ? throw new InvalidOperationException($"The marker{marker.TrimEnd()} is gone from the document.") : at + marker.Length;
    }
}
