using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CollabEdit.Ot;
using CollabEdit.Ot.Json;
using CollabEdit.Ot.Sync;
using Npgsql;
using NpgsqlTypes;

namespace CollabEdit.Server.Storage.Postgres;

/// <summary>
/// Documents, ops, snapshots and named versions in PostgreSQL (schema: <see cref="PostgresSchema"/>),
/// shared by every server process on the database. Each write is one transaction, complete once
/// committed (synchronous commit on), so nothing is acknowledged that a crash of this process or of
/// PostgreSQL could take back.
/// </summary>
/// <remarks>
/// An append moves the document row from the revision before its first op to its last op's, and
/// inserts the ops: a process whose view was stale (another process committed first, or it was
/// paused) finds the row moved or the revision taken, and the whole append fails with
/// <see cref="RevisionConflictException"/>. The same happens when one of its (clientId, seq) is
/// already committed. The commit notifies <see cref="PostgresSchema.OpsChannel"/> with the document
/// id and the revision reached, so the other processes read the new rows.
/// </remarks>
public sealed class PostgresDocumentStorage(NpgsqlDataSource dataSource) : IDocumentStorage
{
    /// <summary>An op as committed plus as sent, in the wire form: far below PostgreSQL's 1 GB per value.</summary>
    private const long MaxOpBytes = 256L * 1024 * 1024;

