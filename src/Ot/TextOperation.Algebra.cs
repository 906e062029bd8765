namespace CollabEdit.Ot;

public sealed partial class TextOperation
{
    /// <summary>
    /// The single operation with the effect of <paramref name="a"/> followed by
    /// <paramref name="b"/>: <c>Compose(a, b).Apply(s) == b.Apply(a.Apply(s))</c>.
    /// Requires <c>a.TargetLength == b.BaseLength</c>.
    /// </summary>
    public static TextOperation Compose(TextOperation a, TextOperation b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.TargetLength != b.BaseLength)
        {
            throw new InvalidTextOperationException(
                $"Compose: the first operation's target length is {a.TargetLength} but the second's base length is {b.BaseLength}.");
        }

        var builder = Builder();
        var x = new ComponentReader(a);
        var y = new ComponentReader(b);
        while (x.Kind != ComponentKind.None || y.Kind != ComponentKind.None)
        {
            // a's deletes and b's inserts touch nothing of the other: emit them as they come.
            if (x.Kind == ComponentKind.Delete)
            {
                builder.Delete(x.Length);
                x.Consume(x.Length);
                continue;
            }

            if (y.Kind == ComponentKind.Insert)
            {
                builder.Insert(y.Text(y.Length));
                y.Consume(y.Length);
                continue;
            }

            // Lengths matched, so both run out together; anything else here is a bug.
            if (x.Kind == ComponentKind.None || y.Kind == ComponentKind.None)
            {
                throw new InvalidOperationException("Compose: the operations ran out at different points.");
            }

            int n = Math.Min(x.Length, y.Length);
            switch (x.Kind, y.Kind)
            {
                case (ComponentKind.Retain, ComponentKind.Retain):
                    builder.Retain(n);
                    break;
                case (ComponentKind.Retain, ComponentKind.Delete):
                    builder.Delete(n);
                    break;
                case (ComponentKind.Insert, ComponentKind.Retain):
                    builder.Insert(x.Text(n));
                    break;
                case (ComponentKind.Insert, ComponentKind.Delete):
                    // b deletes what a inserted: nothing remains of either.
                    break;
            }

            x.Consume(n);
            y.Consume(n);
        }

        return builder.Build();
    }

    /// <summary>
    /// Transforms two concurrent operations on the same text. <paramref name="a"/> is the one
    /// committed first: where both insert at one position, a's text ends up left. Returns
    /// <c>(aPrime, bPrime)</c> with <c>bPrime.Apply(a.Apply(s)) == aPrime.Apply(b.Apply(s))</c> (TP1).
    /// Requires <c>a.BaseLength == b.BaseLength</c>.
    /// </summary>
    public static (TextOperation APrime, TextOperation BPrime) Transform(TextOperation a, TextOperation b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.BaseLength != b.BaseLength)
        {
            throw new InvalidTextOperationException(
                $"Transform: the first operation's base length is {a.BaseLength} but the second's is {b.BaseLength}.");
        }

        var aPrime = Builder();
        var bPrime = Builder();
        var x = new ComponentReader(a);
        var y = new ComponentReader(b);
        while (x.Kind != ComponentKind.None || y.Kind != ComponentKind.None)
        {
            // Inserts go first, a's before b's: that is the tie-break.
            if (x.Kind == ComponentKind.Insert)
            {
                aPrime.Insert(x.Text(x.Length));
                bPrime.Retain(x.Length);
                x.Consume(x.Length);
                continue;
            }

            if (y.Kind == ComponentKind.Insert)
            {
                aPrime.Retain(y.Length);
                bPrime.Insert(y.Text(y.Length));
                y.Consume(y.Length);
                continue;
            }

            if (x.Kind == ComponentKind.None || y.Kind == ComponentKind.None)
            {
                throw new InvalidOperationException("Transform: the operations ran out at different points.");
            }

            int n = Math.Min(x.Length, y.Length);
            switch (x.Kind, y.Kind)
            {
                case (ComponentKind.Retain, ComponentKind.Retain):
                    aPrime.Retain(n);
                    bPrime.Retain(n);
                    break;
                case (ComponentKind.Delete, ComponentKind.Retain):
                    aPrime.Delete(n);
                    break;
                case (ComponentKind.Retain, ComponentKind.Delete):
                    bPrime.Delete(n);
                    break;
                case (ComponentKind.Delete, ComponentKind.Delete):
                    // Both deleted the same range: neither has anything left to delete.
                    break;
            }

            x.Consume(n);
            y.Consume(n);
        }

        return (aPrime.Build(), bPrime.Build());
    }

    /// <summary>
    /// Where position <paramref name="index"/> of the base text ends up after this operation, in
    /// <c>[0, TargetLength]</c>. An insert exactly at the index pushes it right only for
    /// <paramref name="ownEdit"/> (your caret follows your typing; another's typing at your caret
    /// leaves it before their text). An index inside a deleted range moves to the range's start.
    /// </summary>
    public int TransformIndex(int index, bool ownEdit)
    {
        if (index < 0 || index > BaseLength)
        {
            throw new InvalidTextOperationException(
                $"TransformIndex: index {index} is outside a text of length {BaseLength}.");
        }

        int pos = 0;
        int result = index;
        foreach (var component in _components)
        {
            if (pos > index)
            {
                break;
            }

            switch (component)
            {
                case Retain r:
                    pos += r.Count;
                    break;
                case Insert i:
                    if (pos < index || ownEdit)
                    {
                        result += i.Text.Length;
                    }

                    break;
                case Delete d:
                    result -= Math.Min(d.Count, index - pos);
                    pos += d.Count;
                    break;
            }
        }

        return result;
    }

    /// <summary>Transforms both ends of <paramref name="selection"/>, as <see cref="TransformIndex"/> does.</summary>
    public Selection TransformSelection(Selection selection, bool ownEdit) =>
        new(TransformIndex(selection.Anchor, ownEdit), TransformIndex(selection.Head, ownEdit));
}
