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

    // Server → client.
    public const string Op = nameof(Op);
    public const string Presence = nameof(Presence);
    public const string PeerLeft = nameof(PeerLeft);

    /// <summary><c>DocumentDeleted(documentId)</c>: the document is gone; its clients keep their text but cannot edit it.</summary>
    public const string DocumentDeleted = nameof(DocumentDeleted);
}
