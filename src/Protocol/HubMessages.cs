namespace CollabEdit.Protocol;

/// <summary>The hub's method and message names, shared by the server and .NET clients.</summary>
public static class HubMessages
{
    public const string Path = "/hubs/collab";

    // Client → server.
    public const string Open = nameof(Open);
    public const string Submit = nameof(Submit);
    public const string Catchup = nameof(Catchup);
    public const string SetPresence = nameof(SetPresence);
    public const string Close = nameof(Close);

    /// <summary><c>Authorship(documentId)</c> → who wrote each unit of the text at the current revision.</summary>
    public const string Authorship = nameof(Authorship);

    // Server → client.
    public const string Op = nameof(Op);
    public const string Presence = nameof(Presence);
    public const string PeerLeft = nameof(PeerLeft);

    /// <summary>
    /// <c>Restored(documentId, revision, fromRevision, by, byAccountId)</c>: <c>revision</c> was a restore
    /// of <c>fromRevision</c>'s text by <c>by</c> (the name shown; <c>byAccountId</c> null for a guest).
    /// Sent after that revision's <c>Op</c>, to every connection with the document open, the restorer's included.
    /// </summary>
    public const string Restored = nameof(Restored);

    /// <summary><c>DocumentDeleted(documentId)</c>: the document is gone; its clients keep their text but cannot edit it.</summary>
    public const string DocumentDeleted = nameof(DocumentDeleted);

    /// <summary><c>AccessChanged(documentId, role)</c>: the caller's role on an open document changed (<c>editor</c>, <c>viewer</c>, <c>owner</c>); it applies from now on.</summary>
    public const string AccessChanged = nameof(AccessChanged);

    /// <summary><c>AccessRevoked(documentId)</c>: the caller may no longer see the document; it was closed on this connection and no more ops follow.</summary>
    public const string AccessRevoked = nameof(AccessRevoked);
}
