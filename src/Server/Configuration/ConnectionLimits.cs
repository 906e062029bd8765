using System.ComponentModel.DataAnnotations;

namespace CollabEdit.Server.Configuration;

/// <summary>What one hub connection may send (configuration section <c>CollabEdit</c>).</summary>
public sealed class ConnectionLimits
{
    /// <summary>SignalR's limit on one incoming message, in bytes: room for the largest op in MessagePack or JSON.</summary>
    [Range(1, long.MaxValue)]
    public long MaxMessageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Submits and presence updates per second a connection may sustain before it is answered <c>rate-limited</c>.</summary>
    [Range(1, int.MaxValue)]
    public int SubmitsPerSecond { get; set; } = 2000;

    /// <summary>Submits and presence updates a connection may send in one burst.</summary>
    [Range(1, int.MaxValue)]
    public int SubmitBurst { get; set; } = 4000;

    /// <summary>
    /// A connection the server has heard nothing from (not even a keep-alive) for this long is
    /// closed and its presence removed. Clients ping every 2–3 s, so a dead network shows within 10 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:03", "01:00:00")]
    public TimeSpan ClientTimeout { get; set; } = TimeSpan.FromSeconds(8);
}
