namespace CollabEdit.Server.Access;

/// <summary>
/// "Anyone with the link can view / edit" on one document. Only the SHA-256 of its token is kept
/// (<see cref="TokenHash"/>); <see cref="Id"/> names it for listing and revoking.
/// </summary>
public sealed record ShareLink(string Id, string DocumentId, string TokenHash, DocumentRole Role, string CreatedBy, DateTimeOffset CreatedAt);
