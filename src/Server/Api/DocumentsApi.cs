using CollabEdit.Ot;
using CollabEdit.Protocol;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Documents;
using CollabEdit.Server.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Api;

/// <summary>
/// The document history REST API (docs/design.md). JSON in and out; every error is an RFC 7807
/// problem detail (an exception with an error code is answered by <see cref="CollabExceptionHandler"/>).
/// Reads come from the store (durable state only); anything that changes the text (restore) goes
/// through the document's session like any client's op.
/// </summary>
public static class DocumentsApi
{
    private const int MaxTitleLength = 200;
    private const int MaxVersionNameLength = 200;
    private const int DefaultHistoryPage = 100;

    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/documents").WithTags("Documents");
        api.MapGet("/", List).WithSummary("Every document: id, title, revision, last edit.");
        api.MapPost("/", CreateAsync).WithSummary("Creates a document.").RequireRateLimiting(ApiRateLimits.CreateDocument);
        api.MapGet("/{id}", Get).WithSummary("A document with its current text.");
        api.MapGet("/{id}/history", History).WithSummary("Committed ops after `from`, oldest first, at most `limit`.");
        api.MapGet("/{id}/revisions/{revision:int}", TextAt).WithSummary("The text at a revision.");
        api.MapGet("/{id}/diff", Diff).WithSummary("One composed op from `from` to `to`.");
        api.MapPost("/{id}/restore", RestoreAsync).WithSummary("Commits an op that brings the text back to a revision.");
        api.MapGet("/{id}/versions", Versions).WithSummary("Named versions.");
        api.MapPost("/{id}/versions", CreateVersionAsync).WithSummary("Pins a name to a revision (default: current).");
        api.MapDelete("/{id}", DeleteAsync).WithSummary("Deletes a document and its history.");
        routes.MapGet("/api/limits", Limits).WithTags("Documents")
            .WithSummary("The size limits a client checks before it sends an edit (docs/protocol.md).");
        return routes;
    }

    private static Ok<ClientLimits> Limits(IOptions<EditLimits> limits) =>
        TypedResults.Ok(new ClientLimits(limits.Value.MaxOpLength, limits.Value.MaxDocumentLength, limits.Value.MaxOpComponents));

    private static Ok<DocumentSummary[]> List(IDocumentStorage store) =>
        TypedResults.Ok(store.ListDocuments().Select(d => new DocumentSummary(d.Id, d.Title, d.Revision, d.UpdatedAt)).ToArray());

    private static async Task<Results<Created<DocumentDetails>, ProblemHttpResult>> CreateAsync(
        HttpRequest http, CreateDocumentRequest? request, IDocumentStorage store, IOptions<EditLimits> limits, TimeProvider time)
    {
        // Only JSON makes a browser ask (CORS preflight) before sending cross-site; an empty or
        // form-encoded POST would let any page a user visits create documents on their server.
        if (!http.HasJsonContentType())
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the request as application/json (an empty object creates an empty document).");
        }

        string title = string.IsNullOrWhiteSpace(request?.Title) ? "Untitled" : request.Title.Trim();
        string text = request?.Text ?? "";
        if (title.Length > MaxTitleLength)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid title", $"The title is longer than {MaxTitleLength} characters.");
        }

        if (text.Length > limits.Value.MaxDocumentLength)
        {
            return Problem(ErrorCodes.TooLarge, $"The text is longer than {limits.Value.MaxDocumentLength} UTF-16 code units.");
        }

        if (HasLoneSurrogate(text) || HasLoneSurrogate(title))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid text", "The text or title contains a lone surrogate.");
        }

        var now = time.Now();
        var document = new StoredDocument(DocumentIds.New(), title, 0, now, now);
        await store.CreateDocumentAsync(document, text).ConfigureAwait(false);
        var details = new DocumentDetails(document.Id, title, 0, text, now, now);
        return TypedResults.Created($"/api/documents/{document.Id}", details);
    }

    private static Results<Ok<DocumentDetails>, ProblemHttpResult> Get(string id, IDocumentStorage store)
    {
        if (Find(id, store, out var document) is { } problem)
        {
            return problem;
        }

        string text = store.TextAt(id, document.Revision);
        return TypedResults.Ok(new DocumentDetails(document.Id, document.Title, document.Revision, text, document.CreatedAt, document.UpdatedAt));
    }

    private static Results<Ok<HistoryEntry[]>, ProblemHttpResult> History(
        string id, IDocumentStorage store, IOptions<EditLimits> limits, int? from = null, int? limit = null)
    {
        if (Find(id, store, out var document) is { } problem)
        {
            return problem;
        }

        int after = from ?? 0;
        int pageSize = limit ?? DefaultHistoryPage;
        if (after < 0 || after > document.Revision)
        {
            return OutOfRange("from", after, document.Revision);
        }

        if (pageSize < 1 || pageSize > limits.Value.MaxHistoryPage)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid limit", $"limit must be 1…{limits.Value.MaxHistoryPage}, got {pageSize}.");
        }

        // Cut by bytes too (MaxHistoryPageBytes): the next page starts from the last revision returned, as always.
        var ops = OpPages.Read(store, id, after, document.Revision, pageSize, limits.Value.MaxHistoryPageBytes, out _);
        return TypedResults.Ok(ops.Select(op => new HistoryEntry(op.Revision, op.Operation, op.Author, op.Timestamp)).ToArray());
    }

    private static Results<Ok<RevisionText>, ProblemHttpResult> TextAt(string id, int revision, IDocumentStorage store)
    {
        if (Find(id, store, out var document) is { } problem)
        {
            return problem;
        }

        if (revision < 0 || revision > document.Revision)
        {
            return OutOfRange("revision", revision, document.Revision);
        }

        return TypedResults.Ok(new RevisionText(revision, store.TextAt(id, revision)));
    }

    private static Results<Ok<DiffResult>, ProblemHttpResult> Diff(string id, IDocumentStorage store, int? from = null, int? to = null)
    {
        if (Find(id, store, out var document) is { } problem)
        {
            return problem;
        }

        int start = from ?? 0;
        int end = to ?? document.Revision;
        if (start < 0 || start > document.Revision)
        {
            return OutOfRange("from", start, document.Revision);
        }

        if (end < 0 || end > document.Revision)
        {
            return OutOfRange("to", end, document.Revision);
        }

        if (start > end)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid range", $"from ({start}) is after to ({end}).");
        }

        // The first op's base length is the text's length at `from`; only an empty range needs the text.
        var ops = store.ReadOps(id, start, end);
        var op = ops.Count == 0 ? TextOperation.Identity(store.TextAt(id, start).Length) : ops[0].Operation;
        foreach (var stored in ops.Skip(1))
        {
            op = TextOperation.Compose(op, stored.Operation);
        }

        return TypedResults.Ok(new DiffResult(start, end, op));
    }

    private static async Task<Results<Ok<RestoreResult>, ProblemHttpResult>> RestoreAsync(
        string id, RestoreRequest? request, IDocumentStorage store, DocumentRegistry registry)
    {
        if (Find(id, store, out var document) is { } problem)
        {
            return problem;
        }

        if (request?.Revision is not int revision)
        {
            return Problem(StatusCodes.Status400BadRequest, "Missing revision", "The body must be { \"revision\": n }.");
        }

        if (revision < 0 || revision > document.Revision)
        {
            return OutOfRange("revision", revision, document.Revision);
        }

        // A refusal (too-large, say) or a failed write propagates to CollabExceptionHandler.
        string text = store.TextAt(id, revision);
        int committed = await registry.RunAsync(id, session => session.RestoreAsync(text, $"Restore of revision {revision}")).ConfigureAwait(false);
        return TypedResults.Ok(new RestoreResult(committed, revision));
    }

    private static Results<Ok<VersionInfo[]>, ProblemHttpResult> Versions(string id, IDocumentStorage store)
    {
        if (Find(id, store, out _) is { } problem)
        {
            return problem;
        }

        return TypedResults.Ok(store.ListVersions(id).Select(v => new VersionInfo(v.Name, v.Revision, v.CreatedAt)).ToArray());
    }

    private static async Task<Results<Created<VersionInfo>, ProblemHttpResult>> CreateVersionAsync(
        string id, CreateVersionRequest? request, IDocumentStorage store, TimeProvider time)
    {
        if (Find(id, store, out var document) is { } problem)
        {
            return problem;
        }

        string name = request?.Name?.Trim() ?? "";
        if (name.Length == 0 || name.Length > MaxVersionNameLength || HasLoneSurrogate(name))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid name", $"A version needs a name of 1…{MaxVersionNameLength} characters.");
        }

        int revision = request!.Revision ?? document.Revision;
        if (revision < 0 || revision > document.Revision)
        {
            return OutOfRange("revision", revision, document.Revision);
        }

        var version = new NamedVersion(name, revision, time.Now());
        await store.AddVersionAsync(id, version).ConfigureAwait(false);
        return TypedResults.Created($"/api/documents/{id}/versions", new VersionInfo(version.Name, version.Revision, version.CreatedAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, IDocumentStorage store, DocumentRegistry registry, IOpBroadcaster broadcaster)
    {
        if (Find(id, store, out _) is { } problem)
        {
            return problem;
        }

        await registry.DeleteAsync(id, () => store.DeleteDocumentAsync(id)).ConfigureAwait(false);

        // Whoever has it open keeps their text on screen and is told it is gone (not left to find
        // out from a refused edit).
        broadcaster.DocumentDeleted(id);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult? Find(string id, IDocumentStorage store, out StoredDocument document)
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

    private static ProblemHttpResult OutOfRange(string name, int value, int revision) =>
        Problem(StatusCodes.Status400BadRequest, "Revision out of range", $"{name} must be 0…{revision}, got {value}.");

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);

    /// <summary>A problem titled with an error code, at the status <see cref="ErrorStatus"/> maps it to.</summary>
    private static ProblemHttpResult Problem(string code, string detail) => Problem(ErrorStatus.Of(code), code, detail);

    private static bool HasLoneSurrogate(string text) => Utf16.IndexOfLoneSurrogate(text) >= 0;
}
