namespace CollabEdit.Server.Documents;

/// <summary>The session was unloaded between finding it and using it; the registry retries with a fresh one.</summary>
internal sealed class SessionClosedException() : Exception("The document session was unloaded.");
