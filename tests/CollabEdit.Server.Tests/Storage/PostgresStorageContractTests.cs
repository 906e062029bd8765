using CollabEdit.Server.Storage;
using CollabEdit.Server.Storage.Postgres;
using Npgsql;

namespace CollabEdit.Server.Tests.Storage;

/// <summary>
/// The storage contract against <see cref="PostgresDocumentStorage"/> on a real PostgreSQL, each
/// test in a schema of its own. A restart disposes the connection pool and opens a new one; a crash
/// terminates the pool's server connections (pg_terminate_backend) and drops the pool without
/// closing anything, as a kill -9 of the process would.
/// </summary>
public sealed class PostgresStorageContractTests : DocumentStorageContract, IDisposable
{
    private readonly Dictionary<IDocumentStorage, NpgsqlDataSource> _dataSources = [];
    private string? _connectionString;

    public void Dispose()
    {
        foreach (var dataSource in _dataSources.Values)
        {
            dataSource.Dispose();
        }

        if (_connectionString is not null)
        {
            TestPostgres.DropSchema(_connectionString);
        }
    }

    protected override IDocumentStorage Open()
    {
        _connectionString = TestPostgres.NewSchemaAsync("contract").GetAwaiter().GetResult();
        return OpenNew();
    }

    protected override IDocumentStorage Restart(IDocumentStorage storage)
    {
        _dataSources[storage].Dispose();
        _ = _dataSources.Remove(storage);
        return OpenNew();
    }

    protected override IDocumentStorage CrashAndReopen(IDocumentStorage storage)
    {
        var crashed = _dataSources[storage];
        TestPostgres.TerminateConnections(_connectionString!, new NpgsqlConnectionStringBuilder(crashed.ConnectionString).ApplicationName!);
        _ = _dataSources.Remove(storage);
        return OpenNew();
    }

    private PostgresDocumentStorage OpenNew()
    {
        string applicationName = $"contract-{Guid.NewGuid():N}";
        var dataSource = PostgresStorageServices.CreateDataSource(new NpgsqlConnectionStringBuilder(_connectionString) { ApplicationName = applicationName }.ConnectionString);
        var storage = new PostgresDocumentStorage(dataSource);
        _dataSources.Add(storage, dataSource);
        return storage;
    }
}
