namespace CollabEdit.LoadDriver;

/// <summary>Starts the server for a run on a fresh data folder (or attaches to <c>--url</c>), and cleans up after it.</summary>
internal static class ServerSession
{
    public static async Task<(ServerHost Server, string Description)> StartAsync(LoadSettings settings, string? dataPath, TextWriter log, CancellationToken cancellationToken)
    {
        string signedIn = settings.NoAuth ? ", not signed in (--no-auth)" : "";
        if (settings.Url is { } url)
        {
            var attached = ServerHost.Attach(url, settings.ServerPid);
            attached.SignsIn = !settings.NoAuth;
            return (attached, $"running at {url}" + (settings.ServerPid is null ? " (no pid: no CPU/RSS)" : "") + signedIn);
        }

        string dll = settings.ServerDll ?? await ServerBuild.EnsureBuiltAsync(settings.ServerConfiguration, settings.Build, log, cancellationToken).ConfigureAwait(false);
        var server = await ServerHost.StartAsync(dll, dataPath ?? throw new ArgumentNullException(nameof(dataPath)), [], cancellationToken, cpus: settings.ServerCpus).ConfigureAwait(false);
        server.SignsIn = !settings.NoAuth;
        string pinned = settings.ServerCpus is null ? "" : $", pinned to CPU {settings.ServerCpus} (taskset)";
        return (server, $"started by the driver: {Path.GetRelativePath(Environment.CurrentDirectory, dll)}, fresh LiteDB data folder{pinned}{signedIn}");
    }

    public static string NewDataPath() => Directory.CreateTempSubdirectory("collabedit-load-").FullName;

    public static void DeleteDataPath(string? dataPath, bool keep, TextWriter log)
    {
        if (dataPath is null)
        {
            return;
        }

        if (keep)
        {
            log.WriteLine($"Data kept in {dataPath}");
            return;
        }

        try
        {
            Directory.Delete(dataPath, recursive: true);
        }
        catch (IOException e)
        {
            log.WriteLine($"warning: could not delete {dataPath}: {e.Message}");
        }
    }
}
