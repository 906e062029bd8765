using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using CollabEdit.Server.Storage;

namespace CollabEdit.Server.Access;

/// <summary>
/// Works out a caller's role on a document from its owner, the grants and the share link the
/// caller presents, and tells whoever listens (<see cref="Changed"/>) when a document's access
/// changes, so that decisions cached per connection are made again.
/// </summary>
internal sealed class DocumentAccess(IAccessStorage access, IDocumentStorage documents)
{
    private readonly ConcurrentDictionary<string, long> _versions = new(StringComparer.Ordinal);
    private long _everyDocument;

    /// <summary>Raised after a document's owner, grants, links or trash state changed.</summary>
    public event Action<string>? Changed;

    /// <summary>Raised after any document's access may have changed unseen (<see cref="NotifyAllChanged"/>).</summary>
    public event Action? AllChanged;

    public static string? AccountIdOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.FindFirstValue(ClaimTypes.NameIdentifier) : null;

    /// <summary>A link token's stored form: its SHA-256, hex. Tokens carry 128 random bits, so no salt or stretching is needed.</summary>
    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Moves whenever the document's access changes; a cached decision taken at another version is stale.</summary>
    /// <remarks>Both counts only grow, so their sum moves whenever either does.</remarks>
    public long VersionOf(string documentId) => _versions.GetValueOrDefault(documentId) + Volatile.Read(ref _everyDocument);

    public void NotifyChanged(string documentId)
    {
        _versions.AddOrUpdate(documentId, 1, (_, v) => v + 1);
        Changed?.Invoke(documentId);
    }

    /// <summary>
    /// Every cached decision is stale: a change may have been made unseen (another process's notice
    /// lost while this one was not listening). Decisions are taken again and open connections re-checked.
    /// </summary>
    public void NotifyAllChanged()
    {
        Interlocked.Increment(ref _everyDocument);
        AllChanged?.Invoke();
    }

    /// <summary>The owner's account id: the owner row's, or for a document from before accounts the administrator's; null if neither exists.</summary>
    public string? OwnerIdOf(string documentId) =>
        access.FindOwnership(documentId)?.OwnerId ?? access.FindAdministrator()?.Id;

    /// <summary>The document's title: the one it was renamed to, else the one it was created with.</summary>
    public string TitleOf(StoredDocument document) => access.FindOwnership(document.Id)?.Title ?? document.Title;

    /// <summary>Renames the document (kept beside its owner, so the documents' storage is not involved).</summary>
    public async Task RenameAsync(string documentId, string title)
    {
        var ownership = access.FindOwnership(documentId)
            ?? new DocumentOwnership(documentId, OwnerIdOf(documentId) ?? throw new InvalidOperationException($"Document {documentId} has no owner."), TrashedAt: null);
        await access.SetOwnershipAsync(ownership with { Title = title }).ConfigureAwait(false);
    }

    public bool IsTrashed(string documentId) => access.FindOwnership(documentId)?.TrashedAt is not null;

    /// <summary>
    /// The caller's role: <see cref="DocumentRole.None"/> for a document that does not exist or is
    /// in the trash; otherwise the highest of owner, the account's grant and the presented link's role.
    /// </summary>
    public DocumentRole RoleOf(ClaimsPrincipal user, string documentId, string? linkToken)
    {
        if (documents.GetDocument(documentId) is null)
        {
            return DocumentRole.None;
        }

        var ownership = access.FindOwnership(documentId);
        if (ownership?.TrashedAt is not null)
        {
            return DocumentRole.None;
        }

        var role = DocumentRole.None;
        if (AccountIdOf(user) is { } accountId)
        {
            string? ownerId = ownership?.OwnerId ?? access.FindAdministrator()?.Id;
            if (ownerId == accountId)
            {
                return DocumentRole.Owner;
            }

            role = access.FindGrant(documentId, accountId)?.Role ?? DocumentRole.None;
        }

        if (!string.IsNullOrEmpty(linkToken) && access.FindLinkByTokenHash(HashToken(linkToken)) is { } link && link.DocumentId == documentId)
        {
            // A link never grants more than editing, whatever was stored.
            var linkRole = link.Role > DocumentRole.Editor ? DocumentRole.Editor : link.Role;
            role = linkRole > role ? linkRole : role;
        }

        return role;
    }
}
