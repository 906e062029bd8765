namespace CollabEdit.Server.Access;

/// <summary>The resource every document decision is about: the document, and the share link the caller presents for it, if any.</summary>
public sealed record DocumentResource(string DocumentId, string? LinkToken);
