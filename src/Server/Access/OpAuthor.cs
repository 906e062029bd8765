namespace CollabEdit.Server.Access;

/// <summary>
/// Who made an op, version or restore, as the server knows it (never as a client says): an account
/// (its id and display name), or a guest who came through a share link with the name they gave.
/// Stored in an op's author field as <c>account:{id}:{name}</c> or <c>guest:{name}</c>; ops from
/// before accounts carry a bare name, read as <see cref="Legacy"/>.
/// </summary>
public sealed record OpAuthor(string? AccountId, string Name, bool IsGuest)
{
    private const string AccountPrefix = "account:";
    private const string GuestPrefix = "guest:";

    public bool Legacy => AccountId is null && !IsGuest;

    /// <summary>The name as shown to others: a guest's is marked so nobody takes it for an account's.</summary>
    public string Shown => IsGuest ? $"{Name} (guest)" : Name;

    public static OpAuthor ForAccount(string accountId, string displayName) => new(accountId, displayName, IsGuest: false);

    public static OpAuthor ForGuest(string name) => new(null, name, IsGuest: true);

    public static OpAuthor Parse(string stored)
    {
        if (stored.StartsWith(AccountPrefix, StringComparison.Ordinal))
        {
            string rest = stored[AccountPrefix.Length..];
            int colon = rest.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                return ForAccount(rest[..colon], rest[(colon + 1)..]);
            }
        }

        return stored.StartsWith(GuestPrefix, StringComparison.Ordinal)
            ? ForGuest(stored[GuestPrefix.Length..])
            : new OpAuthor(null, stored, IsGuest: false);
    }

    public override string ToString() => IsGuest ? GuestPrefix + Name : AccountId is null ? Name : $"{AccountPrefix}{AccountId}:{Name}";
}
