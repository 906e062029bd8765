using System.Globalization;
using Npgsql;

namespace CollabEdit.Server.Storage.Postgres;

/// <summary>
/// Learns of other processes' commits: LISTENs on <see cref="PostgresSchema.OpsChannel"/> (each
/// commit notifies "documentId revision") and tells the registry, whose sessions read the rows
/// themselves. Notifications can be lost (a dropped connection, this process paused), so every
/// <see cref="CheckInterval"/>, and after every reconnect, it also compares the loaded documents'
/// revisions with the database's: a lost notification delays a broadcast, never changes an order.
/// </summary>
internal sealed partial class PostgresCommitListener(
    NpgsqlDataSource dataSource,
    ICommittedElsewhere documents,
    TimeProvider time,
    ILogger<PostgresCommitListener> log) : BackgroundService
{
    /// <summary>How often loaded documents are checked against the database, notifications or not.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                LogListenFailed(e);
                dataSource.Clear();
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

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
        connection.Notification += (_, e) => OnNotification(e.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {PostgresSchema.OpsChannel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
        }

        // Whatever was committed while this process was not listening.
        await CheckLoadedAsync(connection, stoppingToken).ConfigureAwait(false);
        long lastCheck = time.GetTimestamp();
        while (true)
        {
            _ = await connection.WaitAsync(CheckInterval, stoppingToken).ConfigureAwait(false);
            if (time.GetElapsedTime(lastCheck) >= CheckInterval)
            {
                await CheckLoadedAsync(connection, stoppingToken).ConfigureAwait(false);
                lastCheck = time.GetTimestamp();
            }
        }
    }

    private void OnNotification(string payload)
    {
        int space = payload.LastIndexOf(' ');
        if (space > 0 && payload.AsSpan(space + 1).SequenceEqual(PostgresSchema.DeletedMark))
        {
            documents.Deleted(payload[..space]);
        }
        else if (space > 0 && int.TryParse(payload.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int revision))
        {
            documents.Committed(payload[..space], revision);
        }
    }

    /// <summary>One query for every loaded document: any the database holds further than its session knows is refreshed.</summary>
    private async Task CheckLoadedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var loaded = documents.Loaded();
        if (loaded.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand("SELECT id, revision FROM documents WHERE id = ANY($1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = loaded.Select(d => d.DocumentId).ToArray() });
        var known = loaded.ToDictionary(d => d.DocumentId, d => d.Revision, StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                string id = reader.GetString(0);
                int revision = reader.GetInt32(1);
                found.Add(id);
                if (known.TryGetValue(id, out int knownRevision) && knownRevision >= 0 && revision > knownRevision)
                {
                    documents.Committed(id, revision);
                }
            }
        }

        // Loaded here (so it existed) but gone from the database: a delete whose notification was lost.
        foreach (var (id, knownRevision) in loaded)
        {
            if (knownRevision >= 0 && !found.Contains(id))
            {
                documents.Deleted(id);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for other processes' commits failed; reconnecting (sessions still catch up before each commit)")]
    private partial void LogListenFailed(Exception exception);
}
