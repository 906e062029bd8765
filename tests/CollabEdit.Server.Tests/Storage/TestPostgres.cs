using CollabEdit.Server.Storage.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CollabEdit.Server.Tests.Storage;

/// <summary>
/// The PostgreSQL the tests use: <c>COLLABEDIT_TEST_POSTGRES</c>, set by scripts/postgres.sh (which
/// scripts/test.sh runs). Without it a test needing PostgreSQL is skipped, saying why, except in CI
/// (<c>CI=true</c>), where it fails. Each test gets a schema of its own.
/// </summary>
internal static class TestPostgres
{
    public const string Variable = "COLLABEDIT_TEST_POSTGRES";

    /// <summary>The server's connection string, or a skip (locally) or failure (CI) when there is none.</summary>
    public static string RequireConnectionString()
    {
        string? connectionString = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            string reason = $"{Variable} is not set: start one with `eval \"$(bash scripts/postgres.sh start)\"` (scripts/test.sh does).";
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), "CI needs PostgreSQL: " + reason);
            Skip.If(true, reason);
        }

        return connectionString!;
    }

    /// <summary>A new empty schema, migrated; returns the connection string that uses it.</summary>
    public static async Task<string> NewSchemaAsync(string prefix, string? server = null)
    {
        server ??= RequireConnectionString();
        string schema = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)];
        await using (var dataSource = NpgsqlDataSource.Create(server))
        await using (var command = dataSource.CreateCommand($"CREATE SCHEMA {schema}"))
        {
            await command.ExecuteNonQueryAsync();
        }

        string connectionString = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
        await using (var dataSource = PostgresStorageServices.CreateDataSource(connectionString))
        {
            await PostgresMigrator.MigrateAsync(dataSource, PostgresSchema.Migrations, NullLogger.Instance, CancellationToken.None);
        }

        return connectionString;
    }

    /// <summary>
    /// With <c>COLLABEDIT_TEST_SERVER_STORAGE=Postgres</c>, the connection string of a schema that
    /// belongs to <paramref name="dataPath"/> (created and migrated if new, so a restart finds its
    /// data); otherwise null and the server uses LiteDB in that folder. Lets the server suites run
    /// unchanged against PostgreSQL.
    /// </summary>
    public static async Task<string?> ForRunningServerAsync(string dataPath)
    {
        if (!IsServerOnPostgres)
        {
            return null;
        }

        string server = RequireConnectionString();
        string schema = RunningServerSchema(dataPath);
        await using (var dataSource = NpgsqlDataSource.Create(server))
        await using (var command = dataSource.CreateCommand($"CREATE SCHEMA IF NOT EXISTS {schema}"))
        {
            await command.ExecuteNonQueryAsync();
        }

        string connectionString = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
        await using (var dataSource = PostgresStorageServices.CreateDataSource(connectionString))
        {
            await PostgresMigrator.MigrateAsync(dataSource, PostgresSchema.Migrations, NullLogger.Instance, CancellationToken.None);
        }

        return connectionString;
    }

    public static void DropRunningServerSchema(string dataPath)
    {
        if (IsServerOnPostgres)
        {
            DropSchema(new NpgsqlConnectionStringBuilder(RequireConnectionString()) { SearchPath = RunningServerSchema(dataPath) }.ConnectionString);
        }
    }

    private static bool IsServerOnPostgres =>
        string.Equals(Environment.GetEnvironmentVariable("COLLABEDIT_TEST_SERVER_STORAGE"), "Postgres", StringComparison.OrdinalIgnoreCase);

    private static string RunningServerSchema(string dataPath) =>
        "server_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(dataPath))))[..24];

    /// <summary>Drops the schema of <paramref name="connectionString"/> with everything in it; failures are ignored (cleanup only).</summary>
    public static void DropSchema(string connectionString)
    {
        try
        {
            var settings = new NpgsqlConnectionStringBuilder(connectionString);
            string schema = settings.SearchPath!;
            settings.SearchPath = null;
            using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
            using var command = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
            command.ExecuteNonQuery();
        }
        catch (NpgsqlException)
        {
        }
    }

    /// <summary>Ends every server connection whose application name is <paramref name="applicationName"/>, as a crash of its process would.</summary>
    public static void TerminateConnections(string connectionString, string applicationName)
    {
        using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "collabedit-tests" }.ConnectionString);
        using var command = dataSource.CreateCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = applicationName });
        command.ExecuteNonQuery();
    }
}
