using CollabEdit.Client;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CollabEdit.LoadDriver;

/// <summary>
/// The CollabEdit server under test: either a process this driver started
/// (<c>dotnet CollabEdit.Server.dll --urls … --CollabEdit:DataPath=…</c>, its output in a log file
/// in the data folder) or one already running at a URL (then CPU and memory only with its pid).
/// </summary>
internal sealed class ServerHost : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Every simulated client connects from this machine's one loopback address, so the limits per
    /// client address (meant for one person or one office) are lifted; per-connection limits stay.
    /// So is the history growth per document: S3 offers 40,000 edits/s to one document on purpose.
    /// </summary>
    private static readonly string[] OneAddressForAll =
    [
        "--CollabEdit:CallsPerSecondPerAddress=100000000", "--CollabEdit:CallBurstPerAddress=100000000",
        "--CollabEdit:RequestsPerSecondPerAddress=100000000", "--CollabEdit:RequestBurstPerAddress=100000000",
        "--CollabEdit:DocumentCreatesPerSecondPerAddress=100000000", "--CollabEdit:DocumentCreateBurstPerAddress=100000000",
        "--CollabEdit:DocumentWriteBytesPerSecond=2000000000", "--CollabEdit:DocumentWriteBurstBytes=2000000000",
        "--CollabEdit:Auth:ChangesPerSecondPerAccount=100000000", "--CollabEdit:Auth:MaxDocumentsPerAccount=100000000",
    ];

    /// <summary>The account the driver's clients act as (signed up on a fresh server, signed in on one it created before).</summary>
    private const string UserName = "loaddriver";
    private const string Password = "load driver password";
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Process? _process;
    private readonly StreamWriter? _log;
    private string? _token;

    private ServerHost(Uri baseUri, int? pid, Process? process, StreamWriter? log, string? dataPath)
    {
        BaseUri = baseUri;
        Pid = pid;
        _process = process;
        _log = log;
        DataPath = dataPath;
    }

    public Uri BaseUri { get; }

    /// <summary>The server's pid, when known: for /proc figures.</summary>
    public int? Pid { get; }

    /// <summary>The data folder of a server this driver started.</summary>
    public string? DataPath { get; }

    public bool Started => _process is not null;

    /// <summary>False for a server from before accounts (<c>--no-auth</c>): <see cref="AccessTokenAsync"/> answers "" (no token).</summary>
    public bool SignsIn { get; set; } = true;

    /// <summary>The last stop did not end the process within the stop timeout: it was killed.</summary>
    public bool Killed { get; private set; }

    /// <summary>
    /// The bearer token the driver's REST calls and hub connections carry: the account
    /// <c>loaddriver</c>, signed up (or, on a server that has it already, signed in).
    /// </summary>
    public async Task<string> AccessTokenAsync(CancellationToken cancellationToken)
    {
        if (!SignsIn)
        {
            return "";
        }

        if (_token is null)
        {
            using var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(60) };
            try
            {
                _token = await AccountTokens.SignUpAsync(http, UserName, Password, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException e) when (e.Message.Contains("taken", StringComparison.Ordinal))
            {
                _token = await AccountTokens.SignInAsync(http, UserName, Password, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException e) when (_process is null && e.Message.Contains("(404)", StringComparison.Ordinal))
            {
                // A server without accounts (the transport floor): any token will do, none is checked.
                _token = "none";
            }
        }

        return _token;
    }

    public static ServerHost Attach(Uri baseUri, int? pid) => new(baseUri, pid, null, null, null);

    /// <summary>
    /// Starts the server on a free loopback port over <paramref name="dataPath"/> and waits until
    /// /healthz answers. Its output goes to <paramref name="logPath"/> (default: server.log in the
    /// data folder; elsewhere when the data folder's disk is meant to fill up).
    /// </summary>
    /// <remarks>
    /// With <paramref name="cpus"/>, the server runs under <c>taskset -c CPUS</c>, which execs
    /// dotnet in place: the pid stays the server's.
    /// </remarks>
    public static async Task<ServerHost> StartAsync(string serverDll, string dataPath, IReadOnlyList<string> extraArgs, CancellationToken cancellationToken, string? logPath = null, string? cpus = null)
    {
        int port = FreePort();
        var start = new ProcessStartInfo(cpus is null ? "dotnet" : "taskset")
        {
            WorkingDirectory = Path.GetDirectoryName(serverDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (cpus is not null)
        {
            foreach (string arg in new[] { "-c", cpus, "dotnet" })
            {
                start.ArgumentList.Add(arg);
            }
        }

        foreach (string arg in new[] { serverDll, "--urls", $"http://127.0.0.1:{port}", $"--CollabEdit:DataPath={dataPath}" }.Concat(OneAddressForAll).Concat(extraArgs))
        {
            start.ArgumentList.Add(arg);
        }

        var log = new StreamWriter(logPath ?? Path.Combine(dataPath, "server.log"), append: true) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.OutputDataReceived += (_, e) => WriteLine(log, e.Data);
        process.ErrorDataReceived += (_, e) => WriteLine(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new ServerHost(new Uri($"http://127.0.0.1:{port}"), process.Id, process, log, dataPath);
        try
        {
            await host.WaitHealthyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return host;
    }

    public ProcessStats? ReadStats() => Pid is { } pid ? ProcessStats.Read(pid) : null;

    /// <summary>Stops a started server the normal way (SIGTERM: sessions write their snapshots), killing it only if it hangs.</summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        Native.Terminate(_process.Id);
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Killed = true;
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _process?.Dispose();
        if (_log is not null)
        {
            await _log.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode}; see {Path.Combine(DataPath!, "server.log")}.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(BaseUri, "/healthz"), cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A request timed out while the server starts.
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"The server did not answer /healthz within {StartTimeout.TotalSeconds} s.");
    }

    private static void WriteLine(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The last lines of a server being stopped.
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
