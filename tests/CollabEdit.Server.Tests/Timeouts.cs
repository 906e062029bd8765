namespace CollabEdit.Server.Tests;

/// <summary>Every await in these tests has a timeout, so a hang fails with a line number instead of freezing CI.</summary>
internal static class Timeouts
{
    public static readonly TimeSpan Start = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan Stop = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan Call = TimeSpan.FromSeconds(20);
    public static readonly TimeSpan Http = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan Converge = TimeSpan.FromSeconds(60);
}
