namespace CollabEdit.LoadDriver;

/// <summary>
/// The server's cost per unit of work over the measured window, from its own /proc figures.
/// </summary>
/// <param name="CpuMicrosPerCommit">Server CPU-µs in the window / commits (acks) in the window.</param>
/// <param name="CpuMicrosPerDeliveredMessage">
/// Server CPU-µs / messages delivered to the clients in the window: every ack plus every remote op
/// a client received (counted at the clients; keep-alives and presence not counted).
/// </param>
/// <param name="DeliveredMessages">Acks plus remote ops received by the clients inside the window.</param>
/// <param name="FreshRssMiB">VmRSS of the server once it answers, before the run's documents exist.</param>
/// <param name="ConnectedRssMiB">VmRSS once the documents exist and every client is connected, before any edit.</param>
internal sealed record ServerCost(
    double? CpuMicrosPerCommit,
    double? CpuMicrosPerDeliveredMessage,
    long DeliveredMessages,
    double? FreshRssMiB,
    double? ConnectedRssMiB);
