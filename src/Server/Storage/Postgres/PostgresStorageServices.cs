using CollabEdit.Server.Hubs;
using Npgsql;

namespace CollabEdit.Server.Storage.Postgres;

/// <summary>Registers PostgreSQL as the server's storage: the data source, the schema's migrations at start, the storage and its health check.</summary>
public static class PostgresStorageServices
{
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => CreateDataSource(connectionString));

        // Registered before any other hosted service: the schema is there before anything reads it.
        services.AddHostedService<PostgresMigrationService>();
        services.AddSingleton<PostgresDocumentStorage>();
        services.AddSingleton<IDocumentStorage>(sp => sp.GetRequiredService<PostgresDocumentStorage>());
        services.AddHostedService<PostgresCommitListener>();
        services.AddSingleton<PostgresPresenceRelay>();
        services.AddSingleton<IPresenceRelay>(sp => sp.GetRequiredService<PostgresPresenceRelay>());
        services.AddHostedService(sp => sp.GetRequiredService<PostgresPresenceRelay>());
        services.AddHealthChecks().AddCheck<PostgresHealthCheck>("database");
        return services;
    }

    /// <summary>
    /// A pool of connections with synchronous commit forced on, whatever the server's default: a
    /// commit answered is on disk. A transaction left open for 5 s (its process paused by SIGSTOP
    /// or a GC between the append and the commit) is ended by the server, so its row lock stops
    /// holding up the other processes and its late commit fails instead of being acknowledged.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        settings.Options = string.Join(' ', new[] { settings.Options, "-c synchronous_commit=on -c idle_in_transaction_session_timeout=5000" }.Where(o => !string.IsNullOrWhiteSpace(o)));
        settings.ApplicationName ??= "collabedit";
        return builder.Build();
    }
}
