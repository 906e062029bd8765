namespace CollabEdit.Server.Access;

/// <summary>Who owns a document, and since when it is in the owner's trash (null: not deleted).</summary>
public sealed record DocumentOwnership(string DocumentId, string OwnerId, DateTimeOffset? TrashedAt);
