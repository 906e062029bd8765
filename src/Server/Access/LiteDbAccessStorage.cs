using CollabEdit.Server.Storage;
using LiteDB;

namespace CollabEdit.Server.Access;

/// <summary>
/// <see cref="IAccessStorage"/> in its own LiteDB file, <c>access.db</c>, in the data folder (under
/// the same data-directory lock as the documents). Access changes are rare and small, so each write
/// is made durable on its own: one LiteDB transaction, then a LiteDB checkpoint with both files
/// fsynced (LiteDB's Commit returns before its pages reach the log file; the checkpoint waits for
/// them, copies them into the data file and syncs it). No journal is needed, and the documents'
/// writer thread is not involved.
/// </summary>
/// <remarks>
/// LiteDB transactions are bound to the OS thread: every write runs start to end on the calling
/// thread, synchronously, under one lock, so no transaction spans an await.
/// On a full disk the log holds the pages the disk refused (LiteDB would otherwise close its engine,
/// reads included) and the write fails with <see cref="StorageUnavailableException"/> before any
/// checkpoint; the held pages go out with the next write once there is room.
/// </remarks>
internal sealed class LiteDbAccessStorage : IAccessStorage, IDisposable
{
    public const string FileName = "access.db";

    private readonly Lock _writes = new();
    private readonly LiteDbFileStream _dataFile;
    private readonly LiteDbFileStream _logFile;
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _accounts;
    private readonly ILiteCollection<BsonDocument> _owners;
    private readonly ILiteCollection<BsonDocument> _grants;
    private readonly ILiteCollection<BsonDocument> _links;
    private readonly ILiteCollection<BsonDocument> _audit;
    private readonly ILiteCollection<BsonDocument> _revokedSessions;

    public LiteDbAccessStorage(string dataPath)
    {
        string path = Path.Combine(dataPath, FileName);
        _dataFile = new LiteDbFileStream(path, syncOnFlush: true);
        _logFile = new LiteDbFileStream(Path.Combine(dataPath, "access-log.db"), syncOnFlush: true, holdRefusedWrites: true);
        _db = new LiteDatabase(_dataFile, logStream: _logFile) { CheckpointSize = 0 };
        _accounts = _db.GetCollection("accounts");
        _accounts.EnsureIndex("userName", unique: true);
        _accounts.EnsureIndex("email", unique: true);
        _owners = _db.GetCollection("owners");
        _owners.EnsureIndex("owner");
        _grants = _db.GetCollection("grants");
        _grants.EnsureIndex("doc");
        _grants.EnsureIndex("account");
        _links = _db.GetCollection("links");
        _links.EnsureIndex("doc");
        _links.EnsureIndex("hash", unique: true);
        _audit = _db.GetCollection("audit");
        _audit.EnsureIndex("doc");
        _revokedSessions = _db.GetCollection("revokedSessions");

        // A crash before the last checkpoint leaves pages in LiteDB's log; take them in now.
        _db.Checkpoint();
    }

    public Task<bool> AddAccountAsync(Account account) => Write(() =>
    {
        if (_accounts.Exists(Query.EQ("userName", account.NormalizedUserName))
            || _accounts.Exists(Query.EQ("email", account.NormalizedEmail)))
        {
            return false;
        }

        account.IsAdministrator = _accounts.Count() == 0;
        _accounts.Insert(ToBson(account));
        return true;
    });

    public Task UpdateAccountAsync(Account account) => Write(() => _accounts.Update(ToBson(account)));

    public Task RemoveAccountAsync(string accountId) => Write(() => _accounts.Delete(accountId));

    public Task RevokeSessionAsync(string accountId, string sessionId, DateTimeOffset until, DateTimeOffset now) => Write(() =>
    {
        _revokedSessions.DeleteMany(Query.LT("until", now.UtcDateTime));
        _revokedSessions.Upsert(new BsonDocument { ["_id"] = sessionId, ["account"] = accountId, ["until"] = until.UtcDateTime });
    });

    public bool IsSessionRevoked(string sessionId) => _revokedSessions.Exists(Query.EQ("_id", sessionId));

    /// <summary>One process per data folder: nobody else to tell.</summary>
    public Task AnnounceSessionsChangedAsync(string accountId) => Task.CompletedTask;

