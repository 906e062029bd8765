namespace CollabEdit.Server.Access;

/// <summary>
/// A person's account, as ASP.NET Core Identity reads and changes it (its user type) and as
/// <see cref="IAccessStorage"/> keeps it. Mutable because Identity's stores work that way: the
/// user manager changes fields, then asks the store to update the row.
/// </summary>
public sealed class Account
{
    public string Id { get; set; } = "";

    public string UserName { get; set; } = "";

    public string NormalizedUserName { get; set; } = "";

    public string Email { get; set; } = "";

    public string NormalizedEmail { get; set; } = "";

    /// <summary>The name shown beside the account's caret and in the history; never chosen per call.</summary>
    public string DisplayName { get; set; } = "";

    public string? PasswordHash { get; set; }

    public string SecurityStamp { get; set; } = "";

    public string ConcurrencyStamp { get; set; } = "";

    public bool LockoutEnabled { get; set; } = true;

    public DateTimeOffset? LockoutEnd { get; set; }

    public int AccessFailedCount { get; set; }

    /// <summary>True for the first account created: it owns every document created before accounts existed.</summary>
    public bool IsAdministrator { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
