using CollabEdit.Server.Documents;

namespace CollabEdit.Server.Access;

/// <summary>
/// Deletes an account as Google does: the documents it owns go with it (whoever has one open is told
/// it was deleted, then it is purged: text, history and access records), the roles it was given on
/// others' documents are removed (audited on each), then the account, and every session it had ends.
/// </summary>
internal sealed class AccountClosing(IAccessStorage access, DocumentAccess decisions, IOpBroadcaster broadcaster, Trash trash, AccessAudit audit, AccountSessions sessions)
{
    public async Task CloseAsync(Account account)
    {
        var actor = OpAuthor.ForAccount(account.Id, account.DisplayName);
        foreach (var owned in access.OwnedBy(account.Id))
        {
            if (owned.TrashedAt is null)
            {
                broadcaster.DocumentDeleted(owned.DocumentId);
            }

            await trash.PurgeAsync(owned.DocumentId).ConfigureAwait(false);
        }

        foreach (var grant in access.GrantsTo(account.Id))
        {
            await access.RemoveGrantAsync(grant.DocumentId, account.Id).ConfigureAwait(false);
            await audit.RecordAsync(grant.DocumentId, actor, "revoked", $"access of {account.DisplayName}: account deleted").ConfigureAwait(false);
            decisions.NotifyChanged(grant.DocumentId);
        }

        await access.RemoveAccountAsync(account.Id).ConfigureAwait(false);
        await sessions.AnnounceAsync(account.Id).ConfigureAwait(false);
    }
}
