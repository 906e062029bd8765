namespace CollabEdit.Server.Access;

/// <summary>Writes a document's audit log: access granted, changed or revoked, links made, used and revoked, restores, deletes.</summary>
internal sealed class AccessAudit(IAccessStorage storage, TimeProvider time)
{
    public Task RecordAsync(string documentId, OpAuthor actor, string action, string detail) =>
        storage.AppendAuditAsync(new AuditEntry(documentId, time.GetUtcNow(), actor.Shown, action, detail));
}
