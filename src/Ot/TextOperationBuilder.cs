namespace CollabEdit.Ot;

/// <summary>
/// Builds a <see cref="TextOperation"/> in canonical form: zero counts and empty inserts are
/// dropped, neighbours of one kind are merged, and an insert is placed before an adjacent delete
/// (both orders mean the same edit, so only one is allowed).
/// </summary>
public sealed class TextOperationBuilder
{
    private readonly List<OpComponent> _components = [];
    private int _baseLength;
    private int _targetLength;

    /// <summary>Keeps the next <paramref name="count"/> code units; 0 adds nothing.</summary>
    public TextOperationBuilder Retain(int count)
    {
        if (count < 0)
        {
            throw new InvalidTextOperationException($"Retain: the count must not be negative, got {count}.");
        }

        if (count == 0)
        {
            return this;
        }

        _baseLength = Add(_baseLength, count, nameof(Retain));
        _targetLength = Add(_targetLength, count, nameof(Retain));
        if (_components.Count > 0 && _components[^1] is Retain last)
        {
            _components[^1] = new Retain(last.Count + count);
        }
        else
        {
            _components.Add(new Retain(count));
        }

        return this;
    }

    /// <summary>Inserts <paramref name="text"/>; an empty string adds nothing.</summary>
    public TextOperationBuilder Insert(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return this;
        }

        var insert = new Insert(text);
        _targetLength = Add(_targetLength, text.Length, nameof(Insert));
        int count = _components.Count;
        if (count > 0 && _components[^1] is Insert last)
        {
            _components[^1] = new Insert(last.Text + text);
        }
        else if (count > 0 && _components[^1] is Delete)
        {
            // Canonical order: insert before delete. Merge with an insert that precedes the delete.
            if (count > 1 && _components[^2] is Insert beforeDelete)
            {
                _components[^2] = new Insert(beforeDelete.Text + text);
            }
            else
            {
                _components.Insert(count - 1, insert);
            }
        }
        else
        {
            _components.Add(insert);
        }

        return this;
    }

    /// <summary>Deletes the next <paramref name="count"/> code units; 0 adds nothing.</summary>
    public TextOperationBuilder Delete(int count)
    {
        if (count < 0)
        {
            throw new InvalidTextOperationException($"Delete: the count must not be negative, got {count}.");
        }

        if (count == 0)
        {
            return this;
        }

        _baseLength = Add(_baseLength, count, nameof(Delete));
        if (_components.Count > 0 && _components[^1] is Delete last)
        {
            _components[^1] = new Delete(last.Count + count);
        }
        else
        {
            _components.Add(new Delete(count));
        }

        return this;
    }

    /// <summary>Appends a component, canonicalising as it goes.</summary>
    public TextOperationBuilder Add(OpComponent component) => component switch
    {
        Retain r => Retain(r.Count),
        Insert i => Insert(i.Text),
        Delete d => Delete(d.Count),
        _ => throw new InvalidTextOperationException($"Add: unknown component {component}."),
    };

    // A component merged with its neighbour never exceeds the total, so checking the totals suffices.
    private static int Add(int total, int count, string function) =>
        (long)total + count <= int.MaxValue
            ? total + count
            : throw new InvalidTextOperationException($"{function}: the operation's length would pass {int.MaxValue} (at {total}, adding {count}).");

    /// <summary>The finished operation. The builder must not be used afterwards.</summary>
    public TextOperation Build() => new([.. _components], _baseLength, _targetLength);
}
