namespace CollabEdit.LoadDriver;

/// <summary>
/// One run, as printed and written to JSON. The ShareDB peer (bench/peers/sharedb) writes the
/// same shape, so runs of both can be compared. A run that did not converge carries its
/// failures and no figures.
/// </summary>
internal sealed record RunReport
{
    public string System { get; init; } = "collabedit";

    public required string Scenario { get; init; }

    public required string Description { get; init; }

    /// <summary>True: every ack means the edit is on disk (fsynced).</summary>
    public bool Durable { get; init; } = true;

    public required bool Converged { get; init; }

    public IReadOnlyList<string> Failures { get; init; } = [];

    public required RunConfig Config { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public required MachineInfo Machine { get; init; }

    public double? WindowSeconds { get; init; }

    public long? EditsMade { get; init; }

    /// <summary>Edits whose ack arrived inside the window.</summary>
    public long? EditsAcked { get; init; }

    /// <summary>Acks (so server revisions made by this run) inside the window.</summary>
    public long? Commits { get; init; }

    public double? EditsPerSecond { get; init; }

    public double? CommitsPerSecond { get; init; }

    /// <summary>Edit made → durable ack of the submit that carried it.</summary>
    public LatencySummary? AckLatencyMs { get; init; }

    /// <summary>Edit made → another client of the document has applied it.</summary>
    public LatencySummary? RemoteLatencyMs { get; init; }

    /// <summary>How late the open-loop schedule made edits (the driver's own timer lag): should stay near 0.</summary>
    public LatencySummary? ScheduleLagMs { get; init; }

    public ResourceUsage? Server { get; init; }

    public ResourceUsage? Driver { get; init; }

    /// <summary>The server's CPU per commit and per delivered message, and its RSS fresh and with the clients connected.</summary>
    public ServerCost? ServerCost { get; init; }

    /// <summary>Whether the driver kept its schedule; a driver-bound run's figures are not the server's.</summary>
    public DriverCheck? DriverCheck { get; init; }

    public ConnectionFigures? Connections { get; init; }

    /// <summary>Length of the final text (UTF-16 units), of the longest document.</summary>
    public int? FinalLength { get; init; }

    /// <summary>S5 only.</summary>
    public ColdOpenFigures? ColdOpen { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];
}
