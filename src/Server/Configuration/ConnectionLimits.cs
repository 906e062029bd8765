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

    /// <summary>
    /// Web origins (scheme://host[:port]) besides the server's own whose pages may open the hub,
    /// e.g. the editor served from another name. Requests without an Origin (non-browser clients) are always allowed.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>
    /// Bytes the server may hold for one connection that reads slower than its documents change;
    /// past it the connection is cut (the client reconnects and catches up). One message larger
    /// than this still goes to a connection with nothing else waiting.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxPendingBytesPerConnection { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most documents one hub connection may have open at once; more is <c>too-large</c> until it closes one.</summary>
    [Range(1, int.MaxValue)]
    public int MaxOpenDocumentsPerConnection { get; set; } = 100;

    /// <summary>Hub calls of any method a connection may sustain a second before it is answered <c>rate-limited</c>.</summary>
    [Range(1, int.MaxValue)]
    public int CallsPerSecond { get; set; } = 2000;

    /// <summary>Hub calls a connection may send in one burst.</summary>
    [Range(1, int.MaxValue)]
    public int CallBurst { get; set; } = 4000;

    /// <summary>Hub calls all connections from one client address may sustain a second together.</summary>
    [Range(1, int.MaxValue)]
    public int CallsPerSecondPerAddress { get; set; } = 5000;

    /// <summary>Hub calls all connections from one client address may send in one burst.</summary>
    [Range(1, int.MaxValue)]
    public int CallBurstPerAddress { get; set; } = 10000;
}
