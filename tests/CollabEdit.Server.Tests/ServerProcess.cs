using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CollabEdit.Server.Tests;

/// <summary>The built server run as a separate process (<c>dotnet CollabEdit.Server.dll</c>), so a test can kill it with SIGKILL.</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private string? _ownerToken;

    private ServerProcess(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri BaseUri { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Freezes the process (SIGSTOP): its sockets stay open but it answers nothing, as on a dead network.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>Lets a paused process go on (SIGCONT).</summary>
    public void Resume() => Signal("CONT");

    /// <summary>Asks the process to stop cleanly (SIGTERM), as a service manager or a container runtime does.</summary>
    public void Terminate() => Signal("TERM");

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts the server on <paramref name="dataPath"/>; <paramref name="settings"/> are more <c>CollabEdit:</c> settings.</summary>
    public static ServerProcess Start(string dataPath, IReadOnlyDictionary<string, string>? settings = null) =>
        StartWith([$"--CollabEdit:DataPath={dataPath}", .. (settings ?? new Dictionary<string, string>()).Select(s => $"--CollabEdit:{s.Key}={s.Value}")]);

    /// <summary>A server on PostgreSQL (<paramref name="connectionString"/>), as any number of processes may run on one database.</summary>
    public static ServerProcess StartOnPostgres(string connectionString, params string[] settings) =>
        StartWith(["--CollabEdit:Storage=Postgres", $"--ConnectionStrings:Postgres={connectionString}", .. settings]);

    private static ServerProcess StartWith(string[] settings)
    {
        int port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "CollabEdit.Server.dll"), "--urls", $"http://127.0.0.1:{port}" }.Concat(settings))
        {
            start.ArgumentList.Add(arg);
        }

        return new ServerProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
    }

    private void Signal(string name)
    {
        using var kill = Process.Start("kill", ["-" + name, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task WaitHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + Timeouts.Start;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_process.HasExited, $"The server exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Output}");
            try
            {
                if ((await http.GetAsync(new Uri(BaseUri, "/healthz"))).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        Assert.Fail($"The server did not become healthy:\n{Output}");
    }

    /// <summary>The bearer token of the server's first account (<see cref="RunningServer.OwnerName"/>), signed up or in on first use.</summary>
    public async Task<string> OwnerTokenAsync()
    {
        if (_ownerToken is null)
        {
            using var http = new HttpClient { BaseAddress = BaseUri, Timeout = Timeouts.Http };
            _ownerToken = await RunningServer.TokenAsync(http, RunningServer.OwnerName);
        }

        return _ownerToken;
    }

    /// <summary>An HttpClient acting as the server's first account.</summary>
    public async Task<HttpClient> OwnerHttpAsync()
    {
        var http = new HttpClient { BaseAddress = BaseUri, Timeout = Timeouts.Http };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await OwnerTokenAsync());
        return http;
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Timeouts.Start);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no shutdown, no flush, no snapshot.</summary>
    public void KillNow()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillNow();
        }

        _process.Dispose();
    }

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
