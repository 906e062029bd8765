namespace CollabEdit.LoadDriver;

/// <summary>One run's parameters: a scenario's preset with the command line's overrides applied.</summary>
internal sealed record LoadSettings
{
    public string Scenario { get; init; } = "custom";

    /// <summary>One line saying what the scenario is, for the table and the JSON.</summary>
    public string Description { get; init; } = "";

    /// <summary>A running server to target instead of starting one.</summary>
    public Uri? Url { get; init; }

    /// <summary>
    /// More running servers (processes on one PostgreSQL database, each <c>--url</c> after the
    /// first): client i of the run connects to the i-th of <see cref="Url"/> and these, round robin.
    /// </summary>
    public IReadOnlyList<Uri> MoreUrls { get; init; } = [];

    /// <summary>The pid of the server at <see cref="Url"/>, for CPU and RSS.</summary>
    public int? ServerPid { get; init; }

    public string? ServerDll { get; init; }

    /// <summary>Start the server under <c>taskset -c CPUS</c> (e.g. "0"): pinned apart from the driver.</summary>
    public string? ServerCpus { get; init; }

    public string ServerConfiguration { get; init; } = ServerBuild.OwnConfiguration;

    public bool Build { get; init; } = true;

    public int Documents { get; init; } = 1;

    public int ClientsPerDocument { get; init; } = 1;

    /// <summary>Edits per second per client (open loop); null: the next edit when the previous one is acked.</summary>
    public double? Rate { get; init; }

    /// <summary>Measured seconds after the warm-up; 0: until the workloads end (bounded workloads only).</summary>
    public double DurationSeconds { get; init; } = 10;

    public double WarmupSeconds { get; init; }

    /// <summary>Edits per client at most (a trace slice's length); null: enough for warm-up plus duration, or the whole trace.</summary>
    public int? EditsPerClient { get; init; }

    public WorkloadKind Workload { get; init; } = WorkloadKind.Trace;

    public string Trace { get; init; } = "automerge-paper";

    public SliceLayout Slices { get; init; } = SliceLayout.FromStart;

    public double DrainTimeoutSeconds { get; init; } = 120;

    public int ConnectParallelism { get; init; } = 32;

    public int Seed { get; init; } = 1;

    public string? JsonPath { get; init; }

    public bool KeepData { get; init; }

    /// <summary>
    /// Do not sign in: for a server from before accounts (bench/auth-overhead.sh compares one with
    /// today's). Every REST call and connection goes without a token.
    /// </summary>
    public bool NoAuth { get; init; }

    /// <summary>Print only the verdict (the smoke test).</summary>
    public bool Quiet { get; init; }

    // S5: opening a long history cold.
    public int HistoryOps { get; init; } = 100_000;

    public int Restarts { get; init; } = 5;

    public int PopulateClients { get; init; } = 16;

    public bool IsClosedLoop => Rate is null;
}
