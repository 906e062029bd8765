namespace CollabEdit.Ot;

/// <summary>
/// One component of a <see cref="TextOperation"/>: a closed set of <see cref="Retain"/>,
/// <see cref="Insert"/> and <see cref="Delete"/>. Lengths count UTF-16 code units.
/// </summary>
public abstract record OpComponent
{
    private protected OpComponent()
    {
    }

    /// <summary>How many code units of the base text this component consumes (0 for an insert).</summary>
    public abstract int BaseLength { get; }

    /// <summary>How many code units of the target text this component produces (0 for a delete).</summary>
    public abstract int TargetLength { get; }
}
