namespace CollabEdit.Server.Access;

/// <summary>
/// What one account may keep on the server, asked before it creates a document. The default
/// (<see cref="DocumentCountQuota"/>) caps the number of documents; a quota of bytes stored is
/// another implementation of this, registered in its place.
/// </summary>
public interface IAccountQuota
{
    /// <summary>Why the account may not create a document of <paramref name="textLength"/> UTF-16 units; null if it may.</summary>
    string? RefusalToCreate(string accountId, long textLength);
}
