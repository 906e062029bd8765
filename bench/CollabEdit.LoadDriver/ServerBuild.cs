using System.Diagnostics;

namespace CollabEdit.LoadDriver;

/// <summary>Finds the repository and the server's dll, building the server first when it is missing or older than its sources.</summary>
internal static class ServerBuild
{
    private const int BuildAttempts = 3;

    /// <summary>The configuration this driver was built in; the server is used in the same one unless told otherwise.</summary>
    public static string OwnConfiguration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>The folder holding CollabEdit.sln: above the app's folder, else above the current directory.</summary>
    public static string RepositoryRoot()
    {
        foreach (string start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CollabEdit.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("No CollabEdit.sln above the driver or the current directory; pass --server-dll or --url.");
    }

    /// <summary>The server dll for <paramref name="configuration"/>, built first if missing or stale (unless <paramref name="build"/> is false).</summary>
    public static async Task<string> EnsureBuiltAsync(string configuration, bool build, TextWriter log, CancellationToken cancellationToken)
    {
        string root = RepositoryRoot();
        string project = Path.Combine(root, "src", "Server", "CollabEdit.Server.csproj");
        string dll = Path.Combine(root, "src", "Server", "bin", configuration, "net10.0", "CollabEdit.Server.dll");
        string? reason = !File.Exists(dll) ? "missing" : NewestSource(root) > File.GetLastWriteTimeUtc(dll) ? "older than its sources" : null;
        if (reason is null || !build)
        {
            if (!File.Exists(dll))
            {
                throw new FileNotFoundException($"The server is not built: {dll}.");
            }

            if (reason is not null)
            {
                log.WriteLine($"warning: {dll} is {reason}; using it as it is (--no-build).");
            }

            return dll;
        }

        for (int attempt = 1; attempt <= BuildAttempts; attempt++)
        {
            log.WriteLine($"Building the server ({configuration}): it is {reason}…");
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string arg in new[] { "build", project, "-c", configuration, "--nologo", "-v", "q" })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (process.ExitCode == 0)
            {
                return dll;
            }

            // Others build in the same tree: a locked file clears up after a while.
            log.WriteLine($"The server build failed (attempt {attempt} of {BuildAttempts}):");
            log.WriteLine(string.Join('\n', (await output.ConfigureAwait(false) + await errors.ConfigureAwait(false))
                .Split('\n').Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Distinct().Take(10)));
            await Task.Delay(TimeSpan.FromSeconds(5 * attempt), cancellationToken).ConfigureAwait(false);
        }

        if (File.Exists(dll))
        {
            log.WriteLine($"warning: using the previous build of the server, {dll}.");
            return dll;
        }

        throw new InvalidOperationException("The server could not be built.");
    }

    private static DateTime NewestSource(string root)
    {
        var newest = DateTime.MinValue;
        foreach (string project in new[] { "Server", "Ot", "Protocol" })
        {
            string dir = Path.Combine(root, "src", project);
            foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(dir, file);
                if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal)
                    || !(file.EndsWith(".cs", StringComparison.Ordinal) || file.EndsWith(".csproj", StringComparison.Ordinal)))
                {
                    continue;
                }

                var written = File.GetLastWriteTimeUtc(file);
                if (written > newest)
                {
                    newest = written;
                }
            }
        }

        return newest;
    }
}
