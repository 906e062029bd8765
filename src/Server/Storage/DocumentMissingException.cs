namespace CollabEdit.Server.Storage;

/// <summary>
/// A write to a document that no longer exists (deleted): it alone failed, the other writes of its
/// batch went through. Nothing it carried was stored.
/// </summary>
public sealed class DocumentMissingException(string documentId)
    : StorageUnavailableException($"Document {documentId} does not exist (deleted).")
{
    public string DocumentId { get; } = documentId;
}
