namespace CollabEdit.Server.Tests.History;

/// <summary>The real clock moved forward by what a test adds: pauses of minutes without waiting for them.</summary>
internal sealed class SteppedTime : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}
