namespace CollabEdit.Server.Access;

/// <summary>
/// What one account may keep on the server, asked before it creates a document. The default
/// (<see cref="DocumentCountQuota"/>) caps the number of documents. The bytes an account's documents
/// store are capped apart (<see cref="AccountStorageQuota"/>): that is asked before every op, not only here.
/// </summary>
public interface IAccountQuota
{
    /// <summary>Why the account may not create a document of <paramref name="textLength"/> UTF-16 units; null if it may.</summary>
    string? RefusalToCreate(string accountId, long textLength);
}
