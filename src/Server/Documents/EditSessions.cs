using CollabEdit.Ot;
using CollabEdit.Server.Storage;

namespace CollabEdit.Server.Documents;

/// <summary>
/// The history grouped as people read it (as Google Docs' version history does): consecutive ops
/// by one author with no pause longer than <see cref="MaxPause"/> are one editing session; a
/// restore is always a session of its own. Read newest first, a page at a time back to revision 0,
/// bounded by a count of sessions and by the bytes of ops read.
/// </summary>
internal static class EditSessions
{
    /// <summary>The longest pause inside one session.</summary>
    public static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(5);

    /// <summary>Ops read from the store at a time, walking back.</summary>
    private const int Chunk = 64;

    /// <summary>Units of inserted text a session's preview shows at most.</summary>
    public const int PreviewLength = 80;

    /// <summary>One session: its ops' revisions, author, times, and what they changed together.</summary>
    public sealed record Group(
        int FromRevision,
        int ToRevision,
        string Author,
        DateTimeOffset StartedAt,
        DateTimeOffset EndedAt,
        int Added,
        int Removed,
        int? FirstChangedLine,
        string Preview,
        int? RestoredFrom);

    /// <summary>
    /// The sessions among revisions 1 … <paramref name="before"/> - 1, newest first: at most
    /// <paramref name="maxGroups"/>, and no more once <paramref name="maxBytes"/> of ops were read
    /// (at least one session). <paramref name="olderBefore"/> is the <paramref name="before"/> of the
    /// next older page, null when this page reached revision 1. A session cut by the byte bound
    /// continues on the next page.
    /// </summary>
    public static List<Group> Read(IDocumentStorage store, string documentId, int before, int maxGroups, long maxBytes, out int? olderBefore, CancellationToken cancellationToken)
    {
        // Newest first, each session's ops (oldest first inside it).
        var sessions = new List<List<StoredOp>>();
        List<StoredOp>? current = null;
        long bytes = 0;
        int upTo = before - 1;
        olderBefore = null;
        bool stopped = false;
        while (upTo > 0 && !stopped)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int after = Math.Max(0, upTo - Chunk);
            var chunk = store.ReadOps(documentId, after, upTo);
            for (int i = chunk.Count - 1; i >= 0; i--)
            {
                var op = chunk[i];
                if (current is null || !Continues(op, current[0]))
                {
                    if (current is not null && sessions.Count == maxGroups)
                    {
                        stopped = true;
                        break;
                    }

                    current = [];
                    sessions.Add(current);
                }

                current.Insert(0, op);
                bytes += OpPages.EstimatedBytes(op);
                if (bytes >= maxBytes)
                {
                    stopped = true;
                    break;
                }
            }

            upTo = after;
        }

        // Revision 1 read means nothing is older (a page cut by bytes right there included).
        if (stopped && sessions[^1][0].Revision > 1)
        {
            olderBefore = sessions[^1][0].Revision;
        }

        return Describe(store, documentId, sessions, cancellationToken);
    }

    /// <summary>Whether <paramref name="older"/> belongs to the session that <paramref name="next"/> (its successor) starts.</summary>
    private static bool Continues(StoredOp older, StoredOp next) =>
        older.Author == next.Author
        && older.RestoredFrom is null && next.RestoredFrom is null
        && next.Timestamp - older.Timestamp <= MaxPause;

    /// <summary>
    /// Sums up each session from its ops composed: what they added and removed together, and the
    /// line of the first change in the text before them (one pass forward from the oldest session's
    /// text, which costs a snapshot and at most the snapshot interval of ops).
    /// </summary>
    private static List<Group> Describe(IDocumentStorage store, string documentId, List<List<StoredOp>> sessions, CancellationToken cancellationToken)
    {
        var groups = new Group[sessions.Count];
        if (sessions.Count == 0)
        {
            return [];
        }

        var text = new TextDocument(RevisionTexts.At(store, documentId, sessions[^1][0].Revision - 1, cancellationToken));
        for (int s = sessions.Count - 1; s >= 0; s--)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ops = sessions[s];
            var composed = ops[0].Operation;
            foreach (var op in ops.Skip(1))
            {
                composed = TextOperation.Compose(composed, op.Operation);
            }

            int added = 0;
            int removed = 0;
            int? firstChange = null;
            int position = 0;
            foreach (var component in composed.Components)
            {
                switch (component)
                {
                    case Retain retain:
                        position += retain.Count;
                        break;
                    case Insert insert:
                        firstChange ??= position;
                        added += insert.Text.Length;
                        break;
                    case Delete delete:
                        firstChange ??= position;
                        removed += delete.Count;
                        position += delete.Count;
                        break;
                }
            }

            int? line = firstChange is int offset ? 1 + CountNewlines(text, offset) : null;
            foreach (var op in ops)
            {
                text.Apply(op.Operation);
            }

            var last = ops[^1];
            groups[s] = new Group(ops[0].Revision, last.Revision, last.Author, ops[0].Timestamp, last.Timestamp, added, removed, line, Preview(composed), ops[0].RestoredFrom);
        }

        return [.. groups];
    }

    private static int CountNewlines(TextDocument text, int end)
    {
        int count = 0;
        for (int i = 0; i < end; i++)
        {
            if (text[i] == '\n')
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>The start of the inserted text, at most <see cref="PreviewLength"/> units, never half a surrogate pair.</summary>
    private static string Preview(TextOperation composed)
    {
        var preview = new System.Text.StringBuilder();
        foreach (var insert in composed.Components.OfType<Insert>())
        {
            if (preview.Length > 0)
            {
                preview.Append(' ');
            }

            preview.Append(insert.Text, 0, Math.Min(insert.Text.Length, PreviewLength + 1 - preview.Length));
            if (preview.Length > PreviewLength)
            {
                break;
            }
        }

        int length = Math.Min(preview.Length, PreviewLength);
        if (length > 0 && length < preview.Length && char.IsHighSurrogate(preview[length - 1]))
        {
            length--;
        }

        return preview.ToString(0, length);
    }
}
