namespace CollabEdit.Server.Storage;

/// <summary>The fault injector outside tests: no write ever fails on purpose.</summary>
internal sealed class NoWriteFaults : IWriteFaultInjector
{
    public void BeforeCommit()
    {
    }
}
