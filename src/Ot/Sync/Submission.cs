namespace CollabEdit.Ot.Sync;

/// <summary>An op for the client to send: <c>Submit(documentId, clientId, Seq, BaseRevision, Operation)</c>.</summary>
/// <param name="Seq">The client's sequence number; a resend keeps it.</param>
/// <param name="BaseRevision">The server revision the op applies to.</param>
/// <param name="Operation">The op.</param>
public sealed record Submission(long Seq, int BaseRevision, TextOperation Operation);
