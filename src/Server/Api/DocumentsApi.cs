using CollabEdit.Ot;
using System.Security.Claims;
using CollabEdit.Protocol;
using CollabEdit.Server.Access;
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
/// through the document's session like any client's op. Every route states what it does with the
/// document (<see cref="RequiresCapabilityAttribute"/>), checked by <see cref="DocumentAccessFilter"/>.
/// </summary>
public static class DocumentsApi
{
    internal const int MaxTitleLength = 200;
    private const int MaxVersionNameLength = 200;
    private const int DefaultHistoryPage = 100;

    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/documents").WithTags("Documents").CheckDocumentAccess();
        api.MapGet("/", List)
            .WithSummary("The documents the caller owns or was given: id, title, revision, last edit, role, owner; `q` finds text in titles and current texts, `sort` is edited (default, newest first) or title.")
            .RequireAuthorization();
        api.MapPost("/", CreateAsync).WithSummary("Creates a document owned by the caller.").RequireRateLimiting(ApiRateLimits.CreateDocument).RequireAuthorization();
        api.MapGet("/{id}", Get).WithSummary("A document with its current text.");
        api.MapPatch("/{id}", RenameAsync).WithSummary("Renames a document (owners and editors).");
        api.MapGet("/{id}/history", History).WithSummary("Committed ops after `from`, oldest first, at most `limit`.");
        api.MapGet("/{id}/revisions/{revision:int}", TextAt).WithSummary("The text at a revision.");
        api.MapGet("/{id}/diff", Diff).WithSummary("One composed op from `from` to `to`.");
        api.MapPost("/{id}/restore", RestoreAsync).WithSummary("Commits an op that brings the text back to a revision.");
        api.MapGet("/{id}/versions", Versions).WithSummary("Named versions.");
        api.MapPost("/{id}/versions", CreateVersionAsync).WithSummary("Pins a name to a revision (default: current).");
        api.MapDelete("/{id}", DeleteAsync).WithSummary("Moves a document to its owner's trash (restore or purge it under /api/trash).");
        api.MapHistoryApi();
        api.MapFilesApi();
        routes.MapGet("/api/limits", Limits).WithTags("Documents").CheckDocumentAccess()
            .WithSummary("The size limits a client checks before it sends an edit (docs/protocol.md).");
        return routes;
    }

    [NoDocumentCapability("Server-wide size limits, the same for everyone.")]
    private static Ok<ClientLimits> Limits(IOptions<EditLimits> limits) =>
        TypedResults.Ok(new ClientLimits(limits.Value.MaxOpLength, limits.Value.MaxDocumentLength, limits.Value.MaxOpComponents));

    [NoDocumentCapability("Lists only what the signed-in caller may view.")]
    private static Results<Ok<DocumentSummary[]>, ProblemHttpResult> List(
        HttpResponse response, ClaimsPrincipal user, IDocumentStorage store, DocumentAccess access, IAccessStorage accounts, CancellationToken cancellationToken,
        string? q = null, string? sort = null)
    {
        if (sort is not (null or "edited" or "title"))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid sort", $"sort must be edited or title, got {sort}.");
        }

        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        string OwnerName(string documentId)
        {
            string? ownerId = access.OwnerIdOf(documentId);
            if (ownerId is null)
            {
                return "";
            }

            if (!owners.TryGetValue(ownerId, out string? name))
            {
                owners[ownerId] = name = accounts.FindAccountById(ownerId)?.DisplayName ?? "";
            }

            return name;
        }

        var visible = store.ListDocuments()
            .Select(d => (Document: d, Role: access.RoleOf(user, d.Id, linkToken: null)))
            .Where(d => d.Role != DocumentRole.None)
            .ToList();
        if (!string.IsNullOrEmpty(q))
        {
            var search = DocumentSearch.Filter(store, visible.Select(d => d.Document), access.TitleOf, q, cancellationToken);
            if (search.Truncated)
            {
                response.Headers[DocumentSearch.TruncatedHeader] = "true";
            }

            visible = [.. visible.Where(d => search.Matches.Contains(d.Document.Id))];
        }

        var summaries = visible.Select(d => new DocumentSummary(d.Document.Id, access.TitleOf(d.Document), d.Document.Revision, d.Document.UpdatedAt, RoleNames.Of(d.Role), OwnerName(d.Document.Id)));
        summaries = sort == "title"
            ? summaries.OrderBy(d => d.Title, StringComparer.InvariantCultureIgnoreCase).ThenBy(d => d.Id, StringComparer.Ordinal)
            : summaries.OrderByDescending(d => d.UpdatedAt);
        return TypedResults.Ok(summaries.ToArray());
    }

    [NoDocumentCapability("Creates a new document owned by the signed-in caller, within their document cap.")]
    private static async Task<Results<Created<DocumentDetails>, ProblemHttpResult>> CreateAsync(
        HttpRequest http, CreateDocumentRequest? request, IDocumentStorage store, IOptions<EditLimits> limits, TimeProvider time,
        IAccessStorage accounts, DocumentAccess access, IAccountQuota quota, CallerNames names)
    {
        // Only JSON makes a browser ask (CORS preflight) before sending cross-site; an empty or
        // form-encoded POST would let any page a user visits create documents on their server.
        if (!http.HasJsonContentType())
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the request as application/json (an empty object creates an empty document).");
        }

        return await CreateOwnedAsync(http.HttpContext, request?.Title, request?.Text ?? "", store, limits, time, accounts, access, quota, names).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates a document owned by the signed-in caller with <paramref name="text"/> (credited to
    /// them) after the checks every create passes: title, text length, lone surrogates, the
    /// caller's document cap.
    /// </summary>
    internal static async Task<Results<Created<DocumentDetails>, ProblemHttpResult>> CreateOwnedAsync(
        HttpContext http, string? requestedTitle, string text, IDocumentStorage store, IOptions<EditLimits> limits, TimeProvider time,
        IAccessStorage accounts, DocumentAccess access, IAccountQuota quota, CallerNames names)
    {
        string title = string.IsNullOrWhiteSpace(requestedTitle) ? "Untitled" : requestedTitle.Trim();
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

        string ownerId = DocumentAccess.AccountIdOf(http.User)!;
        if (quota.RefusalToCreate(ownerId, text.Length) is { } refusal)
        {
            return Problem(StatusCodes.Status403Forbidden, "Document limit reached", refusal);
        }

        var now = time.Now();
        var document = new StoredDocument(DocumentIds.New(), title, 0, now, now);
        var author = names.AuthorOf(http.User, givenName: null);

        // The owner first: a crash between the two writes leaves an owner row for no document
        // (never shown), not a document owned by nobody.
        await accounts.SetOwnershipAsync(new DocumentOwnership(document.Id, ownerId, TrashedAt: null)).ConfigureAwait(false);
        await store.CreateDocumentAsync(document, text, Authorship.Of(text.Length, author.ToString(), now.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        access.NotifyChanged(document.Id);
        var details = new DocumentDetails(document.Id, title, 0, text, now, now);
        return TypedResults.Created($"/api/documents/{document.Id}", details);
    }

    [RequiresCapability(Capability.View)]
    private static Results<Ok<DocumentDetails>, ProblemHttpResult> Get(string id, IDocumentStorage store, DocumentAccess access)
    {
        if (Find(id, store, out var document) is { } problem)
        {
            return problem;
        }

        string text = store.TextAt(id, document.Revision);
        return TypedResults.Ok(new DocumentDetails(document.Id, access.TitleOf(document), document.Revision, text, document.CreatedAt, document.UpdatedAt));
    }

    [RequiresCapability(Capability.Edit)]
    private static async Task<Results<Ok<DocumentSummary>, ProblemHttpResult>> RenameAsync(
        string id, RenameRequest? request, IDocumentStorage store, DocumentAccess access, ClaimsPrincipal user, CallerNames names, AccessAudit audit, IAccessStorage accounts)
    {
        if (Find(id, store, out var document) is { } problem)
        {
            return problem;
        }

        string title = request?.Title?.Trim() ?? "";
        if (title.Length is 0 or > MaxTitleLength || HasLoneSurrogate(title))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid title", $"A title is 1…{MaxTitleLength} characters.");
        }

        string before = access.TitleOf(document);
        await access.RenameAsync(id, title).ConfigureAwait(false);
        await audit.RecordAsync(id, names.AuthorOf(user, null), "renamed", $"“{before}” to “{title}”").ConfigureAwait(false);
        string owner = accounts.FindAccountById(access.OwnerIdOf(id)!)?.DisplayName ?? "";
        var role = access.RoleOf(user, id, linkToken: null);
        return TypedResults.Ok(new DocumentSummary(id, title, document.Revision, document.UpdatedAt, RoleNames.Of(role == DocumentRole.None ? DocumentRole.Editor : role), owner));
    }

    [RequiresCapability(Capability.ViewHistory)]
    private static Results<Ok<HistoryEntry[]>, ProblemHttpResult> History(
        string id, IDocumentStorage store, IOptions<EditLimits> limits, CancellationToken cancellationToken, int? from = null, int? limit = null)
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
        var ops = OpPages.Read(store, id, after, document.Revision, pageSize, limits.Value.MaxHistoryPageBytes, out _, cancellationToken);
        return TypedResults.Ok(ops.Select(op => HistoryEntry.Of(op)).ToArray());
    }

    [RequiresCapability(Capability.ViewHistory)]
    private static Results<Ok<RevisionText>, ProblemHttpResult> TextAt(string id, int revision, IDocumentStorage store, CancellationToken cancellationToken)
    {
        if (Find(id, store, out var document) is { } problem)
        {
            return problem;
        }

        if (revision < 0 || revision > document.Revision)
        {
            return OutOfRange("revision", revision, document.Revision);
        }

        return TypedResults.Ok(new RevisionText(revision, RevisionTexts.At(store, id, revision, cancellationToken)));
    }

    [RequiresCapability(Capability.ViewHistory)]
    private static Results<Ok<DiffResult>, ProblemHttpResult> Diff(string id, IDocumentStorage store, CancellationToken cancellationToken, int? from = null, int? to = null)
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

        // From the two texts (each a snapshot plus at most the snapshot interval of ops), not by
        // composing every op between them: that grew with the range, quadratically in the worst case.
        string before = RevisionTexts.At(store, id, start, cancellationToken);
        string after = start == end ? before : RevisionTexts.At(store, id, end, cancellationToken);
        return TypedResults.Ok(new DiffResult(start, end, TextDiff.Between(before, after)));
    }

    [RequiresCapability(Capability.Edit)]
    private static async Task<Results<Ok<RestoreResult>, ProblemHttpResult>> RestoreAsync(
        string id, RestoreRequest? request, IDocumentStorage store, DocumentRegistry registry, ClaimsPrincipal user, CallerNames names, AccessAudit audit)
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
        var author = names.AuthorOf(user, givenName: null);
        int committed = await registry.RunAsync(id, session => session.RestoreAsync(text, author.ToString(), revision)).ConfigureAwait(false);
        await audit.RecordAsync(id, author, "restored", $"revision {revision} (as revision {committed})").ConfigureAwait(false);
        return TypedResults.Ok(new RestoreResult(committed, revision));
    }

    [RequiresCapability(Capability.ViewHistory)]
    private static Results<Ok<VersionInfo[]>, ProblemHttpResult> Versions(string id, IDocumentStorage store)
    {
        if (Find(id, store, out _) is { } problem)
        {
            return problem;
        }

        return TypedResults.Ok(store.ListVersions(id).Select(v => new VersionInfo(v.Name, v.Revision, v.CreatedAt)).ToArray());
    }

    [RequiresCapability(Capability.Edit)]
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

    [RequiresCapability(Capability.Delete)]
    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, IDocumentStorage store, DocumentRegistry registry, IOpBroadcaster broadcaster, Trash trash, ClaimsPrincipal user, CallerNames names)
    {
        if (Find(id, store, out _) is { } problem)
        {
            return problem;
        }

        // Whoever has it open keeps their text on screen and is told it is gone (not left to find
        // out from a refused edit); then nobody but the owner's trash sees it.
        // The session is closed and none is made until the move is done, so an Open racing it
        // cannot leave one behind.
        broadcaster.DocumentDeleted(id);
        await registry.DeleteAsync(id, () => trash.MoveInAsync(id, names.AuthorOf(user, givenName: null))).ConfigureAwait(false);
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
