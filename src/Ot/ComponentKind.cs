namespace CollabEdit.Ot;

/// <summary>The kind of component a <see cref="ComponentReader"/> is positioned on (None past the end).</summary>
internal enum ComponentKind
{
    None,
    Retain,
    Insert,
    Delete,
}
