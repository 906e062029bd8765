namespace CollabEdit.Server.Tests;

/// <summary>A clock that never moves: whatever a test does, no time passes for rate limits.</summary>
internal sealed class FrozenTime : TimeProvider
{
    private readonly DateTimeOffset _now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => 0;
}
