using MessagePack;

namespace CollabEdit.Protocol;

/// <summary>
/// <see cref="Length"/> units inserted by one author: an account (<see cref="AuthorId"/>), a guest
/// (<see cref="Guest"/>, no id) or, for text nobody recorded, no id and an empty name.
/// <see cref="At"/> is the newest insertion in the span, in Unix milliseconds (server time).
/// </summary>
[MessagePackObject]
public sealed record AuthorshipSpanMessage(
    [property: Key("length")] int Length,
    [property: Key("authorId")] string? AuthorId,
    [property: Key("authorName")] string AuthorName,
    [property: Key("guest")] bool Guest,
    [property: Key("at")] long At);
