using System.Security.Claims;
using System.Security.Cryptography;
using CollabEdit.Protocol;
using CollabEdit.Server.Access;
using CollabEdit.Server.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Api;

/// <summary>
/// Who may do what with a document, as its owner changes it: roles for other accounts, share links,
/// the audit log; the owner's trash; and redeeming a link. Every change is audited and takes effect
/// on open connections at once (<see cref="DocumentAccess.NotifyChanged"/>).
/// </summary>
public static class SharingApi
{
    /// <summary>128 random bits, as 22 URL-safe characters.</summary>
    private const int LinkTokenBytes = 16;

    public static IEndpointRouteBuilder MapSharingApi(this IEndpointRouteBuilder routes)
    {
        var documents = routes.MapGroup("/api/documents/{id}").WithTags("Sharing").CheckDocumentAccess();
        documents.MapGet("/access", Access).WithSummary("The owner, the accounts given a role and the share links.");
        documents.MapPut("/access", GrantAsync).WithSummary("Gives an account (user name or e-mail) a role, or changes it.");
        documents.MapDelete("/access/{accountId}", RevokeAsync).WithSummary("Takes an account's role away.");
        documents.MapPost("/links", CreateLinkAsync).WithSummary("Creates a share link; its token is in the answer only.");
        documents.MapPut("/links/{linkId}", ChangeLinkAsync).WithSummary("Changes what a share link gives (viewer or editor); the same URL goes on working.");
        documents.MapDelete("/links/{linkId}", RevokeLinkAsync).WithSummary("Revokes a share link.");
        documents.MapGet("/audit", Audit).WithSummary("Who was given or lost access, who came through which link, who restored or deleted.");

        var links = routes.MapGroup("/api/links").WithTags("Sharing").CheckDocumentAccess();
        links.MapPost("/redeem", RedeemAsync).WithSummary("Which document a link token opens, with what role.");

        var trash = routes.MapGroup("/api/trash").WithTags("Trash").CheckDocumentAccess().RequireAuthorization();
        trash.MapGet("/", TrashList).WithSummary("The caller's deleted documents.");
        trash.MapPost("/{trashedId}/restore", RestoreFromTrashAsync).WithSummary("Brings a document back from the trash.");
        trash.MapDelete("/{trashedId}", PurgeAsync).WithSummary("Deletes a document from the trash for good.");
        return routes;
    }

    [RequiresCapability(Capability.Share)]
    private static Ok<AccessList> Access(string id, IAccessStorage accounts, DocumentAccess access)
    {
        var owner = accounts.FindAccountById(access.OwnerIdOf(id)!);
        var grants = accounts.GrantsOn(id)
            .Select(g => (Grant: g, Account: accounts.FindAccountById(g.AccountId)))
            .Where(g => g.Account is not null)
            .Select(g => Entry(g.Account!, g.Grant.Role));
        var links = accounts.LinksOn(id).Select(l => new LinkInfo(l.Id, RoleNames.Of(l.Role), l.CreatedAt));
        return TypedResults.Ok(new AccessList(Entry(owner!, DocumentRole.Owner), [.. grants], [.. links]));
    }

