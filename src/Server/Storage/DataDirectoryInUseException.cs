namespace CollabEdit.Server.Storage;

/// <summary>Another server process owns the data directory.</summary>
public sealed class DataDirectoryInUseException(string message, Exception inner) : Exception(message, inner);
