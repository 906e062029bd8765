using System.Diagnostics;

namespace CollabEdit.Server.Tests.Cluster;

/// <summary>A PostgreSQL server of a test's own (scripts/postgres.sh), so the test can stop and start it.</summary>
internal sealed class OwnPostgres : IAsyncDisposable
{
    private readonly string _dataDirectory;
    private readonly string _bin;

    private OwnPostgres(string connectionString, string dataDirectory, string bin)
    {
        ConnectionString = connectionString;
        _dataDirectory = dataDirectory;
        _bin = bin;
    }

    public string ConnectionString { get; }

    public static async Task<OwnPostgres> StartAsync()
    {
        // Locally without PostgreSQL this skips; in CI it fails (see TestPostgres).
        _ = Storage.TestPostgres.RequireConnectionString();
        var (exitCode, output) = await RunAsync("bash", Path.Combine(RepositoryRoot(), "scripts", "postgres.sh"), "start");
        Assert.True(exitCode == 0, $"scripts/postgres.sh start failed:\n{output}");
        var exports = output.Split('\n')
            .Where(line => line.StartsWith("export ", StringComparison.Ordinal))
            .Select(line => line["export ".Length..].Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1].Trim('\''));
        return new OwnPostgres(exports["COLLABEDIT_TEST_POSTGRES"], exports["COLLABEDIT_TEST_PGDATA"], exports["COLLABEDIT_TEST_PGBIN"]);
    }

    /// <summary>A fast shutdown: open connections are ended, open transactions rolled back.</summary>
    public void Stop() => PgCtl("-m", "fast", "-w", "stop");

    public void Start() => PgCtl("-w", "-t", "60", "-l", Path.Combine(Path.GetDirectoryName(_dataDirectory)!, "postgres.log"), "start");

    public async ValueTask DisposeAsync()
    {
        _ = await RunAsync("bash", Path.Combine(RepositoryRoot(), "scripts", "postgres.sh"), "stop", _dataDirectory);
    }

    private void PgCtl(params string[] args)
    {
        string[] command = Environment.UserName == "root"
            ? ["runuser", "-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", _dataDirectory, .. args]
            : [Path.Combine(_bin, "pg_ctl"), "-D", _dataDirectory, .. args];
        var (exitCode, output) = RunAsync(command[0], command[1..]).GetAwaiter().GetResult();
        Assert.True(exitCode == 0, $"pg_ctl {string.Join(' ', args)} failed:\n{output}");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Timeouts.Start);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CollabEdit.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository (CollabEdit.sln) is not above " + AppContext.BaseDirectory);
    }
}
