namespace CollabEdit.Ot;

/// <summary>Keeps the next <see cref="Count"/> code units unchanged. Always <c>Count &gt; 0</c>.</summary>
public sealed record Retain : OpComponent
{
    /// <summary>Creates a retain; <paramref name="count"/> must be positive.</summary>
    public Retain(int count)
    {
        if (count <= 0)
        {
            throw new InvalidTextOperationException($"Retain: the count must be positive, got {count}.");
        }

        Count = count;
    }

    /// <summary>The number of code units kept; always positive.</summary>
    public int Count { get; }

    /// <inheritdoc/>
    public override int BaseLength => Count;

    /// <inheritdoc/>
    public override int TargetLength => Count;

    /// <inheritdoc/>
    public override string ToString() => $"retain {Count}";
}
