namespace CollabEdit.Server.Documents;

/// <summary>
/// A line diff between two texts for people to read (compare any two revisions): the common
/// prefix and suffix are kept whole, the lines between are matched by Myers' O(ND) algorithm. Past
/// <see cref="MaxEdits"/> line edits the middle is reported as one deletion and one insertion, so
/// the cost is bounded by O((N + M) · MaxEdits) whatever the texts.
/// </summary>
internal static class LineDiff
{
    public const int MaxEdits = 1000;

    /// <summary>One piece of the diff: <paramref name="Length"/> UTF-16 units at <paramref name="FromOffset"/> of the old text and/or <paramref name="ToOffset"/> of the new.</summary>
    public readonly record struct Piece(DiffKind Kind, int FromOffset, int ToOffset, int Length);

    public static List<Piece> Between(string from, string to, CancellationToken cancellationToken)
    {
        // The common prefix and suffix, cut back to whole lines (a line ends with its '\n').
        int max = Math.Min(from.Length, to.Length);
        int prefix = 0;
        while (prefix < max && from[prefix] == to[prefix])
        {
            prefix++;
        }

        while (prefix > 0 && from[prefix - 1] != '\n')
        {
            prefix--;
        }

        int suffix = 0;
        while (suffix < max - prefix && from[from.Length - 1 - suffix] == to[to.Length - 1 - suffix])
        {
            suffix++;
        }

        while (suffix > 0 && from.Length - suffix > 0 && from[from.Length - suffix - 1] != '\n')
        {
            suffix--;
        }

        var pieces = new List<Piece>();
        Add(pieces, DiffKind.Equal, 0, 0, prefix);
        var a = Lines(from, prefix, from.Length - suffix);
        var b = Lines(to, prefix, to.Length - suffix);
        var script = Myers(from, a, to, b, (from.Length - suffix, to.Length - suffix), cancellationToken);
        if (script is null)
        {
            Add(pieces, DiffKind.Delete, prefix, prefix, from.Length - suffix - prefix);
            Add(pieces, DiffKind.Insert, from.Length - suffix, prefix, to.Length - suffix - prefix);
        }
        else
        {
            foreach (var piece in script)
            {
                Add(pieces, piece.Kind, piece.FromOffset, piece.ToOffset, piece.Length);
            }
        }

        Add(pieces, DiffKind.Equal, from.Length - suffix, to.Length - suffix, suffix);
        return pieces;
    }

    private static void Add(List<Piece> pieces, DiffKind kind, int fromOffset, int toOffset, int length)
    {
        if (length == 0)
        {
            return;
        }

        if (pieces.Count > 0 && pieces[^1] is var last && last.Kind == kind
            && (kind == DiffKind.Insert || last.FromOffset + last.Length == fromOffset)
            && (kind == DiffKind.Delete || last.ToOffset + last.Length == toOffset))
        {
            pieces[^1] = last with { Length = last.Length + length };
            return;
        }

        pieces.Add(new Piece(kind, fromOffset, toOffset, length));
    }

    /// <summary>The lines of text[start..end) as (offset, length), each with its newline.</summary>
    private static List<(int Offset, int Length)> Lines(string text, int start, int end)
    {
        var lines = new List<(int, int)>();
        int position = start;
        while (position < end)
        {
            int newline = text.IndexOf('\n', position, end - position);
            int stop = newline < 0 ? end : newline + 1;
            lines.Add((position, stop - position));
            position = stop;
        }

        return lines;
    }

    /// <summary>Myers' greedy shortest edit script over lines; null past <see cref="MaxEdits"/>.</summary>
    private static List<Piece>? Myers(
        string from, List<(int Offset, int Length)> a, string to, List<(int Offset, int Length)> b, (int From, int To) ends, CancellationToken cancellationToken)
    {
        int n = a.Count;
        int m = b.Count;
        int max = Math.Min(n + m, MaxEdits);
        int offset = max + 1;
        var v = new int[(2 * max) + 3];
        var trace = new List<int[]>();
        bool Same(int x, int y) => a[x].Length == b[y].Length && string.CompareOrdinal(from, a[x].Offset, to, b[y].Offset, a[x].Length) == 0;

        for (int d = 0; d <= max; d++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            trace.Add((int[])v.Clone());
            for (int k = -d; k <= d; k += 2)
            {
                int x = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
                int y = x - k;
                while (x < n && y < m && Same(x, y))
                {
                    x++;
                    y++;
                }

                v[offset + k] = x;
                if (x >= n && y >= m)
                {
                    return Backtrack(trace, offset, a, b, n, m, d, ends);
                }
            }
        }

        return null;
    }

    private static List<Piece> Backtrack(
        List<int[]> trace, int offset, List<(int Offset, int Length)> a, List<(int Offset, int Length)> b, int x, int y, int depth, (int From, int To) ends)
    {
        var lines = new List<(DiffKind Kind, int X, int Y)>();
        for (int d = depth; d > 0; d--)
        {
            var v = trace[d];
            int k = x - y;
            int previousK = k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) ? k + 1 : k - 1;
            int previousX = v[offset + previousK];
            int previousY = previousX - previousK;
            while (x > previousX && y > previousY)
            {
                lines.Add((DiffKind.Equal, --x, --y));
            }

            lines.Add(x == previousX ? (DiffKind.Insert, x, --y) : (DiffKind.Delete, --x, y));
        }

        while (x > 0 && y > 0)
        {
            lines.Add((DiffKind.Equal, --x, --y));
        }

        lines.Reverse();
        var pieces = new List<Piece>();
        foreach (var (kind, lx, ly) in lines)
        {
            // Offsets: a deletion's place in the new text, and an insertion's in the old, are where the next line would start.
            int fromOffset = lx < a.Count ? a[lx].Offset : ends.From;
            int toOffset = ly < b.Count ? b[ly].Offset : ends.To;
            int length = kind == DiffKind.Insert ? b[ly].Length : a[lx].Length;
            Add(pieces, kind, fromOffset, toOffset, length);
        }

        return pieces;
    }
}
