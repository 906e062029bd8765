namespace CollabEdit.Ot.Sync;

/// <summary>
/// The authority's answer to a submit: the revision it committed as (or was committed as before,
/// for a retry) and the committed op, or an error that changed nothing.
/// </summary>
public sealed record SubmitResult
{
    private SubmitResult(SubmitError error, int revision, CommittedOp? op, bool isDuplicate, string? message)
    {
        Error = error;
        Revision = revision;
        Op = op;
        IsDuplicate = isDuplicate;
        Message = message;
    }

    /// <summary><see cref="SubmitError.None"/> when accepted.</summary>
    public SubmitError Error { get; }

    /// <summary>The revision of the op: new for a commit, the original one for a retry.</summary>
    public int Revision { get; }

    /// <summary>The op as the authority keeps it (transformed, with the submit it came from); null for a retry or an error.</summary>
    public CommittedOp? Op { get; }

    /// <summary>The op as committed (transformed to the revision before it); null for a retry or an error.</summary>
    public TextOperation? Operation => Op?.Operation;

    /// <summary>True when this (clientId, seq) was committed before and nothing new was applied.</summary>
    public bool IsDuplicate { get; }

    /// <summary>What was wrong, for an error.</summary>
    public string? Message { get; }

    /// <summary>True when the op is (or was already) committed.</summary>
    public bool Accepted => Error == SubmitError.None;

    /// <summary>A new commit.</summary>
    public static SubmitResult Committed(CommittedOp op) => new(SubmitError.None, op.Revision, op, false, null);

    /// <summary>A retry of a commit made before.</summary>
    public static SubmitResult Duplicate(int revision) => new(SubmitError.None, revision, null, true, null);

    /// <summary>A refusal that changed nothing.</summary>
    public static SubmitResult Rejected(SubmitError error, string message) => new(error, 0, null, false, message);
}
