namespace CollabEdit.Server.Documents;

/// <summary>Server time as stored: whole milliseconds, so a timestamp reads back exactly as it was answered.</summary>
public static class ServerClock
{
    public static DateTimeOffset Now(this TimeProvider time) =>
        DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
}
