namespace CollabEdit.Server.Storage;

/// <summary>
/// Makes one server process the owner of a data directory. LiteDB does not lock its file on
/// Linux, so the process holds an exclusive lock on <c>collabedit.lock</c> (FileShare.None is an
/// flock on Unix) for its whole life; a second process fails to take it.
/// </summary>
public sealed class DataDirectoryLock : IDisposable
{
    private readonly FileStream _stream;

    private DataDirectoryLock(FileStream stream)
    {
        _stream = stream;
    }

    /// <summary>Takes the lock or throws <see cref="DataDirectoryInUseException"/>.</summary>
    public static DataDirectoryLock Acquire(string dataPath)
    {
        Directory.CreateDirectory(dataPath);
        string path = System.IO.Path.Combine(System.IO.Path.GetFullPath(dataPath), "collabedit.lock");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new DataDirectoryInUseException(
                $"The data directory {System.IO.Path.GetFullPath(dataPath)} is in use by another CollabEdit server (lock file {path}). Stop it, or start this one with another --CollabEdit:DataPath.", e);
        }

        WriteProcessId(stream);
        return new DataDirectoryLock(stream);
    }

    /// <summary>The owner's process id, for operators; on a full disk the lock is held without it.</summary>
    private static void WriteProcessId(FileStream stream)
    {
        try
        {
            stream.SetLength(0);
            byte[] id = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            stream.Write(id);
            stream.Flush();
        }
        catch (IOException)
        {
            stream.SetLength(0);
        }
    }

    public void Dispose() => _stream.Dispose();
}
