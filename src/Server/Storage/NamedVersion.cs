namespace CollabEdit.Server.Storage;

/// <summary>
/// A name pinned to a revision ("Submitted draft"). <see cref="Author"/> is who pinned it, stored as
/// an op's author is (<c>account:{id}:{name}</c> or <c>guest:{name}</c>); null for versions named
/// before versions carried one.
/// </summary>
public sealed record NamedVersion(string Name, int Revision, DateTimeOffset CreatedAt, string? Author = null);
