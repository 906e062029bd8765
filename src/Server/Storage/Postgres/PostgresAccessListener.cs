using CollabEdit.Server.Access;
using Npgsql;

namespace CollabEdit.Server.Storage.Postgres;

/// <summary>
/// LISTENs on <see cref="PostgresSchema.AccessChannel"/>: an access change made by any process (its
/// payload the document id) drops this process's cached decisions on that document, so its open
/// connections are checked again within moments; an account's session change ("account {id}") closes
/// that account's connections whose session ended. A notice sent while this process was not listening
/// (a dropped connection) is lost, so on every (re)connect, once listening, every cached decision is
/// dropped and every open connection checked again, as if everything had changed.
/// </summary>
internal sealed partial class PostgresAccessListener(
    NpgsqlDataSource dataSource,
    DocumentAccess access,
    AccountSessions sessions,
    TimeProvider time,
    ILogger<PostgresAccessListener> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
                connection.Notification += (_, e) => Notified(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresSchema.AccessChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }

                // Listening from here on: whatever changed before, while nobody listened, is caught now.
                access.NotifyAllChanged();
                sessions.NotifyChanged(null);

                while (true)
                {
                    await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                LogListenFailed(e);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Notified(string payload)
    {
        if (payload.StartsWith(PostgresSchema.AccountMark, StringComparison.Ordinal))
        {
            sessions.NotifyChanged(payload[PostgresSchema.AccountMark.Length..]);
        }
        else
        {
            access.NotifyChanged(payload);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for access changes failed; listening again in a second")]
    private partial void LogListenFailed(Exception exception);
}