    public Account? FindAccountById(string accountId) => ToAccount(_accounts.FindById(accountId));

    public Account? FindAccountByUserName(string normalizedUserName) => ToAccount(_accounts.FindOne(Query.EQ("userName", normalizedUserName)));

    public Account? FindAccountByEmail(string normalizedEmail) => ToAccount(_accounts.FindOne(Query.EQ("email", normalizedEmail)));

    public Account? FindAdministrator() => ToAccount(_accounts.FindOne(Query.EQ("admin", true)));

    public DocumentOwnership? FindOwnership(string documentId) => ToOwnership(_owners.FindById(documentId));

    public IReadOnlyList<DocumentOwnership> OwnedBy(string accountId) =>
        [.. _owners.Find(Query.EQ("owner", accountId)).Select(b => ToOwnership(b)!)];

    public IReadOnlyList<DocumentOwnership> Trashed() =>
        [.. _owners.Find(Query.Not("trashedAt", BsonValue.Null)).Select(b => ToOwnership(b)!)];

    public Task SetOwnershipAsync(DocumentOwnership ownership) => Write(() => _owners.Upsert(new BsonDocument
    {
        ["_id"] = ownership.DocumentId,
        ["owner"] = ownership.OwnerId,
        ["trashedAt"] = ownership.TrashedAt is { } at ? new BsonValue(at.UtcDateTime) : BsonValue.Null,
        ["title"] = ownership.Title is { } title ? new BsonValue(title) : BsonValue.Null,
    }));

    public Grant? FindGrant(string documentId, string accountId) => ToGrant(_grants.FindById(GrantKey(documentId, accountId)));

    public IReadOnlyList<Grant> GrantsOn(string documentId) => [.. _grants.Find(Query.EQ("doc", documentId)).Select(b => ToGrant(b)!)];

    public IReadOnlyList<Grant> GrantsTo(string accountId) => [.. _grants.Find(Query.EQ("account", accountId)).Select(b => ToGrant(b)!)];

    public Task SetGrantAsync(Grant grant) => Write(() => _grants.Upsert(new BsonDocument
    {
        ["_id"] = GrantKey(grant.DocumentId, grant.AccountId),
        ["doc"] = grant.DocumentId,
        ["account"] = grant.AccountId,
        ["role"] = (int)grant.Role,
        ["at"] = grant.GrantedAt.UtcDateTime,
    }));

    public Task RemoveGrantAsync(string documentId, string accountId) => Write(() => _grants.Delete(GrantKey(documentId, accountId)));

    public ShareLink? FindLinkByTokenHash(string tokenHash) => ToLink(_links.FindOne(Query.EQ("hash", tokenHash)));

    public IReadOnlyList<ShareLink> LinksOn(string documentId) => [.. _links.Find(Query.EQ("doc", documentId)).Select(b => ToLink(b)!)];

    public Task AddLinkAsync(ShareLink link) => Write(() => _links.Insert(new BsonDocument
    {
        ["_id"] = link.Id,
        ["doc"] = link.DocumentId,
        ["hash"] = link.TokenHash,
        ["role"] = (int)link.Role,
        ["by"] = link.CreatedBy,
        ["at"] = link.CreatedAt.UtcDateTime,
    }));

    public Task<bool> SetLinkRoleAsync(string documentId, string linkId, DocumentRole role) => Write(() =>
    {
        if (_links.FindById(linkId) is not { } link || link["doc"].AsString != documentId)
        {
            return false;
        }

        link["role"] = (int)role;
        return _links.Update(link);
    });

    public Task<bool> RemoveLinkAsync(string documentId, string linkId) => Write(() =>
        _links.FindById(linkId) is { } link && link["doc"].AsString == documentId && _links.Delete(linkId));

    public Task AppendAuditAsync(AuditEntry entry) => Write(() => _audit.Insert(new BsonDocument
    {
        ["doc"] = entry.DocumentId,
        ["at"] = entry.At.UtcDateTime,
        ["actor"] = entry.Actor,
        ["action"] = entry.Action,
        ["detail"] = entry.Detail,
    }));

    public IReadOnlyList<AuditEntry> AuditOf(string documentId) =>
        [.. _audit.Find(Query.EQ("doc", documentId)).Select(b => new AuditEntry(
            b["doc"].AsString, ToTime(b["at"]), b["actor"].AsString, b["action"].AsString, b["detail"].AsString)).OrderBy(e => e.At)];

