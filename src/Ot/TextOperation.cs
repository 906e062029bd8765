using System.Text.Json.Serialization;
using CollabEdit.Ot.Json;

namespace CollabEdit.Ot;

/// <summary>
/// An immutable edit of a whole text: a canonical sequence of <see cref="Retain"/>,
/// <see cref="Insert"/> and <see cref="Delete"/> components. It applies only to a text whose
/// length is <see cref="BaseLength"/> and produces one of length <see cref="TargetLength"/>.
/// Two operations are equal when their components are equal.
/// </summary>
[JsonConverter(typeof(TextOperationJsonConverter))]
public sealed partial class TextOperation : IEquatable<TextOperation>
{
    private readonly OpComponent[] _components;
    private int _hashCode;

    internal TextOperation(OpComponent[] components, int baseLength, int targetLength)
    {
        _components = components;
        BaseLength = baseLength;
        TargetLength = targetLength;
    }

    /// <summary>The components in canonical form (no empty ones, neighbours merged, insert before delete).</summary>
    public IReadOnlyList<OpComponent> Components => _components;

    /// <summary>The components without an enumerator allocation, for hot loops inside the engine.</summary>
    internal ReadOnlySpan<OpComponent> Span => _components;

    /// <summary>The length of the text this operation applies to: the sum of retains and deletes.</summary>
    public int BaseLength { get; }

    /// <summary>The length of the text after applying: the sum of retains and inserts.</summary>
    public int TargetLength { get; }

    /// <summary>True when applying changes nothing (only retains, or nothing at all).</summary>
    public bool IsNoop => _components.Length == 0 || (_components.Length == 1 && _components[0] is Retain);

    /// <summary>Starts a canonicalising builder.</summary>
    public static TextOperationBuilder Builder() => new();

    /// <summary>The operation that keeps a text of <paramref name="length"/> unchanged.</summary>
    public static TextOperation Identity(int length) => Builder().Retain(length).Build();

    /// <summary>
    /// An operation from components as given, rejecting input that is not already valid:
    /// components must be non-null (each component's constructor already rejects zero counts,
    /// empty inserts and lone surrogates). Neighbours are merged into canonical form.
    /// </summary>
    public static TextOperation FromComponents(IEnumerable<OpComponent> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        var builder = Builder();
        foreach (var component in components)
        {
            if (component is null)
            {
                throw new InvalidTextOperationException("FromComponents: a component is null.");
            }

            builder.Add(component);
        }

        return builder.Build();
    }

    /// <summary>
    /// The operation that replaces <paramref name="deleteCount"/> code units at
    /// <paramref name="position"/> with <paramref name="insert"/> in a text of
    /// <paramref name="length"/> code units (a splice).
    /// </summary>
    public static TextOperation Splice(int length, int position, int deleteCount, string insert)
    {
        if (position < 0 || deleteCount < 0 || (long)position + deleteCount > length)
        {
            throw new InvalidTextOperationException(
                $"Splice: position {position} and delete count {deleteCount} do not fit a text of length {length}.");
        }

        return Builder()
            .Retain(position)
            .Insert(insert)
            .Delete(deleteCount)
            .Retain(length - position - deleteCount)
            .Build();
    }

    /// <summary>
    /// Applies this operation to <paramref name="text"/>. Requires <c>text.Length == BaseLength</c>
    /// and that no component boundary falls inside a surrogate pair of the text.
    /// </summary>
    public string Apply(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckFits(text, nameof(Apply));
        return string.Create(TargetLength, (this, text), static (span, state) =>
        {
            var (op, source) = state;
            int pos = 0;
            int written = 0;
            foreach (var component in op._components)
            {
                switch (component)
                {
                    case Retain r:
                        source.AsSpan(pos, r.Count).CopyTo(span[written..]);
                        pos += r.Count;
                        written += r.Count;
                        break;
                    case Insert i:
                        i.Text.AsSpan().CopyTo(span[written..]);
                        written += i.Text.Length;
                        break;
                    case Delete d:
                        pos += d.Count;
                        break;
                }
            }
        });
    }

    /// <summary>
    /// The operation that undoes this one: <c>inverse.Apply(Apply(text)) == text</c>, where
    /// <paramref name="text"/> is the text this operation applies to.
    /// </summary>
    public TextOperation Invert(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckFits(text, nameof(Invert));
        var builder = Builder();
        int pos = 0;
        foreach (var component in _components)
        {
            switch (component)
            {
                case Retain r:
                    builder.Retain(r.Count);
                    pos += r.Count;
                    break;
                case Insert i:
                    builder.Delete(i.Text.Length);
                    break;
                case Delete d:
                    builder.Insert(text.Substring(pos, d.Count));
                    pos += d.Count;
                    break;
            }
        }

        return builder.Build();
    }

    /// <summary>
    /// Throws unless this operation fits <paramref name="text"/>: the lengths match and no
    /// component starts or ends between the halves of a surrogate pair.
    /// </summary>
    public void CheckFits(ReadOnlySpan<char> text, string function)
    {
        if (text.Length != BaseLength)
        {
            throw new InvalidTextOperationException(
                $"{function}: the operation's base length is {BaseLength} but the text's length is {text.Length}.");
        }

        int pos = 0;
        foreach (var component in _components)
        {
            if (Utf16.SplitsPair(text, pos))
            {
                throw SplitError(function, pos, text.Length);
            }

            pos += component.BaseLength;
        }

        if (Utf16.SplitsPair(text, pos))
        {
            throw SplitError(function, pos, text.Length);
        }
    }

    internal static InvalidTextOperationException SplitError(string function, int position, int length) =>
        new($"{function}: the operation splits a surrogate pair at position {position} of a text of length {length}.");

    /// <inheritdoc/>
    public bool Equals(TextOperation? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        return other is not null
            && BaseLength == other.BaseLength
            && TargetLength == other.TargetLength
            && _components.AsSpan().SequenceEqual(other._components);
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TextOperation);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        if (_hashCode == 0)
        {
            var hash = default(HashCode);
            foreach (var component in _components)
            {
                hash.Add(component);
            }

            int value = hash.ToHashCode();
            _hashCode = value == 0 ? 1 : value;
        }

        return _hashCode;
    }

    /// <summary>The wire form, e.g. <c>[5,"hello",-3,2]</c>, as JSON.</summary>
    public override string ToString() => System.Text.Json.JsonSerializer.Serialize(this);

    /// <summary>Equality of operations by components.</summary>
    public static bool operator ==(TextOperation? left, TextOperation? right) =>
        left is null ? right is null : left.Equals(right);

    /// <summary>Inequality of operations by components.</summary>
    public static bool operator !=(TextOperation? left, TextOperation? right) => !(left == right);
}
