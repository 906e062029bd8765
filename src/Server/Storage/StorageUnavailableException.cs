namespace CollabEdit.Server.Storage;

/// <summary>A write did not become durable; nothing it carried was acknowledged.</summary>
public class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
