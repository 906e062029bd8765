namespace CollabEdit.Server.Storage;

/// <summary>
/// An append was refused by the fence: another process already committed the revision it
/// carries, or one of its (clientId, seq). Nothing of it was stored; the caller reads the ops it
/// missed, transforms again and retries.
/// </summary>
public sealed class RevisionConflictException(string message, Exception? inner = null) : Exception(message, inner);
