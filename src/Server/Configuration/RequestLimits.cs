using System.ComponentModel.DataAnnotations;

namespace CollabEdit.Server.Configuration;

/// <summary>What one client address may ask of the REST API (configuration section <c>CollabEdit</c>).</summary>
public sealed class RequestLimits
{
    /// <summary>REST requests (<c>/api</c>) one client address may sustain a second before it gets 429.</summary>
    [Range(1, int.MaxValue)]
    public int RequestsPerSecondPerAddress { get; set; } = 200;

    /// <summary>REST requests one client address may send in one burst.</summary>
    [Range(1, int.MaxValue)]
    public int RequestBurstPerAddress { get; set; } = 400;

    /// <summary>Documents one client address may create a second (each is a row on disk for good).</summary>
    [Range(1, int.MaxValue)]
    public int DocumentCreatesPerSecondPerAddress { get; set; } = 10;

    /// <summary>Documents one client address may create in one burst.</summary>
    [Range(1, int.MaxValue)]
    public int DocumentCreateBurstPerAddress { get; set; } = 100;
}
