namespace CollabEdit.Server.Access;

/// <summary>
/// Who may do what, whatever keeps it (a LiteDB file beside the documents' today,
/// <see cref="LiteDbAccessStorage"/>): accounts, document owners, grants, share links and the
/// audit log. Separate from the documents' storage so that either can move (to PostgreSQL, say)
/// on its own.
/// </summary>
/// <remarks>
/// Writes complete once durable. Reads run on the caller's thread and see every completed write.
/// </remarks>
public interface IAccessStorage
{
    /// <summary>
    /// Adds an account unless its normalized user name or e-mail is taken (false then). The first
    /// account ever added is made the administrator, decided in the same write so two first
    /// sign-ups cannot both become it.
    /// </summary>
    Task<bool> AddAccountAsync(Account account);

    Task UpdateAccountAsync(Account account);

    Account? FindAccountById(string accountId);

    Account? FindAccountByUserName(string normalizedUserName);

    Account? FindAccountByEmail(string normalizedEmail);

    /// <summary>Removes the account's row (its documents and the grants to it are dealt with first, by <c>AccountClosing</c>).</summary>
    Task RemoveAccountAsync(string accountId);

    /// <summary>
    /// Ends one session (a sign-in and every token refreshed from it): <see cref="IsSessionRevoked"/>
    /// says so until <paramref name="until"/>, when everything issued to it has expired anyway.
    /// Revocations already over at <paramref name="now"/> are dropped on the way. Every process is told
    /// (<see cref="AnnounceSessionsChangedAsync"/>).
    /// </summary>
    Task RevokeSessionAsync(string accountId, string sessionId, DateTimeOffset until, DateTimeOffset now);

    bool IsSessionRevoked(string sessionId);

    /// <summary>
    /// Tells every process sharing this storage that the account's sessions changed (one was ended,
    /// or all of them by a new security stamp), so its open hub connections are checked at once.
    /// </summary>
    Task AnnounceSessionsChangedAsync(string accountId);

    /// <summary>The first account created, which owns the documents created before accounts existed; null before any.</summary>
    Account? FindAdministrator();

    /// <summary>The document's owner row; null for a document created before accounts existed (or never created).</summary>
    DocumentOwnership? FindOwnership(string documentId);

    /// <summary>Every ownership row of an account's documents, trashed ones included.</summary>
    IReadOnlyList<DocumentOwnership> OwnedBy(string accountId);

    /// <summary>Every document in someone's trash.</summary>
    IReadOnlyList<DocumentOwnership> Trashed();

    Task SetOwnershipAsync(DocumentOwnership ownership);

    Grant? FindGrant(string documentId, string accountId);

    IReadOnlyList<Grant> GrantsOn(string documentId);

    IReadOnlyList<Grant> GrantsTo(string accountId);

    /// <summary>Adds the grant or changes the role of the account's existing one.</summary>
    Task SetGrantAsync(Grant grant);

    Task RemoveGrantAsync(string documentId, string accountId);

    ShareLink? FindLinkByTokenHash(string tokenHash);

    IReadOnlyList<ShareLink> LinksOn(string documentId);

    Task AddLinkAsync(ShareLink link);

    /// <summary>Changes what the link gives (the same token goes on working); false if the document has no link with that id.</summary>
    Task<bool> SetLinkRoleAsync(string documentId, string linkId, DocumentRole role);

    /// <summary>Removes the link; false if the document has no link with that id.</summary>
    Task<bool> RemoveLinkAsync(string documentId, string linkId);

    Task AppendAuditAsync(AuditEntry entry);

    /// <summary>The document's audit log, oldest first.</summary>
    IReadOnlyList<AuditEntry> AuditOf(string documentId);

    /// <summary>Removes everything kept about a document (its owner, grants, links and audit log), once it is purged.</summary>
    Task ForgetDocumentAsync(string documentId);
}