    public Task ForgetDocumentAsync(string documentId) => Write(() =>
    {
        _owners.Delete(documentId);
        _grants.DeleteMany(Query.EQ("doc", documentId));
        _links.DeleteMany(Query.EQ("doc", documentId));
        _audit.DeleteMany(Query.EQ("doc", documentId));
    });

    public void Dispose()
    {
        _db.Dispose();
        _dataFile.Dispose();
        _logFile.Dispose();
    }

    private Task Write(Action writes) => Write(() =>
    {
        writes();
        return true;
    });

    /// <summary>One transaction, then a checkpoint: when this returns, the write is in the fsynced data file.</summary>
    private Task<T> Write<T>(Func<T> writes)
    {
        lock (_writes)
        {
            T result;
            _db.BeginTrans();
            try
            {
                result = writes();
                _db.Commit();
            }
            catch
            {
                _db.Rollback();
                throw;
            }

            try
            {
                // The log on disk first: a checkpoint over held pages would write the data file from them.
                _logFile.Sync();
                _db.Checkpoint();
            }
            catch (IOException e)
            {
                return Task.FromException<T>(new StorageUnavailableException("The access change did not become durable.", e));
            }

            return Task.FromResult(result);
        }
    }

    private static string GrantKey(string documentId, string accountId) => $"{documentId}/{accountId}";

    private static DateTimeOffset ToTime(BsonValue value) => new(DateTime.SpecifyKind(value.AsDateTime.ToUniversalTime(), DateTimeKind.Utc));

    private static BsonDocument ToBson(Account a) => new()
    {
        ["_id"] = a.Id,
        ["userName"] = a.NormalizedUserName,
        ["userNameShown"] = a.UserName,
        ["email"] = a.NormalizedEmail,
        ["emailShown"] = a.Email,
        ["displayName"] = a.DisplayName,
        ["passwordHash"] = a.PasswordHash,
        ["stamp"] = a.SecurityStamp,
        ["concurrency"] = a.ConcurrencyStamp,
        ["lockoutEnabled"] = a.LockoutEnabled,
        ["lockoutEnd"] = a.LockoutEnd is { } end ? new BsonValue(end.UtcDateTime) : BsonValue.Null,
        ["failures"] = a.AccessFailedCount,
        ["admin"] = a.IsAdministrator,
        ["createdAt"] = a.CreatedAt.UtcDateTime,
    };

    private static Account? ToAccount(BsonDocument? b) => b is null ? null : new Account
    {
        Id = b["_id"].AsString,
        NormalizedUserName = b["userName"].AsString,
        UserName = b["userNameShown"].AsString,
        NormalizedEmail = b["email"].AsString,
        Email = b["emailShown"].AsString,
        DisplayName = b["displayName"].AsString,
        PasswordHash = b["passwordHash"].IsNull ? null : b["passwordHash"].AsString,
        SecurityStamp = b["stamp"].AsString,
        ConcurrencyStamp = b["concurrency"].AsString,
        LockoutEnabled = b["lockoutEnabled"].AsBoolean,
        LockoutEnd = b["lockoutEnd"].IsNull ? null : ToTime(b["lockoutEnd"]),
        AccessFailedCount = b["failures"].AsInt32,
        IsAdministrator = b["admin"].AsBoolean,
        CreatedAt = ToTime(b["createdAt"]),
    };

    private static DocumentOwnership? ToOwnership(BsonDocument? b) => b is null ? null
        : new DocumentOwnership(b["_id"].AsString, b["owner"].AsString, b["trashedAt"].IsNull ? null : ToTime(b["trashedAt"]), b["title"].IsNull ? null : b["title"].AsString);

    private static Grant? ToGrant(BsonDocument? b) => b is null ? null
        : new Grant(b["doc"].AsString, b["account"].AsString, (DocumentRole)b["role"].AsInt32, ToTime(b["at"]));

    private static ShareLink? ToLink(BsonDocument? b) => b is null ? null
        : new ShareLink(b["_id"].AsString, b["doc"].AsString, b["hash"].AsString, (DocumentRole)b["role"].AsInt32, b["by"].AsString, ToTime(b["at"]));
}
