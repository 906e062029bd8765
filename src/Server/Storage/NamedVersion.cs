namespace CollabEdit.Server.Storage;

/// <summary>A name pinned to a revision ("Submitted draft").</summary>
public sealed record NamedVersion(string Name, int Revision, DateTimeOffset CreatedAt);
