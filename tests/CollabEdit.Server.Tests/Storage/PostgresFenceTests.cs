using CollabEdit.Ot;
using CollabEdit.Ot.Sync;
using CollabEdit.Server.Storage;
using CollabEdit.Server.Storage.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CollabEdit.Server.Tests.Storage;

/// <summary>What only a shared storage does: refuse an append whose revision or (clientId, seq) another process committed, and migrate once when processes start together.</summary>
public sealed class PostgresFenceTests : IDisposable
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
    private readonly List<NpgsqlDataSource> _dataSources = [];
    private readonly List<string> _schemas = [];

    public void Dispose()
    {
        foreach (var dataSource in _dataSources)
        {
            dataSource.Dispose();
        }

        foreach (string schema in _schemas)
        {
            TestPostgres.DropSchema(schema);
        }
    }

    [SkippableFact]
    public async Task Append_AtARevisionAnotherProcessCommitted_IsRefusedWhole_AndStoresNothing()
    {
        var (first, second) = await TwoProcessesAsync();
        await first.CreateDocumentAsync(new StoredDocument("fenced", "Fenced", 0, Created, Created), "");
        await first.AppendAsync("fenced", [Op("fenced", 1, "a", 1)], null);

        // The second process did not see revision 1 and commits its own op as revision 1, then 2.
        await Assert.ThrowsAsync<RevisionConflictException>(() => second.AppendAsync("fenced", [Op("fenced", 1, "b", 1), Op("fenced", 2, "b", 2)], null));

        Assert.Equal(1, second.GetDocument("fenced")!.Revision);
        Assert.Equal(["a"], second.ReadOps("fenced", 0, 10).Select(op => op.Op.ClientId));
        await second.AppendAsync("fenced", [Op("fenced", 2, "b", 1)], null);
        Assert.Equal(2, first.GetDocument("fenced")!.Revision);
    }

    [SkippableFact]
    public async Task Append_OfAClientSeqAlreadyCommitted_IsRefused_SoARetryIsAppliedOnce()
    {
        var (first, second) = await TwoProcessesAsync();
        await first.CreateDocumentAsync(new StoredDocument("retried", "Retried", 0, Created, Created), "");
        await first.AppendAsync("retried", [Op("retried", 1, "c", 7)], null);

        // The same submit reached the other process too, which saw revision 1 and committed it again as 2.
        await Assert.ThrowsAsync<RevisionConflictException>(() => second.AppendAsync("retried", [Op("retried", 2, "c", 7)], null));

        Assert.Single(second.ReadOps("retried", 0, 10));
    }

    [SkippableFact]
    public async Task Migrate_ThreeProcessesStartingAtOnce_ApplyEachMigrationOnce()
    {
        string server = TestPostgres.RequireConnectionString();
        string schema = $"migrate_{Guid.NewGuid():N}";
        await using (var admin = NpgsqlDataSource.Create(server))
        await using (var create = admin.CreateCommand($"CREATE SCHEMA {schema}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        string connectionString = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
        _schemas.Add(connectionString);
        var sources = Enumerable.Range(0, 3).Select(_ => Track(PostgresStorageServices.CreateDataSource(connectionString))).ToList();

        int[] applied = await Task.WhenAll(sources.Select(source =>
            Task.Run(() => PostgresMigrator.MigrateAsync(source, PostgresSchema.Migrations, NullLogger.Instance, CancellationToken.None))));

        Assert.Equal(PostgresSchema.Migrations.Count, applied.Sum());
        await using var count = sources[0].CreateCommand("SELECT count(*) FROM schema_migrations");
        Assert.Equal((long)PostgresSchema.Migrations.Count, await count.ExecuteScalarAsync());
    }

    private async Task<(PostgresDocumentStorage First, PostgresDocumentStorage Second)> TwoProcessesAsync()
    {
        string connectionString = await TestPostgres.NewSchemaAsync("fence");
        _schemas.Add(connectionString);
        return (new PostgresDocumentStorage(Track(PostgresStorageServices.CreateDataSource(connectionString))),
                new PostgresDocumentStorage(Track(PostgresStorageServices.CreateDataSource(connectionString))));
    }

    private NpgsqlDataSource Track(NpgsqlDataSource dataSource)
    {
        _dataSources.Add(dataSource);
        return dataSource;
    }

    /// <summary>An op that inserts "x" into a document of <paramref name="revision"/> - 1 x's.</summary>
    private static StoredOp Op(string documentId, int revision, string clientId, long seq)
    {
        var op = TextOperation.Splice(revision - 1, revision - 1, 0, "x");
        return new StoredOp(documentId, new CommittedOp(revision, op, clientId, seq, revision - 1, op), "Ann", "peer-1", Created.AddSeconds(revision));
    }
}
