namespace CollabEdit.Server.Storage;

/// <summary>The free space of the data folder's disk, which decides whether a failed writer tries to write again.</summary>
internal static class DiskSpace
{
    /// <summary>Below this, writes are not attempted: a journal record, LiteDB's log pages and a checkpoint's growth need room.</summary>
    public const long MinimumFreeBytes = 512 * 1024;

    /// <summary>Bytes free to this process on the disk holding <paramref name="directory"/>; null when the system cannot say.</summary>
    public static long? FreeBytes(string directory)
    {
        try
        {
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
