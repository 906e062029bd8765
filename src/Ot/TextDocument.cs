namespace CollabEdit.Ot;

/// <summary>
/// A mutable text that operations are applied to in place. It is a gap buffer: an edit moves the
/// gap to the edit and writes there, so a one-character edit costs the distance from the last
/// edit rather than a copy of the whole text. Typing is local, so that distance is usually tiny
/// (chosen by measurement; see docs/benchmarks.md).
/// </summary>
public sealed class TextDocument
{
    private const int MinimumGap = 64;
    private char[] _buffer;
    private int _gapStart;
    private int _gapEnd;

    /// <summary>A document holding <paramref name="text"/>.</summary>
    public TextDocument(string text = "")
    {
        ArgumentNullException.ThrowIfNull(text);
        _buffer = new char[text.Length + MinimumGap];
        text.CopyTo(_buffer);
        _gapStart = text.Length;
        _gapEnd = _buffer.Length;
    }

    /// <summary>The text's length in UTF-16 code units.</summary>
    public int Length => _buffer.Length - (_gapEnd - _gapStart);

    /// <summary>The code unit at <paramref name="index"/>.</summary>
    public char this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Length)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"The document's length is {Length}.");
            }

            return index < _gapStart ? _buffer[index] : _buffer[index + _gapEnd - _gapStart];
        }
    }

    /// <summary>
    /// Applies <paramref name="op"/> in place. Throws <see cref="InvalidTextOperationException"/>
    /// and changes nothing when the op does not fit (length, or a split surrogate pair).
    /// </summary>
    public void Apply(TextOperation op)
    {
        ArgumentNullException.ThrowIfNull(op);
        CheckFits(op);
        int pos = 0;
        foreach (var component in op.Span)
        {
            switch (component)
            {
                case Retain r:
                    pos += r.Count;
                    break;
                case Insert i:
                    MoveGap(pos);
                    EnsureGap(i.Text.Length);
                    i.Text.CopyTo(_buffer.AsSpan(_gapStart));
                    _gapStart += i.Text.Length;
                    pos += i.Text.Length;
                    break;
                case Delete d:
                    MoveGap(pos);
                    _gapEnd += d.Count;
                    break;
            }
        }
    }

    /// <summary>The text from <paramref name="start"/>, <paramref name="length"/> code units of it.</summary>
    public string Substring(int start, int length)
    {
        if (start < 0 || length < 0 || start + length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Substring({start}, {length}) is outside a text of length {Length}.");
        }

        return string.Create(length, (this, start), static (span, state) => state.Item1.CopyTo(state.Item2, span));
    }

    /// <summary>The whole text.</summary>
    public override string ToString() => Substring(0, Length);

    private void CopyTo(int start, Span<char> destination)
    {
        int end = start + destination.Length;
        int beforeGap = Math.Clamp(_gapStart - start, 0, destination.Length);
        _buffer.AsSpan(start, beforeGap).CopyTo(destination);
        if (beforeGap < destination.Length)
        {
            int from = Math.Max(start, _gapStart) + (_gapEnd - _gapStart);
            _buffer.AsSpan(from, end - Math.Max(start, _gapStart)).CopyTo(destination[beforeGap..]);
        }
    }

    private void CheckFits(TextOperation op)
    {
        if (op.BaseLength != Length)
        {
            throw new InvalidTextOperationException(
                $"Apply: the operation's base length is {op.BaseLength} but the document's length is {Length}.");
        }

        int pos = 0;
        foreach (var component in op.Span)
        {
            CheckBoundary(pos);
            pos += component.BaseLength;
        }

        CheckBoundary(pos);
    }

    private void CheckBoundary(int pos)
    {
        if (pos > 0 && pos < Length && char.IsHighSurrogate(this[pos - 1]) && char.IsLowSurrogate(this[pos]))
        {
            throw TextOperation.SplitError(nameof(Apply), pos, Length);
        }
    }

    private void MoveGap(int pos)
    {
        if (pos < _gapStart)
        {
            int count = _gapStart - pos;
            Array.Copy(_buffer, pos, _buffer, _gapEnd - count, count);
            _gapStart -= count;
            _gapEnd -= count;
        }
        else if (pos > _gapStart)
        {
            int count = pos - _gapStart;
            Array.Copy(_buffer, _gapEnd, _buffer, _gapStart, count);
            _gapStart += count;
            _gapEnd += count;
        }
    }

    private void EnsureGap(int needed)
    {
        if (_gapEnd - _gapStart >= needed)
        {
            return;
        }

        int length = Length;
        int capacity = Math.Max(_buffer.Length * 2, length + needed + MinimumGap);
        var buffer = new char[capacity];
        int afterGap = _buffer.Length - _gapEnd;
        Array.Copy(_buffer, 0, buffer, 0, _gapStart);
        Array.Copy(_buffer, _gapEnd, buffer, capacity - afterGap, afterGap);
        _gapEnd = capacity - afterGap;
        _buffer = buffer;
    }
}
