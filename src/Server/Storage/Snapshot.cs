namespace CollabEdit.Server.Storage;

/// <summary>The full text of a document at a revision.</summary>
public sealed record Snapshot(int Revision, string Text);
