using CollabEdit.Server.Configuration;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Access;

/// <summary>At most <c>CollabEdit:Auth:MaxDocumentsPerAccount</c> documents owned by one account, its trash included.</summary>
internal sealed class DocumentCountQuota(IAccessStorage access, IOptions<AuthOptions> options) : IAccountQuota
{
    public string? RefusalToCreate(string accountId, long textLength)
    {
        int max = options.Value.MaxDocumentsPerAccount;
        return access.OwnedBy(accountId).Count >= max
            ? $"An account may own at most {max} documents (the trash included); purge some first."
            : null;
    }
}
