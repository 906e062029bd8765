namespace CollabEdit.Traces;

/// <summary>One splice of a trace: delete <see cref="DeleteCount"/> at <see cref="Position"/>, then insert <see cref="Insert"/> there.</summary>
public readonly record struct TracePatch(int Position, int DeleteCount, string Insert);
