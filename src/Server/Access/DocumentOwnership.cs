namespace CollabEdit.Server.Access;

/// <summary>
/// Who owns a document, since when it is in the owner's trash (null: not deleted), and the title
/// it was renamed to (null: the title it was created with, kept by the documents' storage).
/// </summary>
public sealed record DocumentOwnership(string DocumentId, string OwnerId, DateTimeOffset? TrashedAt, string? Title = null);
