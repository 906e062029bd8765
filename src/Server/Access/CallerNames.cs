using System.Security.Claims;

namespace CollabEdit.Server.Access;

/// <summary>The author the server records for a caller: the signed-in account, or else a guest under the name they gave.</summary>
internal sealed class CallerNames(IAccessStorage access)
{
    public const int MaxNameLength = 64;

    public OpAuthor AuthorOf(ClaimsPrincipal user, string? givenName)
    {
        if (DocumentAccess.AccountIdOf(user) is { } id && access.FindAccountById(id) is { } account)
        {
            return OpAuthor.ForAccount(account.Id, account.DisplayName);
        }

        return OpAuthor.ForGuest(Clean(givenName, "Anonymous"));
    }

    /// <summary>Trimmed, at most <see cref="MaxNameLength"/> UTF-16 units without splitting a surrogate pair; <paramref name="fallback"/> if empty.</summary>
    public static string Clean(string? name, string fallback)
    {
        string trimmed = (name ?? "").Trim();
        if (trimmed.Length == 0)
        {
            return fallback;
        }

        if (trimmed.Length <= MaxNameLength)
        {
            return trimmed;
        }

        return trimmed[..(char.IsHighSurrogate(trimmed[MaxNameLength - 1]) ? MaxNameLength - 1 : MaxNameLength)];
    }
}
