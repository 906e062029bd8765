using CollabEdit.Server.Configuration;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Documents;

/// <summary>Unloads documents nobody has open, every <see cref="IdleUnloadOptions.IdleSweepInterval"/>.</summary>
public sealed class IdleDocumentSweeper(DocumentRegistry registry, IOptions<IdleUnloadOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.IdleSweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await registry.UnloadIdleAsync(options.Value.IdleUnloadAfter).ConfigureAwait(false);
        }
    }
}
