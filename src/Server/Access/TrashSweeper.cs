using CollabEdit.Server.Configuration;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Access;

/// <summary>Purges documents that have been in a trash longer than <c>CollabEdit:TrashRetention</c>, checked hourly and at start.</summary>
internal sealed partial class TrashSweeper(Trash trash, IOptions<TrashOptions> options, TimeProvider time, ILogger<TrashSweeper> log) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                int purged = await trash.PurgeOlderThanAsync(time.GetUtcNow() - options.Value.TrashRetention).ConfigureAwait(false);
                if (purged > 0)
                {
                    LogPurged(purged);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} documents kept in a trash past the retention period")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Purging old documents from the trash failed; retried in an hour")]
    private partial void LogFailed(Exception exception);
}
