namespace CollabEdit.LoadDriver;

/// <summary>The shape of the load.</summary>
internal sealed record RunConfig(
    int Documents,
    int ClientsPerDocument,
    string Rate,
    double DurationSeconds,
    double WarmupSeconds,
    string Workload,
    int EditsPerClient,
    string Server);
