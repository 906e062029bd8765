using System.Diagnostics;

namespace CollabEdit.Server.Tests;

/// <summary>
/// A real, small filesystem (tmpfs) mounted for one test and removed after it, so that a test can
/// fill the disk under a running server with a ballast file and free it again.
/// </summary>
internal sealed class SmallDisk : IDisposable
{
    private SmallDisk(string mountPoint)
    {
        MountPoint = mountPoint;
    }

    public string MountPoint { get; }

    /// <summary>The server's data folder on this disk.</summary>
    public string DataPath => Path.Combine(MountPoint, "data");

    private string BallastPath => Path.Combine(MountPoint, "ballast");

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/>; skips the test when this machine does not let us mount (not root, or in a container without the capability).</summary>
    public static SmallDisk Mount(long bytes)
    {
        string mountPoint = Path.Combine(Path.GetTempPath(), "collabedit-small-disk", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mountPoint);
        var (exitCode, output) = Run("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", mountPoint);
        if (exitCode != 0)
        {
            Directory.Delete(mountPoint);
            Skip.If(true, $"This test needs to mount a small tmpfs (as root, with CAP_SYS_ADMIN); mount said: {output}");
        }

        return new SmallDisk(mountPoint);
    }

    /// <summary>Writes a ballast file until the disk has no space left.</summary>
    public void Fill()
    {
        var chunk = new byte[64 * 1024];
        using var ballast = new FileStream(BallastPath, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (true)
            {
                ballast.Write(chunk);
            }
        }
        catch (IOException)
        {
            // ENOSPC: now fill the last partial chunk too.
        }

        try
        {
            while (true)
            {
                ballast.Write(chunk, 0, 512);
            }
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Deletes the ballast: the space is back.</summary>
    public void Free() => File.Delete(BallastPath);

    public void Dispose()
    {
        Run("umount", "-l", MountPoint);
        try
        {
            Directory.Delete(MountPoint);
        }
        catch (IOException)
        {
        }
    }

    private static (int ExitCode, string Output) Run(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output.Trim());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
