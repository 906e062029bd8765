using CollabEdit.Server.Access;
using Npgsql;

namespace CollabEdit.Server.Storage.Postgres;

/// <summary>
/// <see cref="IAccessStorage"/> in the CollabEdit database (migration 3), shared by every process on
/// it: accounts, owners, grants, share links and the audit log. Each write is one transaction,
/// answered once committed; a write that changes a document's access also notifies
/// <see cref="PostgresSchema.AccessChannel"/> with the document id in that transaction, so every
/// process drops its cached decisions (<see cref="PostgresAccessListener"/>).
/// </summary>
/// <remarks>Reads are synchronous, as the interface wants: a pooled connection and one indexed query each.</remarks>
internal sealed class PostgresAccessStorage(NpgsqlDataSource dataSource) : IAccessStorage
{
    /// <summary>The advisory lock sign-ups take turns on ("CEsignup" in ASCII), so that "no account yet" is decided by one at a time.</summary>
    private const long SignUpLockKey = 0x4345_7369_676E_7570;

    private const string AccountColumns =
        "id, user_name, user_name_shown, email, email_shown, display_name, password_hash, security_stamp, concurrency_stamp, lockout_enabled, lockout_end, access_failed_count, is_administrator, created_at";

    public Task<bool> AddAccountAsync(Account account) => Unavailable(() => AddAccountCoreAsync(account));

