using CollabEdit.Server.Documents;
using CollabEdit.Server.Storage;

namespace CollabEdit.Server.Access;

/// <summary>
/// A deleted document waits in its owner's trash, seen by nobody else, until the owner restores or
/// purges it or it has been there <c>CollabEdit:TrashRetention</c> (<see cref="TrashSweeper"/>).
/// Purging deletes its text and history and everything kept about its access.
/// </summary>
internal sealed class Trash(IAccessStorage access, IDocumentStorage documents, DocumentRegistry registry, DocumentAccess decisions, AccessAudit audit, TimeProvider time)
{
    public async Task MoveInAsync(string documentId, OpAuthor actor)
    {
        string ownerId = decisions.OwnerIdOf(documentId) ?? throw new InvalidOperationException($"Document {documentId} has no owner and there is no administrator.");
        await access.SetOwnershipAsync(new DocumentOwnership(documentId, ownerId, time.GetUtcNow())).ConfigureAwait(false);
        await audit.RecordAsync(documentId, actor, "deleted", "moved to the owner's trash").ConfigureAwait(false);
        decisions.NotifyChanged(documentId);
    }

    /// <summary>The documents in the account's trash, most recently deleted first.</summary>
    public IReadOnlyList<(StoredDocument Document, DateTimeOffset TrashedAt)> Of(string accountId) =>
        [.. access.OwnedBy(accountId)
            .Where(o => o.TrashedAt is not null)
            .Select(o => (Document: documents.GetDocument(o.DocumentId), TrashedAt: o.TrashedAt!.Value))
            .Where(t => t.Document is not null)
            .Select(t => (t.Document!, t.TrashedAt))
            .OrderByDescending(t => t.TrashedAt)];

    /// <summary>Whether the document is in this account's trash.</summary>
    public bool Holds(string accountId, string documentId) =>
        access.FindOwnership(documentId) is { TrashedAt: not null } o && o.OwnerId == accountId && documents.GetDocument(documentId) is not null;

    public async Task RestoreAsync(string documentId, OpAuthor actor)
    {
        var ownership = access.FindOwnership(documentId)!;
        await access.SetOwnershipAsync(ownership with { TrashedAt = null }).ConfigureAwait(false);
        await audit.RecordAsync(documentId, actor, "restored from trash", "").ConfigureAwait(false);
        decisions.NotifyChanged(documentId);
    }

    public async Task PurgeAsync(string documentId)
    {
        await registry.DeleteAsync(documentId, () => documents.DeleteDocumentAsync(documentId)).ConfigureAwait(false);
        await access.ForgetDocumentAsync(documentId).ConfigureAwait(false);
        decisions.NotifyChanged(documentId);
    }

    /// <summary>Purges every document trashed before <paramref name="cutoff"/>; how many.</summary>
    public async Task<int> PurgeOlderThanAsync(DateTimeOffset cutoff)
    {
        int purged = 0;
        foreach (var ownership in access.Trashed().Where(o => o.TrashedAt < cutoff))
        {
            await PurgeAsync(ownership.DocumentId).ConfigureAwait(false);
            purged++;
        }

        return purged;
    }
}
