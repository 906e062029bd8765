namespace CollabEdit.Ot.Sync;

/// <summary>The three states of the client: what it has sent and not yet seen acknowledged.</summary>
public enum ClientState
{
    /// <summary>Nothing in flight: a local edit is sent at once.</summary>
    Synchronized,

    /// <summary>One op in flight, nothing buffered.</summary>
    AwaitingConfirm,

    /// <summary>One op in flight and local edits composed into a buffer, sent on the ack.</summary>
    AwaitingWithBuffer,
}
