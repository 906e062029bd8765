using CollabEdit.Protocol;
using CollabEdit.Server.Documents;
using CollabEdit.Server.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CollabEdit.Server.Api;

/// <summary>The REST API's common checks and problem details (RFC 7807).</summary>
internal static class Problems
{
    /// <summary>A malformed id (400) or a missing document (404); null when <paramref name="document"/> was found.</summary>
    public static ProblemHttpResult? Find(string id, IDocumentStorage store, out StoredDocument document)
    {
        document = null!;
        if (!DocumentIds.IsValid(id))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid document id", "Document ids are 1–64 characters of A–Z, a–z, 0–9, '-' and '_'.");
        }

        var found = store.GetDocument(id);
        if (found is null)
        {
            return Problem(ErrorCodes.NotFound, $"No document {id}.");
        }

        document = found;
        return null;
    }

    /// <summary>A range of revisions out of 0…<paramref name="revision"/> or out of order (400); null when valid.</summary>
    public static ProblemHttpResult? Range(int from, int to, int revision, bool ordered = true)
    {
        if (from < 0 || from > revision)
        {
            return OutOfRange("from", from, revision);
        }

        if (to < 0 || to > revision)
        {
            return OutOfRange("to", to, revision);
        }

        return ordered && from > to ? Problem(StatusCodes.Status400BadRequest, "Invalid range", $"from ({from}) is after to ({to}).") : null;
    }

    public static ProblemHttpResult OutOfRange(string name, int value, int revision) =>
        Problem(StatusCodes.Status400BadRequest, "Revision out of range", $"{name} must be 0…{revision}, got {value}.");

    public static ProblemHttpResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);

    /// <summary>A problem titled with an error code, at the status <see cref="ErrorStatus"/> maps it to.</summary>
    public static ProblemHttpResult Problem(string code, string detail) => Problem(ErrorStatus.Of(code), code, detail);
}
