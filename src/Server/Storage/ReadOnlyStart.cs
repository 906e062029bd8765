namespace CollabEdit.Server.Storage;

/// <summary>
/// A start that replayed the journal but could not retire it (the disk is full): the store serves
/// reads, refuses writes, and retires <paramref name="Segments"/> once the disk takes writes again.
/// <paramref name="Durable"/>: whether what the store serves is durable (the segments were synced),
/// so that reading it reveals nothing a crash could take back.
/// </summary>
internal sealed record ReadOnlyStart(string Reason, IReadOnlyList<string> Segments, bool Durable);
