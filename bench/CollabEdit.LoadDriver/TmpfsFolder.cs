using System.Diagnostics;

namespace CollabEdit.LoadDriver;

/// <summary>
/// A data folder on a tmpfs of its own (<c>mount -t tmpfs -o size=…</c>, root only), so the soak
/// can fill it: a ballast file takes every free byte, then goes.
/// </summary>
internal static class TmpfsFolder
{
    /// <summary>Mounts a tmpfs of <paramref name="sizeMiB"/> on <paramref name="path"/>; null on success, else why not.</summary>
    public static async Task<string?> MountAsync(string path, int sizeMiB)
    {
        var (code, output) = await RunAsync("mount", "-t", "tmpfs", "-o", $"size={sizeMiB}m", "tmpfs", path).ConfigureAwait(false);
        return code == 0 ? null : $"mount -t tmpfs failed ({code}): {output.Trim()}";
    }

    public static async Task UnmountAsync(string path, TextWriter log)
    {
        var (code, output) = await RunAsync("umount", path).ConfigureAwait(false);
        if (code != 0)
        {
            log.WriteLine($"warning: umount {path} failed ({code}): {output.Trim()}");
        }
    }

    /// <summary>Writes <paramref name="ballast"/> until the filesystem refuses a byte more; returns its size.</summary>
    public static long Fill(string ballast)
    {
        long written = 0;
        using var file = new FileStream(ballast, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        foreach (int chunk in new[] { 1 << 20, 4096, 1 })
        {
            byte[] bytes = new byte[chunk];
            Array.Fill(bytes, (byte)0x5A);
            while (true)
            {
                try
                {
                    file.Write(bytes);
                    written += chunk;
                }
                catch (IOException)
                {
                    // What a refused chunk wrote before the refusal stays: the disk stays full.
                    break;
                }
            }
        }

        return written;
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            string output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false) + await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
            await process.WaitForExitAsync().ConfigureAwait(false);
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
