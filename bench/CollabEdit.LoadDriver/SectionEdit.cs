namespace CollabEdit.LoadDriver;

/// <summary>One edit inside a client's own section: delete <see cref="DeleteCount"/> at <see cref="Position"/> (section offsets), then insert <see cref="Insert"/> there.</summary>
internal readonly record struct SectionEdit(int Position, int DeleteCount, string Insert);
