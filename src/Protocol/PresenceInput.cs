using MessagePack;

namespace CollabEdit.Protocol;

/// <summary>
/// What a client reports with <c>SetPresence</c>: its name, colour and selection, as offsets in
/// the server's text at <see cref="Revision"/> (clients send it when all their edits are acknowledged).
/// </summary>
[MessagePackObject]
public sealed record PresenceInput(
    [property: Key("name")] string? Name,
    [property: Key("color")] string? Color,
    [property: Key("anchor")] int Anchor,
    [property: Key("head")] int Head,
    [property: Key("revision")] int Revision = 0);
