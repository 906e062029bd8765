using CollabEdit.Ot;
using CollabEdit.Protocol;
using CollabEdit.Server.Access;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Documents;
using CollabEdit.Server.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Api;

/// <summary>
/// History as people read it: editing sessions paged back to revision 0, a compare of any two
/// revisions coloured by author, who wrote what at a revision, and a revision's text as a file.
/// Every read costs a snapshot plus at most the snapshot interval of ops per text it needs, is
/// bounded in bytes, and stops when the client goes (its <see cref="CancellationToken"/> is the
/// request's <c>RequestAborted</c>).
/// </summary>
public static class HistoryApi
{
    private const int DefaultSessionsPage = 20;
    private const int MaxSessionsPage = 200;

    public static RouteGroupBuilder MapHistoryApi(this RouteGroupBuilder api)
    {
        api.MapGet("/{id}/sessions", Sessions).WithSummary("Editing sessions (one author, no pause over 5 minutes) before `before`, newest first, at most `limit`.");
        api.MapGet("/{id}/compare", Compare).WithSummary("The difference between the texts at `from` and `to`, inserted and deleted text credited to its authors.");
        api.MapGet("/{id}/authorship", AuthorshipAt).WithSummary("Who wrote each part of the text at `revision` (default: current).");
        api.MapGet("/{id}/revisions/{revision:int}/download", DownloadRevision).WithSummary("The text at a revision as a text/plain file.");
        return api;
    }

    [RequiresCapability(Capability.ViewHistory)]
    private static Results<Ok<SessionsPage>, ProblemHttpResult> Sessions(
        string id, IDocumentStorage store, IOptions<EditLimits> limits, CancellationToken cancellationToken, int? before = null, int? limit = null)
    {
        if (Problems.Find(id, store, out var document) is { } problem)
        {
            return problem;
        }

        int end = before ?? document.Revision + 1;
        int pageSize = limit ?? DefaultSessionsPage;
        if (end < 1 || end > document.Revision + 1)
        {
            return Problems.Problem(StatusCodes.Status400BadRequest, "Revision out of range", $"before must be 1…{document.Revision + 1}, got {end}.");
        }

        if (pageSize < 1 || pageSize > MaxSessionsPage)
        {
            return Problems.Problem(StatusCodes.Status400BadRequest, "Invalid limit", $"limit must be 1…{MaxSessionsPage}, got {pageSize}.");
        }

        var groups = EditSessions.Read(store, id, end, pageSize, limits.Value.MaxHistoryPageBytes, out int? olderBefore, cancellationToken);
        return TypedResults.Ok(new SessionsPage([.. groups.Select(ToSessionGroup)], olderBefore));
    }

    [RequiresCapability(Capability.ViewHistory)]
    private static Results<Ok<CompareResult>, ProblemHttpResult> Compare(
        string id, IDocumentStorage store, IOptions<EditLimits> limits, CancellationToken cancellationToken, int? from = null, int? to = null)
    {
        if (Problems.Find(id, store, out var document) is { } problem)
        {
            return problem;
        }

        int start = from ?? 0;
        int end = to ?? document.Revision;
        if (Problems.Range(start, end, document.Revision, ordered: false) is { } invalid)
        {
            return invalid;
        }

        string before = RevisionTexts.At(store, id, start, cancellationToken);
        string after = RevisionTexts.At(store, id, end, cancellationToken);
        int max = limits.Value.MaxDocumentLength;
        if (before.Length > max || after.Length > max)
        {
            return Problems.Problem(ErrorCodes.TooLarge, $"A text of this range is longer than {max} UTF-16 code units; compare smaller revisions or download them.");
        }

        var authorsBefore = AuthorshipHistory.At(store, document, start, cancellationToken);
        var authorsAfter = AuthorshipHistory.At(store, document, end, cancellationToken);
        var spans = new List<CompareSpan>();
        foreach (var piece in LineDiff.Between(before, after, cancellationToken))
        {
            switch (piece.Kind)
            {
                case DiffKind.Equal:
                    spans.Add(new CompareSpan("equal", after.Substring(piece.ToOffset, piece.Length)));
                    break;
                case DiffKind.Insert:
                    AddCredited(spans, "insert", after, piece.ToOffset, piece.Length, authorsAfter);
                    break;
                case DiffKind.Delete:
                    AddCredited(spans, "delete", before, piece.FromOffset, piece.Length, authorsBefore);
                    break;
            }
        }

        return TypedResults.Ok(new CompareResult(start, end, [.. spans]));
    }

    [RequiresCapability(Capability.ViewHistory)]
    private static Results<Ok<AuthorshipResult>, ProblemHttpResult> AuthorshipAt(string id, IDocumentStorage store, CancellationToken cancellationToken, int? revision = null)
    {
        if (Problems.Find(id, store, out var document) is { } problem)
        {
            return problem;
        }

        int at = revision ?? document.Revision;
        if (at < 0 || at > document.Revision)
        {
            return Problems.OutOfRange("revision", at, document.Revision);
        }

        var authorship = AuthorshipHistory.At(store, document, at, cancellationToken);
        return TypedResults.Ok(new AuthorshipResult(at, AuthorshipHistory.ToMessages(authorship)));
    }

    [RequiresCapability(Capability.ViewHistory)]
    private static Results<FileContentHttpResult, ProblemHttpResult> DownloadRevision(
        string id, int revision, IDocumentStorage store, DocumentAccess access, CancellationToken cancellationToken)
    {
        if (Problems.Find(id, store, out var document) is { } problem)
        {
            return problem;
        }

        if (revision < 0 || revision > document.Revision)
        {
            return Problems.OutOfRange("revision", revision, document.Revision);
        }

        string text = RevisionTexts.At(store, id, revision, cancellationToken);
        return TextFiles.Download(text, $"{access.TitleOf(document)} r{revision}", "txt");
    }

    private static void AddCredited(List<CompareSpan> spans, string kind, string text, int offset, int length, Authorship authorship)
    {
        int position = offset;
        foreach (var span in authorship.Slice(offset, length))
        {
            var author = OpAuthor.Parse(span.Author);
            spans.Add(new CompareSpan(kind, text.Substring(position, span.Length), author.AccountId, author.Name, author.IsGuest));
            position += span.Length;
        }
    }

    private static SessionGroup ToSessionGroup(EditSessions.Group group)
    {
        var author = OpAuthor.Parse(group.Author);
        return new SessionGroup(
            group.FromRevision,
            group.ToRevision,
            [new AuthorInfo(author.AccountId, author.Name, author.IsGuest)],
            group.StartedAt,
            group.EndedAt,
            group.Added,
            group.Removed,
            group.FirstChangedLine,
            group.Preview,
            group.RestoredFrom);
    }
}
