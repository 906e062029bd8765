namespace CollabEdit.Server.Api;

/// <summary>Gives an account (by user name or e-mail) a role on the document: <c>editor</c> or <c>viewer</c>.</summary>
public sealed record GrantRequest(string? User, string? Role);

/// <summary>An account's access to the document.</summary>
public sealed record AccessEntry(string AccountId, string UserName, string DisplayName, string Role);

/// <summary>Who has access to a document: its owner, the accounts given a role, and its share links (without their tokens).</summary>
public sealed record AccessList(AccessEntry Owner, AccessEntry[] Grants, LinkInfo[] Links);

/// <summary>Creates a share link: <c>viewer</c> ("anyone with the link can view") or <c>editor</c>.</summary>
public sealed record CreateLinkRequest(string? Role);

/// <summary>A share link. <see cref="Token"/> is given once, when the link is created: only its hash is kept.</summary>
public sealed record LinkInfo(string Id, string Role, DateTimeOffset CreatedAt, string? Token = null);

/// <summary>Presents a share link's token.</summary>
public sealed record RedeemRequest(string? Token);

/// <summary>The document a share link opens, and the role it gives.</summary>
public sealed record RedeemResult(string DocumentId, string Role);

/// <summary>One line of a document's audit log.</summary>
public sealed record AuditLine(DateTimeOffset At, string Actor, string Action, string Detail);

/// <summary>A document in the caller's trash.</summary>
public sealed record TrashedDocument(string Id, string Title, DateTimeOffset TrashedAt, DateTimeOffset PurgedAfter);
