namespace CollabEdit.Ot;

/// <summary>Removes the next <see cref="Count"/> code units. Always <c>Count &gt; 0</c>.</summary>
public sealed record Delete : OpComponent
{
    /// <summary>Creates a delete; <paramref name="count"/> must be positive.</summary>
    public Delete(int count)
    {
        if (count <= 0)
        {
            throw new InvalidTextOperationException($"Delete: the count must be positive, got {count}.");
        }

        Count = count;
    }

    /// <summary>The number of code units removed; always positive.</summary>
    public int Count { get; }

    /// <inheritdoc/>
    public override int BaseLength => Count;

    /// <inheritdoc/>
    public override int TargetLength => 0;

    /// <inheritdoc/>
    public override string ToString() => $"delete {Count}";
}
