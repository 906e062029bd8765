using CollabEdit.Server.Storage;

namespace CollabEdit.Server.Documents;

/// <summary>
/// Finds documents by a piece of their title or current text, case-insensitively (ordinal). The
/// cost is bounded: only current texts are searched, of at most <see cref="MaxDocuments"/>
/// documents (the most recently edited first) and <see cref="MaxUnits"/> UTF-16 units in all;
/// the documents past either bound are matched by title only, and the answer says it was cut.
/// </summary>
internal static class DocumentSearch
{
    public const int MaxDocuments = 1000;
    public const long MaxUnits = 64L * 1024 * 1024;

    /// <summary>The response header set when some documents were matched by title only.</summary>
    public const string TruncatedHeader = "X-CollabEdit-Search-Truncated";

    public sealed record Result(HashSet<string> Matches, bool Truncated);

    public static Result Filter(IDocumentStorage store, IEnumerable<StoredDocument> documents, Func<StoredDocument, string> titleOf, string query, CancellationToken cancellationToken)
    {
        var matches = new HashSet<string>(StringComparer.Ordinal);
        int searched = 0;
        long units = 0;
        bool truncated = false;
        foreach (var document in documents.OrderByDescending(d => d.UpdatedAt))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (titleOf(document).Contains(query, StringComparison.OrdinalIgnoreCase))
            {
                matches.Add(document.Id);
                continue;
            }

            if (searched >= MaxDocuments || units >= MaxUnits)
            {
                truncated = true;
                continue;
            }

            string text = RevisionTexts.At(store, document.Id, document.Revision, cancellationToken);
            searched++;
            units += text.Length;
            if (text.Contains(query, StringComparison.OrdinalIgnoreCase))
            {
                matches.Add(document.Id);
            }
        }

        return new Result(matches, truncated);
    }
}
