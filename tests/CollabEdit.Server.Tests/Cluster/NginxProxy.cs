using System.Diagnostics;
using System.Text;

namespace CollabEdit.Server.Tests.Cluster;

/// <summary>
/// nginx (Debian's, installed by scripts/install-test-deps.sh) in front of server processes:
/// round robin, WebSockets passed through, no sticky sessions, as docs/nginx.conf shows. Runs in
/// the foreground in a temporary folder of its own and is killed with the test.
/// </summary>
internal sealed class NginxProxy : IDisposable
{
    private const string Binary = "/usr/sbin/nginx";
    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();

    private NginxProxy(Process process, string directory, Uri baseUri)
    {
        _process = process;
        _directory = directory;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    /// <summary>nginx in front of <paramref name="upstreams"/>; skipped locally, failed in CI, when nginx is not installed.</summary>
    public static async Task<NginxProxy> StartAsync(IEnumerable<Uri> upstreams)
    {
        if (!File.Exists(Binary))
        {
            string reason = $"{Binary} is missing: scripts/install-test-deps.sh installs it (apt-get install nginx-light).";
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), "CI needs nginx: " + reason);
            Skip.If(true, reason);
        }

        string directory = Directory.CreateTempSubdirectory("collabedit-nginx-").FullName;
        int port = ServerProcess.FreePort();
        string servers = string.Concat(upstreams.Select(u => $"        server {u.Host}:{u.Port} max_fails=1 fail_timeout=5s;\n"));
        string config = $$"""
            {{(Environment.UserName == "root" ? "user root;" : "")}}
            worker_processes 1;
            daemon off;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                upstream collabedit {
            {{servers}}    }
                server {
                    listen 127.0.0.1:{{port}};
                    location / {
                        proxy_pass http://collabedit;
                        proxy_http_version 1.1;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        proxy_set_header Host $host;
                        proxy_read_timeout 60s;
                        proxy_buffering off;
                    }
                }
            }
            """;
        string path = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(path, config);
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-p", directory, "-c", path })
        {
            start.ArgumentList.Add(arg);
        }

        var proxy = new NginxProxy(Process.Start(start)!, directory, new Uri($"http://127.0.0.1:{port}"));
        proxy._process.OutputDataReceived += (_, e) => proxy.Append(e.Data);
        proxy._process.ErrorDataReceived += (_, e) => proxy.Append(e.Data);
        proxy._process.BeginOutputReadLine();
        proxy._process.BeginErrorReadLine();
        await proxy.WaitReadyAsync();
        return proxy;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        RunningServer.TryDelete(_directory);
    }

    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + Timeouts.Start;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_process.HasExited, $"nginx exited:\n{_output}\n{ErrorLog()}");
            try
            {
                if ((await http.GetAsync(new Uri(BaseUri, "/readyz"))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        Assert.Fail($"nginx did not answer:\n{ErrorLog()}");
    }

    private string ErrorLog()
    {
        string log = Path.Combine(_directory, "error.log");
        return File.Exists(log) ? File.ReadAllText(log) : "";
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
