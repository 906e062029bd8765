namespace CollabEdit.Server.Storage;

/// <summary>A document's metadata row.</summary>
public sealed record StoredDocument(string Id, string Title, int Revision, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
