namespace CollabEdit.LoadDriver;

/// <summary>What the clients type: slices of a real editing trace, or seeded random typing.</summary>
internal enum WorkloadKind
{
    Trace,
    Random,
}
