using CollabEdit.Protocol;

namespace CollabEdit.Server.Api;

/// <summary>An author as the history shows one: an account's id (null for a guest or text nobody recorded), the name, whether a guest.</summary>
public sealed record AuthorInfo(string? Id, string Name, bool Guest);

/// <summary>
/// One editing session: revisions <see cref="FromRevision"/> … <see cref="ToRevision"/> by its
/// authors with no pause longer than five minutes between them. <see cref="Added"/> and
/// <see cref="Removed"/> are UTF-16 units the session's ops added and removed together (net of
/// what they typed and took back), <see cref="FirstChangedLine"/> the 1-based line of its first
/// change in the text before it (null if the ops cancel out), <see cref="Preview"/> the start of
/// what it inserted (at most 80 units), <see cref="RestoredFrom"/> the revision a restore brought back.
/// </summary>
public sealed record SessionGroup(
    int FromRevision,
    int ToRevision,
    AuthorInfo[] Authors,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    int Added,
    int Removed,
    int? FirstChangedLine,
    string Preview,
    int? RestoredFrom);

/// <summary>A page of sessions, newest first; <see cref="OlderBefore"/> is the <c>before</c> of the next older page, null once revision 1 is in.</summary>
public sealed record SessionsPage(SessionGroup[] Groups, int? OlderBefore);

/// <summary>
/// One piece of a compare: <c>equal</c> (in both texts), <c>insert</c> (only in <c>to</c>,
/// credited to who wrote it there) or <c>delete</c> (only in <c>from</c>, credited to who wrote it there).
/// </summary>
public sealed record CompareSpan(string Kind, string Text, string? AuthorId = null, string? AuthorName = null, bool? Guest = null);

/// <summary>The difference between the texts at two revisions, as pieces in reading order.</summary>
public sealed record CompareResult(int From, int To, CompareSpan[] Spans);

/// <summary>The answer of <c>GET /api/documents/{id}/authorship</c>: the same shape as the hub's (no peers).</summary>
public sealed record AuthorshipResult(int Revision, AuthorshipSpanMessage[] Spans);
