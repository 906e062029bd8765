using System.Text.Json.Serialization;
using CollabEdit.Protocol;

namespace CollabEdit.Server.Storage.Postgres;

/// <summary>A peer's latest presence in one document, or its leaving (<see cref="Presence"/> null).</summary>
internal sealed record PresenceNoticeEntry(
    [property: JsonPropertyName("doc")] string DocumentId,
    [property: JsonPropertyName("peer")] string PeerId,
    [property: JsonPropertyName("presence")] PeerPresence? Presence);
