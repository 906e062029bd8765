namespace CollabEdit.Server.Documents;

/// <summary>
/// Stops every open session (each writes its snapshot) when the host stops, before the storage
/// singleton is disposed with the container. Registered before the other hosted services that use
/// the registry, so it is stopped after them.
/// </summary>
internal sealed class SessionShutdown(DocumentRegistry registry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => registry.DisposeAsync().AsTask();
}
