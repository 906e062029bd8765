using System.Runtime.InteropServices;

namespace CollabEdit.LoadDriver;

/// <summary>The two libc calls .NET has no API for: a polite SIGTERM, and evicting a file from the page cache.</summary>
internal static partial class Native
{
    private const int SigTerm = 15;
    private const int PosixFadviseDontNeed = 4;

    /// <summary>Asks a process to shut down (SIGTERM), as a service manager would.</summary>
    public static bool Terminate(int pid) => kill(pid, SigTerm) == 0;

    /// <summary>
    /// Drops a file's clean pages from the page cache (<c>posix_fadvise(POSIX_FADV_DONTNEED)</c>),
    /// so the next read comes from the disk. Needs no privileges and touches no other file.
    /// </summary>
    public static bool EvictFromPageCache(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return posix_fadvise((int)file.SafeFileHandle.DangerousGetHandle(), 0, 0, PosixFadviseDontNeed) == 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc")]
    private static partial int posix_fadvise(int fd, long offset, long length, int advice);
}
