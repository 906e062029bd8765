namespace CollabEdit.Server.Storage;

/// <summary>
/// A seam for tests to make each step of a durable write fail as a full or broken disk, or a
/// misbehaving storage engine, would. The default never fails. Every method runs on the storage
/// writer thread except <see cref="BeforeSync"/> (the syncer thread).
/// </summary>
public interface IWriteFaultInjector
{
    /// <summary>Throws to fail the LiteDB transaction about to be committed.</summary>
    void BeforeCommit();

    /// <summary>Throws to fail the journal append about to be made.</summary>
    void BeforeJournalAppend()
    {
    }

    /// <summary>Throws to fail the journal sync about to be made (as a failed <c>fdatasync</c> would).</summary>
    void BeforeSync()
    {
    }

    /// <summary>Throws to fail the LiteDB checkpoint about to be taken (alone, or as part of retiring the journal).</summary>
    void BeforeCheckpoint()
    {
    }

    /// <summary>Throws to fail the deleting of a retired journal segment.</summary>
    void BeforeRetire()
    {
    }
}
