using CollabEdit.Ot;
using CollabEdit.Server.Access;
using CollabEdit.Server.Storage;

namespace CollabEdit.Server.Api;

/// <summary>A document in the list, with the caller's role on it (<c>owner</c>, <c>editor</c>, <c>viewer</c>) and its owner's display name.</summary>
public sealed record DocumentSummary(string Id, string Title, int Revision, DateTimeOffset UpdatedAt, string Role, string Owner);

/// <summary>A document with its current text.</summary>
public sealed record DocumentDetails(string Id, string Title, int Revision, string Text, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Renames a document.</summary>
public sealed record RenameRequest(string? Title);

/// <summary>Creates a document; both fields are optional.</summary>
public sealed record CreateDocumentRequest(string? Title, string? Text);

/// <summary>
/// One committed op of the history: the op applies to the text at revision - 1. <see cref="Author"/>
/// is the name shown (a guest's marked "(guest)"); <see cref="AuthorId"/> the account's id, null for
/// guests and for ops from before accounts. <see cref="RestoredFrom"/>: the revision a restore brought back (null for other ops).
/// </summary>
public sealed record HistoryEntry(int Revision, TextOperation Op, string Author, DateTimeOffset Timestamp, string? AuthorId = null, bool Guest = false, int? RestoredFrom = null)
{
    public static HistoryEntry Of(StoredOp op)
    {
        var author = OpAuthor.Parse(op.Author);
        return new HistoryEntry(op.Revision, op.Operation, author.Shown, op.Timestamp, author.AccountId, author.IsGuest, op.RestoredFrom);
    }
}

/// <summary>The text of a document at a revision.</summary>
public sealed record RevisionText(int Revision, string Text);

/// <summary>One op that turns the text at <see cref="From"/> into the text at <see cref="To"/>.</summary>
public sealed record DiffResult(int From, int To, TextOperation Op);

/// <summary>Brings the text back to <see cref="Revision"/> by committing a new op.</summary>
public sealed record RestoreRequest(int? Revision);

/// <summary>The op a restore committed: <see cref="Revision"/> is new, its text equals that of <see cref="RestoredFrom"/>.</summary>
public sealed record RestoreResult(int Revision, int RestoredFrom);

/// <summary>Pins <see cref="Name"/> to <see cref="Revision"/> (default: the current one).</summary>
public sealed record CreateVersionRequest(string? Name, int? Revision);

/// <summary>A named version.</summary>
public sealed record VersionInfo(string Name, int Revision, DateTimeOffset CreatedAt);

/// <summary>
/// What a client must know to never send an edit the server refuses: most code units one op may
/// insert (larger pastes are split), the longest a document may be, and the most components of
/// one op (buffered edits are not composed past it).
/// </summary>
public sealed record ClientLimits(int MaxOpLength, int MaxDocumentLength, int MaxOpComponents);
