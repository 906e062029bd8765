namespace CollabEdit.Server.Storage;

/// <summary>
/// What a shared storage tells the process about commits made by other processes (implemented by
/// the document registry): a session whose view is behind reads the missing ops itself.
/// </summary>
public interface ICommittedElsewhere
{
    /// <summary>Some process committed <paramref name="documentId"/> up to <paramref name="revision"/>.</summary>
    void Committed(string documentId, int revision);

    /// <summary>Some process deleted <paramref name="documentId"/>: its session here closes and its clients are told.</summary>
    void Deleted(string documentId);

    /// <summary>The documents loaded here, each with the revision its session last knew durable.</summary>
    IReadOnlyList<(string DocumentId, int Revision)> Loaded();
}
