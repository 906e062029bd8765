using System.ComponentModel.DataAnnotations;

namespace CollabEdit.Server.Configuration;

/// <summary>When documents nobody has open are unloaded (configuration section <c>CollabEdit</c>).</summary>
public sealed class IdleUnloadOptions
{
    /// <summary>A document with no clients is unloaded (after a snapshot) once idle this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan IdleUnloadAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often idle documents are looked for; a timer's period, so positive and under 49 days.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "49.00:00:00")]
    public TimeSpan IdleSweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// UTF-16 units of text all loaded documents may hold together (two bytes each, plus their
    /// history windows). Past it the least recently used documents nobody has open are unloaded,
    /// and an Open that still does not fit is <c>unavailable</c>.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, long.MaxValue)]
    public long MaxLoadedDocumentUnits { get; set; } = 128L * 1024 * 1024;
}
