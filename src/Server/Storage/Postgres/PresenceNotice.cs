using System.Text.Json.Serialization;

namespace CollabEdit.Server.Storage.Postgres;

/// <summary>
/// One NOTIFY on <see cref="PostgresSchema.PresenceChannel"/>: presence of peers connected to the
/// sending process, as JSON of at most <see cref="PostgresPresenceRelay.MaxPayloadBytes"/>.
/// </summary>
internal sealed record PresenceNotice(
    [property: JsonPropertyName("process")] string Process,
    [property: JsonPropertyName("peers")] IReadOnlyList<PresenceNoticeEntry> Peers);