    [RequiresCapability(Capability.Share)]
    private static async Task<Results<Ok<AccessEntry>, ProblemHttpResult>> GrantAsync(
        string id, GrantRequest? request, ClaimsPrincipal user, IAccessStorage accounts, DocumentAccess access, CallerNames names, AccessAudit audit, TimeProvider time)
    {
        if (RoleNames.Grantable(request?.Role) is not { } role)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid role", "role must be \"editor\" or \"viewer\".");
        }

        string who = request!.User?.Trim() ?? "";
        var account = accounts.FindAccountByUserName(who.ToUpperInvariant()) ?? accounts.FindAccountByEmail(who.ToUpperInvariant());
        if (account is null)
        {
            return Problem(StatusCodes.Status404NotFound, "No such account", $"No account has the user name or e-mail \"{who}\".");
        }

        if (account.Id == access.OwnerIdOf(id))
        {
            return Problem(StatusCodes.Status400BadRequest, "Already the owner", "The owner's role cannot be changed.");
        }

        await accounts.SetGrantAsync(new Grant(id, account.Id, role, time.GetUtcNow())).ConfigureAwait(false);
        await audit.RecordAsync(id, names.AuthorOf(user, null), "granted", $"{RoleNames.Of(role)} to {account.DisplayName} ({account.UserName})").ConfigureAwait(false);
        access.NotifyChanged(id);
        return TypedResults.Ok(Entry(account, role));
    }

    [RequiresCapability(Capability.Share)]
    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string id, string accountId, ClaimsPrincipal user, IAccessStorage accounts, DocumentAccess access, CallerNames names, AccessAudit audit)
    {
        if (accounts.FindGrant(id, accountId) is null)
        {
            return Problem(StatusCodes.Status404NotFound, "No such grant", "That account has no role on this document.");
        }

        await accounts.RemoveGrantAsync(id, accountId).ConfigureAwait(false);
        string name = accounts.FindAccountById(accountId)?.DisplayName ?? accountId;
        await audit.RecordAsync(id, names.AuthorOf(user, null), "revoked", $"access of {name}").ConfigureAwait(false);
        access.NotifyChanged(id);
        return TypedResults.NoContent();
    }

    [RequiresCapability(Capability.Share)]
    private static async Task<Results<Created<LinkInfo>, ProblemHttpResult>> CreateLinkAsync(
        string id, CreateLinkRequest? request, ClaimsPrincipal user, IAccessStorage accounts, DocumentAccess access, CallerNames names, AccessAudit audit, TimeProvider time)
    {
        if (RoleNames.Grantable(request?.Role) is not { } role)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid role", "role must be \"editor\" or \"viewer\".");
        }

        string token = Base64Url(RandomNumberGenerator.GetBytes(LinkTokenBytes));
        var link = new ShareLink(Base64Url(RandomNumberGenerator.GetBytes(9)), id, DocumentAccess.HashToken(token), role, DocumentAccess.AccountIdOf(user)!, time.GetUtcNow());
        await accounts.AddLinkAsync(link).ConfigureAwait(false);
        await audit.RecordAsync(id, names.AuthorOf(user, null), "created link", $"{link.Id} ({RoleNames.Of(role)})").ConfigureAwait(false);
        access.NotifyChanged(id);
        return TypedResults.Created($"/api/documents/{id}/links/{link.Id}", new LinkInfo(link.Id, RoleNames.Of(role), link.CreatedAt, token));
    }

    [RequiresCapability(Capability.Share)]
    private static async Task<Results<NoContent, ProblemHttpResult>> ChangeLinkAsync(
        string id, string linkId, CreateLinkRequest? request, ClaimsPrincipal user, IAccessStorage accounts, DocumentAccess access, CallerNames names, AccessAudit audit)
    {
        if (RoleNames.Grantable(request?.Role) is not { } role)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid role", "role must be \"editor\" or \"viewer\".");
        }

        if (!await accounts.SetLinkRoleAsync(id, linkId, role).ConfigureAwait(false))
        {
            return Problem(StatusCodes.Status404NotFound, "No such link", "This document has no link with that id.");
        }

        await audit.RecordAsync(id, names.AuthorOf(user, null), "changed link", $"{linkId} to {RoleNames.Of(role)}").ConfigureAwait(false);
        access.NotifyChanged(id);
        return TypedResults.NoContent();
    }

    [RequiresCapability(Capability.Share)]
    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeLinkAsync(
        string id, string linkId, ClaimsPrincipal user, IAccessStorage accounts, DocumentAccess access, CallerNames names, AccessAudit audit)
    {
        if (!await accounts.RemoveLinkAsync(id, linkId).ConfigureAwait(false))
        {
            return Problem(StatusCodes.Status404NotFound, "No such link", "This document has no link with that id.");
        }

        await audit.RecordAsync(id, names.AuthorOf(user, null), "revoked link", linkId).ConfigureAwait(false);
        access.NotifyChanged(id);
        return TypedResults.NoContent();
    }

    [RequiresCapability(Capability.Share)]
    private static Ok<AuditLine[]> Audit(string id, IAccessStorage accounts) =>
        TypedResults.Ok(accounts.AuditOf(id).Select(e => new AuditLine(e.At, e.Actor, e.Action, e.Detail)).ToArray());

    [NoDocumentCapability("The token is the credential: an unknown or revoked one answers not-found, as for a missing document.")]
    private static async Task<Results<Ok<RedeemResult>, ProblemHttpResult>> RedeemAsync(
        RedeemRequest? request, ClaimsPrincipal user, IAccessStorage accounts, DocumentAccess access, CallerNames names, AccessAudit audit)
    {
        string token = request?.Token ?? "";
        if (token.Length is 0 or > 128 || accounts.FindLinkByTokenHash(DocumentAccess.HashToken(token)) is not { } link
            || access.RoleOf(user, link.DocumentId, token) is var role && role == DocumentRole.None)
        {
            return Problem(ErrorStatus.Of(ErrorCodes.NotFound), ErrorCodes.NotFound, "No document opens with this link.");
        }

        await audit.RecordAsync(link.DocumentId, names.AuthorOf(user, null), "opened through link", link.Id).ConfigureAwait(false);
        return TypedResults.Ok(new RedeemResult(link.DocumentId, RoleNames.Of(role)));
    }

    [NoDocumentCapability("Lists only the signed-in caller's own trash.")]
    private static Ok<TrashedDocument[]> TrashList(ClaimsPrincipal user, Trash trash, DocumentAccess access, IOptions<TrashOptions> options) =>
        TypedResults.Ok(trash.Of(DocumentAccess.AccountIdOf(user)!)
            .Select(t => new TrashedDocument(t.Document.Id, access.TitleOf(t.Document), t.TrashedAt, t.TrashedAt + options.Value.TrashRetention)).ToArray());

    [NoDocumentCapability("Acts only on a document in the signed-in caller's own trash; any other id answers not-found.")]
    private static async Task<Results<NoContent, ProblemHttpResult>> RestoreFromTrashAsync(string trashedId, ClaimsPrincipal user, Trash trash, CallerNames names)
    {
        if (!trash.Holds(DocumentAccess.AccountIdOf(user)!, trashedId))
        {
            return NotInTrash(trashedId);
        }

        await trash.RestoreAsync(trashedId, names.AuthorOf(user, null)).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    [NoDocumentCapability("Acts only on a document in the signed-in caller's own trash; any other id answers not-found.")]
    private static async Task<Results<NoContent, ProblemHttpResult>> PurgeAsync(string trashedId, ClaimsPrincipal user, Trash trash)
    {
        if (!trash.Holds(DocumentAccess.AccountIdOf(user)!, trashedId))
        {
            return NotInTrash(trashedId);
        }

        await trash.PurgeAsync(trashedId).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult NotInTrash(string id) => Problem(ErrorStatus.Of(ErrorCodes.NotFound), ErrorCodes.NotFound, $"No document {id} in your trash.");

    private static AccessEntry Entry(Account account, DocumentRole role) => new(account.Id, account.UserName, account.DisplayName, RoleNames.Of(role));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(detail: detail, statusCode: status, title: title);
}
