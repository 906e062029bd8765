namespace CollabEdit.Server.Configuration;

/// <summary>How long a deleted document waits in its owner's trash (configuration <c>CollabEdit:TrashRetention</c>).</summary>
public sealed class TrashOptions
{
    public TimeSpan TrashRetention { get; set; } = TimeSpan.FromDays(30);
}
