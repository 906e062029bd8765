namespace CollabEdit.Server.Access;

/// <summary>A role on one document given by its owner to another account.</summary>
public sealed record Grant(string DocumentId, string AccountId, DocumentRole Role, DateTimeOffset GrantedAt);
