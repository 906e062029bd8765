namespace CollabEdit.Server.Storage;

/// <summary>
/// A seam for tests to make durable writes fail as a full or broken disk would. The default
/// never fails.
/// </summary>
public interface IWriteFaultInjector
{
    /// <summary>Throws to fail the write about to be committed.</summary>
    void BeforeCommit();
}

internal sealed class NoWriteFaults : IWriteFaultInjector
{
    public void BeforeCommit()
    {
    }
}
