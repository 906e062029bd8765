using CollabEdit.Ot;
using CollabEdit.Server.Api;

namespace CollabEdit.Server.Tests;

internal static class Replay
{
    /// <summary>Applies the REST history, in order, to the initial text.</summary>
    public static string Apply(string initial, IEnumerable<HistoryEntry> history)
    {
        var document = new TextDocument(initial);
        int expected = 1;
        foreach (var entry in history)
        {
            Assert.Equal(expected++, entry.Revision);
            document.Apply(entry.Op);
        }

        return document.ToString();
    }
}
