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
}
