namespace CollabEdit.Server.Documents;

/// <summary>
/// The session was unloaded between finding it and using it. <see cref="DocumentRegistry.RunAsync"/>
/// (REST restore) retries with a fresh session; the hub answers not-found, since a connection's
/// session is unloaded under it only when the document is deleted.
/// </summary>
internal sealed class SessionClosedException() : Exception("The document session was unloaded.");
