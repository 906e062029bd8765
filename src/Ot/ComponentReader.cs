namespace CollabEdit.Ot;

/// <summary>
/// Walks an operation's components, letting callers consume part of the current one without
/// allocating a new component for the remainder.
/// </summary>
internal struct ComponentReader
{
    private readonly IReadOnlyList<OpComponent> _components;
    private int _next;

    public ComponentReader(TextOperation op)
    {
        _components = op.Components;
        _next = 0;
        Advance();
    }

    public ComponentKind Kind { get; private set; }

    /// <summary>Code units left in the current component.</summary>
    public int Length { get; private set; }

    private string? _text;
    private int _offset;

    /// <summary>The rest of the current insert's text, <paramref name="count"/> units of it.</summary>
    public readonly string Text(int count) =>
        _offset == 0 && count == _text!.Length ? _text : _text!.Substring(_offset, count);

    public void Consume(int count)
    {
        Length -= count;
        _offset += count;
        if (Length == 0)
        {
            Advance();
        }
    }

    private void Advance()
    {
        _offset = 0;
        _text = null;
        if (_next >= _components.Count)
        {
            Kind = ComponentKind.None;
            Length = 0;
            return;
        }

        switch (_components[_next++])
        {
            case Retain r:
                Kind = ComponentKind.Retain;
                Length = r.Count;
                break;
            case Insert i:
                Kind = ComponentKind.Insert;
                Length = i.Text.Length;
                _text = i.Text;
                break;
            case Delete d:
                Kind = ComponentKind.Delete;
                Length = d.Count;
                break;
        }
    }
}
