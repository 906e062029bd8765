namespace CollabEdit.Ot;

/// <summary>
/// Who inserted each character of a text, as coalesced runs: the lengths sum to the text's length,
/// no span is empty, and no two neighbours have the same author (merging keeps the newer stamp).
/// Immutable, with value equality. Kept beside a text and moved with every op by <see cref="Apply"/>:
/// a retained unit keeps its author, a deleted one goes, an inserted one belongs to the op's author.
/// A restore is an op like any other, so the text it brings back belongs to whoever restored it.
/// </summary>
public sealed class Authorship : IEquatable<Authorship>
{
    private readonly AuthorSpan[] _spans;

    private Authorship(AuthorSpan[] spans, int length)
    {
        _spans = spans;
        Length = length;
    }

    /// <summary>The empty text's authorship.</summary>
    public static Authorship Empty { get; } = new([], 0);

    /// <summary>The runs, in text order.</summary>
    public IReadOnlyList<AuthorSpan> Spans => _spans;

    /// <summary>The length of the text described: the sum of the spans' lengths.</summary>
    public int Length { get; }

    /// <summary>A text of <paramref name="length"/> units all written by one author (nothing for the empty text).</summary>
    public static Authorship Of(int length, string author, long stamp)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentNullException.ThrowIfNull(author);
        return length == 0 ? Empty : new([new AuthorSpan(length, author, stamp)], length);
    }

    /// <summary>
    /// Spans as given, coalesced (empty ones dropped, neighbours with one author merged). A negative
    /// length or a null author is malformed input.
    /// </summary>
    public static Authorship FromSpans(IEnumerable<AuthorSpan> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var builder = new List<AuthorSpan>();
        int length = 0;
        foreach (var span in spans)
        {
            if (span.Length < 0 || span.Author is null)
            {
                throw new InvalidTextOperationException($"Authorship.FromSpans: a span has length {span.Length} or no author.");
            }

            length = checked(length + span.Length);
            Add(builder, span);
        }

        return new([.. builder], length);
    }

    /// <summary>
    /// The authorship after <paramref name="op"/>, made by <paramref name="author"/> at
    /// <paramref name="stamp"/>: the op's base length must equal <see cref="Length"/>, and the
    /// result's length is its target length. Costs one pass over the spans and the components.
    /// </summary>
    public Authorship Apply(TextOperation op, string author, long stamp)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(author);
        if (op.BaseLength != Length)
        {
            throw new InvalidTextOperationException($"Authorship.Apply: the op's base length is {op.BaseLength}, the authorship's length {Length}.");
        }

        var result = new List<AuthorSpan>(_spans.Length + 2);
        int index = 0;   // the span being read
        int offset = 0;  // units of it already consumed
        foreach (var component in op.Span)
        {
            switch (component)
            {
                case Retain retain:
                    int keep = retain.Count;
                    while (keep > 0)
                    {
                        var span = _spans[index];
                        int take = Math.Min(keep, span.Length - offset);
                        Add(result, span with { Length = take });
                        Advance(ref index, ref offset, take);
                        keep -= take;
                    }

                    break;
                case Delete delete:
                    int skip = delete.Count;
                    while (skip > 0)
                    {
                        int take = Math.Min(skip, _spans[index].Length - offset);
                        Advance(ref index, ref offset, take);
                        skip -= take;
                    }

                    break;
                case Insert insert:
                    Add(result, new AuthorSpan(insert.Text.Length, author, stamp));
                    break;
            }
        }

        return new([.. result], op.TargetLength);
    }

    /// <summary>The author of the unit at <paramref name="index"/> (0 ≤ index &lt; <see cref="Length"/>).</summary>
    public AuthorSpan At(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Length);
        foreach (var span in _spans)
        {
            if (index < span.Length)
            {
                return span;
            }

            index -= span.Length;
        }

        throw new InvalidOperationException("Unreachable: the spans sum to Length.");
    }

    /// <summary>The spans covering units [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>), cut at both ends.</summary>
    public IEnumerable<AuthorSpan> Slice(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, Length);
        int position = 0;
        foreach (var span in _spans)
        {
            int from = Math.Max(start, position);
            int to = Math.Min(start + length, position + span.Length);
            if (from < to)
            {
                yield return span with { Length = to - from };
            }

            position += span.Length;
            if (position >= start + length)
            {
                yield break;
            }
        }
    }

    /// <summary>Equal when the spans are equal, in order.</summary>
    public bool Equals(Authorship? other) =>
        other is not null && Length == other.Length && _spans.AsSpan().SequenceEqual(other._spans);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Authorship);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Length, _spans.Length, _spans.Length > 0 ? _spans[0] : default);

    /// <summary>The spans as <c>length×author@stamp</c>, for test failures.</summary>
    public override string ToString() => string.Join(", ", _spans.Select(s => $"{s.Length}×{s.Author}@{s.Stamp}"));

    private void Advance(ref int index, ref int offset, int count)
    {
        offset += count;
        if (offset == _spans[index].Length)
        {
            index++;
            offset = 0;
        }
    }

    /// <summary>Appends a span, merging it into the last one when the author is the same (the newer stamp wins).</summary>
    private static void Add(List<AuthorSpan> spans, AuthorSpan span)
    {
        if (span.Length == 0)
        {
            return;
        }

        if (spans.Count > 0 && spans[^1].Author == span.Author)
        {
            var last = spans[^1];
            spans[^1] = new AuthorSpan(last.Length + span.Length, last.Author, Math.Max(last.Stamp, span.Stamp));
        }
        else
        {
            spans.Add(span);
        }
    }
}
