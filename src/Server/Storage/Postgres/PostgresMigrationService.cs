using Npgsql;

namespace CollabEdit.Server.Storage.Postgres;

/// <summary>Applies the schema's migrations when the server starts, before it listens.</summary>
internal sealed class PostgresMigrationService(NpgsqlDataSource dataSource, ILogger<PostgresMigrationService> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        PostgresMigrator.MigrateAsync(dataSource, PostgresSchema.Migrations, log, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