    private async Task<bool> AddAccountCoreAsync(Account account)
    {
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({SignUpLockKey})").ConfigureAwait(false);
        await using (var taken = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM accounts WHERE user_name = $1 OR email = $2), EXISTS (SELECT 1 FROM accounts)", connection, transaction))
        {
            taken.Parameters.Add(new NpgsqlParameter { Value = account.NormalizedUserName });
            taken.Parameters.Add(new NpgsqlParameter { Value = account.NormalizedEmail });
            await using var reader = await taken.ExecuteReaderAsync().ConfigureAwait(false);
            await reader.ReadAsync().ConfigureAwait(false);
            if (reader.GetBoolean(0))
            {
                return false;
            }

            account.IsAdministrator = !reader.GetBoolean(1);
        }

        await using (var insert = new NpgsqlCommand($"INSERT INTO accounts ({AccountColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)", connection, transaction))
        {
            AddAccountParameters(insert, account);
            await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        return true;
    }

    public Task UpdateAccountAsync(Account account) => Unavailable(async () =>
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE accounts SET user_name = $2, user_name_shown = $3, email = $4, email_shown = $5, display_name = $6, password_hash = $7,
                security_stamp = $8, concurrency_stamp = $9, lockout_enabled = $10, lockout_end = $11, access_failed_count = $12,
                is_administrator = $13, created_at = $14
            WHERE id = $1
            """);
        AddAccountParameters(command, account);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    });

    public Account? FindAccountById(string accountId) => ReadAccount("id = $1", accountId);

    public Account? FindAccountByUserName(string normalizedUserName) => ReadAccount("user_name = $1", normalizedUserName);

    public Account? FindAccountByEmail(string normalizedEmail) => ReadAccount("email = $1", normalizedEmail);

    public Account? FindAdministrator() => ReadAccount("is_administrator");

    public DocumentOwnership? FindOwnership(string documentId) => ReadOwnerships("document_id = $1", documentId).FirstOrDefault();

    public IReadOnlyList<DocumentOwnership> OwnedBy(string accountId) => ReadOwnerships("owner_id = $1", accountId);

    public IReadOnlyList<DocumentOwnership> Trashed() => ReadOwnerships("trashed_at IS NOT NULL");

    public Task SetOwnershipAsync(DocumentOwnership ownership) => WriteAsync(ownership.DocumentId, """
        INSERT INTO document_owners (document_id, owner_id, trashed_at, title) VALUES ($1, $2, $3, $4)
        ON CONFLICT (document_id) DO UPDATE SET owner_id = EXCLUDED.owner_id, trashed_at = EXCLUDED.trashed_at, title = EXCLUDED.title
        """, ownership.DocumentId, ownership.OwnerId, ownership.TrashedAt, ownership.Title);

    public Grant? FindGrant(string documentId, string accountId) => ReadGrants("document_id = $1 AND account_id = $2", documentId, accountId).FirstOrDefault();

    public IReadOnlyList<Grant> GrantsOn(string documentId) => ReadGrants("document_id = $1", documentId);

    public IReadOnlyList<Grant> GrantsTo(string accountId) => ReadGrants("account_id = $1", accountId);

    public Task SetGrantAsync(Grant grant) => WriteAsync(grant.DocumentId, """
        INSERT INTO grants (document_id, account_id, role, granted_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (document_id, account_id) DO UPDATE SET role = EXCLUDED.role, granted_at = EXCLUDED.granted_at
        """, grant.DocumentId, grant.AccountId, (int)grant.Role, grant.GrantedAt);

    public Task RemoveGrantAsync(string documentId, string accountId) =>
        WriteAsync(documentId, "DELETE FROM grants WHERE document_id = $1 AND account_id = $2", documentId, accountId);

    public ShareLink? FindLinkByTokenHash(string tokenHash) => ReadLinks("token_hash = $1", tokenHash).FirstOrDefault();

    public IReadOnlyList<ShareLink> LinksOn(string documentId) => ReadLinks("document_id = $1", documentId);

    public Task AddLinkAsync(ShareLink link) => WriteAsync(link.DocumentId,
        "INSERT INTO share_links (id, document_id, token_hash, role, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        link.Id, link.DocumentId, link.TokenHash, (int)link.Role, link.CreatedBy, link.CreatedAt);

    public async Task<bool> SetLinkRoleAsync(string documentId, string linkId, DocumentRole role) =>
        await WriteAsync(documentId, "UPDATE share_links SET role = $3 WHERE document_id = $1 AND id = $2", documentId, linkId, (int)role).ConfigureAwait(false) > 0;

    public async Task<bool> RemoveLinkAsync(string documentId, string linkId) =>
        await WriteAsync(documentId, "DELETE FROM share_links WHERE document_id = $1 AND id = $2", documentId, linkId).ConfigureAwait(false) > 0;

    public Task AppendAuditAsync(AuditEntry entry) => Unavailable(async () =>
    {
        await using var command = dataSource.CreateCommand("INSERT INTO audit (document_id, at, actor, action, detail) VALUES ($1, $2, $3, $4, $5)");
        AddParameters(command, entry.DocumentId, entry.At, entry.Actor, entry.Action, entry.Detail);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    });

    public IReadOnlyList<AuditEntry> AuditOf(string documentId)
    {
        using var command = dataSource.CreateCommand("SELECT document_id, at, actor, action, detail FROM audit WHERE document_id = $1 ORDER BY at, id");
        AddParameters(command, documentId);
        using var reader = command.ExecuteReader();
        var entries = new List<AuditEntry>();
        while (reader.Read())
        {
            entries.Add(new AuditEntry(reader.GetString(0), Time(reader, 1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
        }

        return entries;
    }

    public Task RemoveAccountAsync(string accountId) => Unavailable(async () =>
    {
        await using var command = dataSource.CreateCommand("DELETE FROM accounts WHERE id = $1");
        AddParameters(command, accountId);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    });

    public Task RevokeSessionAsync(string accountId, string sessionId, DateTimeOffset until, DateTimeOffset now) => Unavailable(async () =>
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(BatchCommand("DELETE FROM revoked_sessions WHERE until < $1", now.ToUniversalTime()));
        batch.BatchCommands.Add(BatchCommand(
            "INSERT INTO revoked_sessions (session_id, account_id, until) VALUES ($1, $2, $3) ON CONFLICT (session_id) DO UPDATE SET until = excluded.until",
            sessionId, accountId, until.ToUniversalTime()));
        batch.BatchCommands.Add(BatchCommand("SELECT pg_notify($1, $2)", PostgresSchema.AccessChannel, PostgresSchema.AccountMark + accountId));
        return await batch.ExecuteNonQueryAsync().ConfigureAwait(false);
    });

    public bool IsSessionRevoked(string sessionId)
    {
        using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM revoked_sessions WHERE session_id = $1)");
        AddParameters(command, sessionId);
        return (bool)command.ExecuteScalar()!;
    }

    public Task AnnounceSessionsChangedAsync(string accountId) => Unavailable(async () =>
    {
        await using var command = dataSource.CreateCommand("SELECT pg_notify($1, $2)");
        AddParameters(command, PostgresSchema.AccessChannel, PostgresSchema.AccountMark + accountId);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    });

    public Task ForgetDocumentAsync(string documentId) => WriteAsync(documentId, """
        DELETE FROM document_owners WHERE document_id = $1;
        DELETE FROM grants WHERE document_id = $1;
        DELETE FROM share_links WHERE document_id = $1;
        DELETE FROM audit WHERE document_id = $1;
        """, documentId);

    /// <summary>The write and the access notice for <paramref name="documentId"/>, in one transaction: the rows it changed.</summary>
    private Task<int> WriteAsync(string documentId, string sql, params object?[] values) => Unavailable(() => WriteCoreAsync(documentId, sql, values));

    private async Task<int> WriteCoreAsync(string documentId, string sql, object?[] values)
    {
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        int changed = 0;
        foreach (string statement in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await using var command = new NpgsqlCommand(statement, connection, transaction);
            AddParameters(command, values);
            changed += await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await using (var notify = new NpgsqlCommand("SELECT pg_notify($1, $2)", connection, transaction))
        {
            AddParameters(notify, PostgresSchema.AccessChannel, documentId);
            await notify.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        return changed;
    }

    /// <summary>A write PostgreSQL refused or lost (down, restarting) fails as <see cref="StorageUnavailableException"/>: the caller is told to retry.</summary>
    private static async Task<T> Unavailable<T>(Func<Task<T>> write)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            throw new StorageUnavailableException($"PostgreSQL refused or lost the access change: {e.Message}", e);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private Account? ReadAccount(string where, params object[] values)
    {
        using var command = dataSource.CreateCommand($"SELECT {AccountColumns} FROM accounts WHERE {where} LIMIT 1");
        AddParameters(command, values);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return new Account
        {
            Id = reader.GetString(0),
            NormalizedUserName = reader.GetString(1),
            UserName = reader.GetString(2),
            NormalizedEmail = reader.GetString(3),
            Email = reader.GetString(4),
            DisplayName = reader.GetString(5),
            PasswordHash = reader.IsDBNull(6) ? null : reader.GetString(6),
            SecurityStamp = reader.GetString(7),
            ConcurrencyStamp = reader.GetString(8),
            LockoutEnabled = reader.GetBoolean(9),
            LockoutEnd = reader.IsDBNull(10) ? null : Time(reader, 10),
            AccessFailedCount = reader.GetInt32(11),
            IsAdministrator = reader.GetBoolean(12),
            CreatedAt = Time(reader, 13),
        };
    }

    private List<DocumentOwnership> ReadOwnerships(string where, params object[] values)
    {
        using var command = dataSource.CreateCommand($"SELECT document_id, owner_id, trashed_at, title FROM document_owners WHERE {where}");
        AddParameters(command, values);
        using var reader = command.ExecuteReader();
        var rows = new List<DocumentOwnership>();
        while (reader.Read())
        {
            rows.Add(new DocumentOwnership(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : Time(reader, 2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return rows;
    }

    private List<Grant> ReadGrants(string where, params object[] values)
    {
        using var command = dataSource.CreateCommand($"SELECT document_id, account_id, role, granted_at FROM grants WHERE {where}");
        AddParameters(command, values);
        using var reader = command.ExecuteReader();
        var rows = new List<Grant>();
        while (reader.Read())
        {
            rows.Add(new Grant(reader.GetString(0), reader.GetString(1), (DocumentRole)reader.GetInt32(2), Time(reader, 3)));
        }

        return rows;
    }

    private List<ShareLink> ReadLinks(string where, params object[] values)
    {
        using var command = dataSource.CreateCommand($"SELECT id, document_id, token_hash, role, created_by, created_at FROM share_links WHERE {where}");
        AddParameters(command, values);
        using var reader = command.ExecuteReader();
        var rows = new List<ShareLink>();
        while (reader.Read())
        {
            rows.Add(new ShareLink(reader.GetString(0), reader.GetString(1), reader.GetString(2), (DocumentRole)reader.GetInt32(3), reader.GetString(4), Time(reader, 5)));
        }

        return rows;
    }

    private static void AddAccountParameters(NpgsqlCommand command, Account a) => AddParameters(command,
        a.Id, a.NormalizedUserName, a.UserName, a.NormalizedEmail, a.Email, a.DisplayName, a.PasswordHash, a.SecurityStamp,
        a.ConcurrencyStamp, a.LockoutEnabled, a.LockoutEnd, a.AccessFailedCount, a.IsAdministrator, a.CreatedAt);

    private static NpgsqlBatchCommand BatchCommand(string sql, params object?[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (object? value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return command;
    }

    private static void AddParameters(NpgsqlCommand command, params object?[] values)
    {
        foreach (object? value in values)
        {
            // timestamptz takes UTC offsets only.
            command.Parameters.Add(new NpgsqlParameter { Value = value switch { null => DBNull.Value, DateTimeOffset at => at.ToUniversalTime(), _ => value } });
        }
    }

    private static DateTimeOffset Time(NpgsqlDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);
}
