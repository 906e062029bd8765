namespace CollabEdit.Ot;

/// <summary>
/// A run of <see cref="Length"/> UTF-16 code units all inserted by <see cref="Author"/> (an opaque
/// key: the server stores its author string there). <see cref="Stamp"/> is the newest of the
/// times (any ordered number, the server's Unix milliseconds) at which those units were inserted.
/// </summary>
public readonly record struct AuthorSpan(int Length, string Author, long Stamp);