    private static readonly JsonSerializerOptions OpJson = new()
    {
        Converters = { new TextOperationJsonConverter() },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private volatile string? _lastError;

    public string? LastError => _lastError;

    public string Location { get; } = DescribeLocation(dataSource.ConnectionString);

    public bool IsShared => true;

    public long MaxStoredOpBytes => MaxOpBytes;

    /// <summary>The wire form in JSON: per component at most 12 characters around it, per unit at most 6 bytes (an escape).</summary>
    public long StoredOpBytesBound(long committedComponents, long sentComponents, long insertedUnits) =>
        (committedComponents + sentComponents) * 16 + 2 * insertedUnits * 6 + 512;

    public Task CreateDocumentAsync(StoredDocument document, string text, Authorship? authorship = null) => WriteAsync(async (connection, transaction) =>
    {
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                Command(
                    "INSERT INTO documents (id, title, revision, created_at, updated_at, snapshot_revision) VALUES ($1, $2, $3, $4, $5, $3)",
                    document.Id, document.Title, document.Revision, document.CreatedAt.ToUniversalTime(), document.UpdatedAt.ToUniversalTime()),
                Command(
                    "INSERT INTO snapshots (document_id, revision, text, authorship) VALUES ($1, $2, $3, $4)",
                    document.Id, document.Revision, Encoding.UTF8.GetBytes(text), AuthorshipCodec.Encode(authorship ?? IDocumentStorage.UnknownAuthorship(document, text))),
            },
        };
        await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
    });

    public Task AppendAsync(string documentId, IReadOnlyList<StoredOp> ops, Snapshot? snapshot, long storedBytes = 0)
    {
        if (ops.Count == 0)
        {
            return Task.CompletedTask;
        }

        // Built before the transaction: the connection is held only for the round trips.
        int first = ops[0].Revision;
        int last = ops[^1].Revision;
        var revisions = new int[ops.Count];
        var operations = new string[ops.Count];
        var sent = new string?[ops.Count];
        var clients = new string[ops.Count];
        var seqs = new long[ops.Count];
        var bases = new int[ops.Count];
        var authors = new string[ops.Count];
        var peers = new string[ops.Count];
        var times = new DateTimeOffset[ops.Count];
        var restoredFrom = new int?[ops.Count];
        for (int i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            revisions[i] = op.Revision;
            operations[i] = JsonSerializer.Serialize(op.Operation, OpJson);
            sent[i] = op.Op.Submitted.Equals(op.Operation) ? null : JsonSerializer.Serialize(op.Op.Submitted, OpJson);
            clients[i] = op.Op.ClientId;
            seqs[i] = op.Op.Seq;
            bases[i] = op.Op.BaseRevision;
            authors[i] = op.Author;
            peers[i] = op.PeerId;
            times[i] = op.Timestamp.ToUniversalTime();
            restoredFrom[i] = op.RestoredFrom;
        }

        return WriteAsync(async (connection, transaction) =>
        {
            await using var batch = new NpgsqlBatch(connection, transaction)
            {
                BatchCommands =
                {
                    // First, so it takes the document's row lock: a concurrent append waits, then finds the revision moved.
                    Command(
                        "UPDATE documents SET revision = $3, updated_at = $4, snapshot_revision = CASE WHEN $5 THEN $3 ELSE snapshot_revision END, stored_bytes = greatest(stored_bytes, $6) WHERE id = $1 AND revision = $2",
                        documentId, first - 1, last, times[^1], snapshot is not null, storedBytes),
                    Command(
                        """
                        INSERT INTO ops (document_id, revision, op, sent, client_id, seq, base_revision, author, peer_id, created_at, restored_from)
                        SELECT $1, * FROM unnest($2::integer[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::integer[], $8::text[], $9::text[], $10::timestamptz[], $11::integer[])
                        """,
                        documentId, revisions, operations, sent, clients, seqs, bases, authors, peers, times, restoredFrom),
                    Command("SELECT pg_notify($1, $2)", PostgresSchema.OpsChannel, $"{documentId} {last}"),
                },
            };
            if (snapshot is not null)
            {
                batch.BatchCommands.Add(Command(
                    $"INSERT INTO snapshots (document_id, revision, text, authorship) VALUES ($1, $2, $3, $4) {KeepAuthorship}",
                    documentId, snapshot.Revision, Encoding.UTF8.GetBytes(snapshot.Text), EncodedAuthorship(snapshot)));
            }

            try
            {
                await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
            {
                // Deleted (by this process or another): this write alone fails, and its session learns why.
                throw new DocumentMissingException(documentId);
            }

            if (batch.BatchCommands[0].RecordsAffected != 1)
            {
                throw new RevisionConflictException($"Document {documentId} is no longer at revision {first - 1} (or is gone): ops {first}…{last} were not stored.");
            }
        });
    }

    public Task WriteSnapshotAsync(string documentId, Snapshot snapshot) => WriteAsync(async (connection, transaction) =>
    {
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                Command(
                    $"INSERT INTO snapshots (document_id, revision, text, authorship) SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM documents WHERE id = $1) {KeepAuthorship}",
                    documentId, snapshot.Revision, Encoding.UTF8.GetBytes(snapshot.Text), EncodedAuthorship(snapshot)),
                Command("UPDATE documents SET snapshot_revision = greatest(snapshot_revision, $2) WHERE id = $1 AND revision >= $2", documentId, snapshot.Revision),
            },
        };
        await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
    });

    public Task AddVersionAsync(string documentId, NamedVersion version) => WriteAsync(async (connection, transaction) =>
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO versions (document_id, name, revision, created_at) VALUES ($1, $2, $3, $4)", connection, transaction);
        AddParameters(command.Parameters, documentId, version.Name, version.Revision, version.CreatedAt.ToUniversalTime());
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    });

    public Task DeleteDocumentAsync(string documentId) => WriteAsync(async (connection, transaction) =>
    {
        // The notification is sent only if the delete commits: other processes close their session.
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                Command("DELETE FROM documents WHERE id = $1", documentId),
                Command("SELECT pg_notify($1, $2)", PostgresSchema.OpsChannel, $"{documentId} {PostgresSchema.DeletedMark}"),
            },
        };
        await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
    });

    /// <summary>Every read sees only committed (so durable) rows: nothing to wait for.</summary>
    public Task ConfirmDurableAsync() => Task.CompletedTask;

    public StoredDocument? GetDocument(string documentId) =>
        Query("SELECT id, title, revision, created_at, updated_at, snapshot_revision, stored_bytes FROM documents WHERE id = $1", ToDocument, documentId)
            .SingleOrDefault();

    public IReadOnlyList<StoredDocument> ListDocuments() =>
        Query("SELECT id, title, revision, created_at, updated_at, snapshot_revision, stored_bytes FROM documents ORDER BY updated_at DESC, id", ToDocument);

    public IReadOnlyList<StoredOp> ReadOps(string documentId, int afterRevision, int toRevision, int limit = int.MaxValue) =>
        toRevision <= afterRevision || limit <= 0
            ? []
            : Query(
                """
                SELECT document_id, revision, op, sent, client_id, seq, base_revision, author, peer_id, created_at, restored_from FROM ops
                WHERE document_id = $1 AND revision > $2 AND revision <= $3 ORDER BY revision LIMIT $4
                """,
                ToOp, documentId, afterRevision, toRevision, (long)limit);

    public async Task<IReadOnlyList<StoredOp>> ReadOpsAsync(string documentId, int afterRevision, int toRevision, int limit, CancellationToken cancellationToken) =>
        toRevision <= afterRevision || limit <= 0
            ? []
            : await QueryAsync(
                """
                SELECT document_id, revision, op, sent, client_id, seq, base_revision, author, peer_id, created_at, restored_from FROM ops
                WHERE document_id = $1 AND revision > $2 AND revision <= $3 ORDER BY revision LIMIT $4
                """,
                ToOp, cancellationToken, documentId, afterRevision, toRevision, (long)limit).ConfigureAwait(false);

    public Snapshot? GetSnapshot(string documentId, int revision) =>
        Query("SELECT revision, text, authorship FROM snapshots WHERE document_id = $1 AND revision = $2", ToSnapshot, documentId, revision).SingleOrDefault();

    public Snapshot? LatestSnapshot(string documentId, int revision) =>
        Query("SELECT revision, text, authorship FROM snapshots WHERE document_id = $1 AND revision <= $2 ORDER BY revision DESC LIMIT 1", ToSnapshot, documentId, revision)
            .SingleOrDefault();

    public Snapshot? LatestAuthoredSnapshot(string documentId, int revision) =>
        Query(
            "SELECT revision, text, authorship FROM snapshots WHERE document_id = $1 AND revision <= $2 AND authorship IS NOT NULL ORDER BY revision DESC LIMIT 1",
            ToSnapshot, documentId, revision).SingleOrDefault();

    public string TextAt(string documentId, int revision)
    {
        var snapshot = LatestSnapshot(documentId, revision)
            ?? throw new InvalidOperationException($"Document {documentId} has no snapshot at or before {revision}.");
        var document = new TextDocument(snapshot.Text);
        foreach (var op in ReadOps(documentId, snapshot.Revision, revision))
        {
            document.Apply(op.Operation);
        }

        return document.ToString();
    }

    public IReadOnlyList<NamedVersion> ListVersions(string documentId) =>
        Query(
            "SELECT name, revision, created_at FROM versions WHERE document_id = $1 ORDER BY revision, id",
            reader => new NamedVersion(reader.GetString(0), reader.GetInt32(1), reader.GetFieldValue<DateTimeOffset>(2)),
            documentId);

    /// <summary>Runs one write in a transaction; maps the database's refusals to the storage exceptions.</summary>
    private async Task WriteAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task> write)
    {
        for (int attempt = 1; ; attempt++)
        {
            bool committing = false;
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
                await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
                await write(connection, transaction).ConfigureAwait(false);
                committing = true;
                await transaction.CommitAsync().ConfigureAwait(false);
                _lastError = null;
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // The fence: a revision or a (clientId, seq) another process committed first. Storage works.
                _lastError = null;
                throw new RevisionConflictException($"Already committed ({e.ConstraintName}): nothing of this write was stored.", e);
            }
            catch (Exception e) when (e is RevisionConflictException or DocumentMissingException)
            {
                _lastError = null;
                throw;
            }
            catch (Exception e) when (IsConnectionLost(e) && !committing && attempt == 1)
            {
                // A pooled connection the server dropped (a restart, a terminated backend): nothing
                // was committed, so the write is tried once more on a fresh connection.
                dataSource.Clear();
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or InvalidOperationException)
            {
                // Includes a commit whose answer was lost: it may have committed, so the caller
                // acknowledges nothing, and the client's retry is recognised by its (clientId, seq).
                if (IsConnectionLost(e))
                {
                    dataSource.Clear();
                }

                _lastError = e.Message;
                throw new StorageUnavailableException($"PostgreSQL refused or lost the write: {e.Message}", e);
            }
        }
    }

    /// <summary>Runs a read, once more on a fresh connection if the pooled one turned out dead.</summary>
    private List<T> Query<T>(string sql, Func<NpgsqlDataReader, T> map, params object?[] values)
    {
        try
        {
            return QueryOnce(sql, map, values);
        }
        catch (Exception e) when (IsConnectionLost(e))
        {
            dataSource.Clear();
            return QueryOnce(sql, map, values);
        }
    }

    /// <summary><see cref="Query"/> without blocking a thread on the round trips.</summary>
    private async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params object?[] values)
    {
        try
        {
            return await QueryOnceAsync(sql, map, values, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectionLost(e))
        {
            dataSource.Clear();
            return await QueryOnceAsync(sql, map, values, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<List<T>> QueryOnceAsync<T>(string sql, Func<NpgsqlDataReader, T> map, object?[] values, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        AddParameters(command.Parameters, values);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    private List<T> QueryOnce<T>(string sql, Func<NpgsqlDataReader, T> map, object?[] values)
    {
        using var connection = dataSource.OpenConnection();
        using var command = new NpgsqlCommand(sql, connection);
        AddParameters(command.Parameters, values);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    /// <summary>The connection broke or the server ended it (57P01 admin shutdown, 08… connection exceptions), rather than refusing the statement.</summary>
    private static bool IsConnectionLost(Exception e) => e switch
    {
        PostgresException p => p.SqlState.StartsWith("57P", StringComparison.Ordinal) || p.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException n => n.InnerException is IOException or System.Net.Sockets.SocketException || n.IsTransient,
        _ => false,
    };

    private static NpgsqlBatchCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        AddParameters(command.Parameters, values);
        return command;
    }

    private static void AddParameters(NpgsqlParameterCollection parameters, params object?[] values)
    {
        foreach (object? value in values)
        {
            parameters.Add(value switch
            {
                string?[] texts => new NpgsqlParameter { Value = texts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                int?[] numbers => new NpgsqlParameter { Value = numbers, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer },
                _ => new NpgsqlParameter { Value = value ?? DBNull.Value },
            });
        }
    }

    private static StoredDocument ToDocument(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetInt32(2),
        reader.GetFieldValue<DateTimeOffset>(3),
        reader.GetFieldValue<DateTimeOffset>(4),
        reader.GetInt32(5),
        reader.GetInt64(6));

    private static StoredOp ToOp(NpgsqlDataReader reader)
    {
        var operation = ParseOp(reader.GetString(2));
        var sent = reader.IsDBNull(3) ? operation : ParseOp(reader.GetString(3));
        var committed = new CommittedOp(reader.GetInt32(1), operation, reader.GetString(4), reader.GetInt64(5), reader.GetInt32(6), sent);
        return new StoredOp(
            reader.GetString(0), committed, reader.GetString(7), reader.GetString(8), reader.GetFieldValue<DateTimeOffset>(9), reader.IsDBNull(10) ? null : reader.GetInt32(10));
    }

    private static TextOperation ParseOp(string json) =>
        JsonSerializer.Deserialize<TextOperation>(json, OpJson) ?? throw new InvalidOperationException("A stored op is null.");

    private static Snapshot ToSnapshot(NpgsqlDataReader reader) => new(
        reader.GetInt32(0),
        Encoding.UTF8.GetString(reader.GetFieldValue<byte[]>(1)),
        reader.IsDBNull(2) ? null : AuthorshipCodec.Decode(reader.GetString(2)));

    /// <summary>A snapshot row that exists keeps its text; one written before authorship was kept gains it.</summary>
    private const string KeepAuthorship =
        "ON CONFLICT (document_id, revision) DO UPDATE SET authorship = EXCLUDED.authorship WHERE snapshots.authorship IS NULL AND EXCLUDED.authorship IS NOT NULL";

    private static string? EncodedAuthorship(Snapshot snapshot) => snapshot.Authorship is { } authorship ? AuthorshipCodec.Encode(authorship) : null;

    private static string DescribeLocation(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}";
    }
}
