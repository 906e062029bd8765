namespace CollabEdit.Ot.Sync;

/// <summary>
/// Why the authority refused a submit. The server's session maps <see cref="RevisionTooOld"/> to
/// the error code revision-too-old and every other refusal to invalid-op.
/// </summary>
public enum SubmitError
{
    /// <summary>No error: the submit was committed or recognised as a retry.</summary>
    None,

    /// <summary>The op is malformed or does not fit the text at its base revision.</summary>
    InvalidOperation,

    /// <summary>The base revision is negative or later than the current revision.</summary>
    FutureRevision,

    /// <summary>The base revision is older than the history kept for transforming; the client must reload.</summary>
    RevisionTooOld,

    /// <summary>The (clientId, seq) pair was used before for a different op or base revision.</summary>
    SeqReused,
}
