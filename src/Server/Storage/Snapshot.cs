using CollabEdit.Ot;

namespace CollabEdit.Server.Storage;

/// <summary>
/// The full text of a document at a revision, and who wrote each of its units: null in snapshots
/// written before authorship was kept (readers then replay from an older snapshot that has it).
/// </summary>
public sealed record Snapshot(int Revision, string Text, Authorship? Authorship = null);
