namespace CollabEdit.Server.Storage;

/// <summary>
/// A seam for tests to make durable writes fail as a full or broken disk would. The default
/// never fails.
/// </summary>
public interface IWriteFaultInjector
{
    /// <summary>Throws to fail the LiteDB transaction about to be committed.</summary>
    void BeforeCommit();

    /// <summary>Throws to fail the journal sync about to be made (as a failed <c>fdatasync</c> would).</summary>
    void BeforeSync()
    {
    }
}
