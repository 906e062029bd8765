namespace CollabEdit.Server.Documents;

/// <summary>
/// What a document may store on top of its own quota (<c>MaxDocumentStoredBytes</c>): the room its
/// owner's account quota leaves it, given what the owner's other documents hold. Asked by the
/// document's session before each op it commits.
/// </summary>
public interface IStorageAllowance
{
    /// <summary>The most history bytes the document may hold, now that it holds <paramref name="storedBytes"/>; <see cref="long.MaxValue"/> for no limit.</summary>
    long MostStoredBytes(string documentId, long storedBytes);
}
