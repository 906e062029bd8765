using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using CollabEdit.Client;
using CollabEdit.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.LoadDriver;

/// <summary>
/// The abuse mix of issue 16 ("Slow readers and memory", Target): an honest client typing in a
/// document of its own (one edit at a time) is measured alone, then again while, on other
/// documents, a writer pastes 32 KiB ops into a busy document that slow readers (160 KB/s) and
/// non-readers follow, oversized-message senders send 15 MB submits, a presence flood runs, and
/// one connection opens more documents than allowed. The server's RSS is sampled throughout.
/// Reports the honest client's p99 ack loaded vs alone (target ≤ 2×) and the peak RSS against 1 GiB.
/// </summary>
internal sealed class AbuseRun(LoadSettings settings, TextWriter log)
{
    private const double CeilingMiB = 1024;
    private const int PasteUnits = 32 * 1024;
    private const int ManyDocuments = 120;
    private const int ManyDocumentUnits = 256 * 1024;

    private readonly Dictionary<string, long> _counts = [];

    /// <summary>The driver account's bearer token: every connection, raw ones included, is the owner's.</summary>
    private string _token = "";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var machine = MachineInfo.Current();
        string dataPath = ServerSession.NewDataPath();
        double phase = Math.Max(10, settings.DurationSeconds);
        try
        {
            string dll = settings.ServerDll ?? await ServerBuild.EnsureBuiltAsync(settings.ServerConfiguration, settings.Build, log, cancellationToken).ConfigureAwait(false);
            await using var server = await ServerHost.StartAsync(dll, dataPath, [], cancellationToken).ConfigureAwait(false);
            _token = await server.AccessTokenAsync(cancellationToken).ConfigureAwait(false);
            using var rest = new DocumentsClient(server.BaseUri, _token);
            string honestId = await rest.CreateAsync("abuse honest", "", cancellationToken).ConfigureAwait(false);
            string busyId = await rest.CreateAsync("abuse busy", "", cancellationToken).ConfigureAwait(false);
            string filler = new('x', ManyDocumentUnits);
            var many = new string[ManyDocuments];
            for (int i = 0; i < many.Length; i++)
            {
                many[i] = await rest.CreateAsync($"abuse many {i + 1}", filler, cancellationToken).ConfigureAwait(false);
            }

            await using var honestConnection = await CollabConnection.ConnectAsync(server.BaseUri, accessToken: _token, cancellationToken: cancellationToken).ConfigureAwait(false);
            var honest = await CollabDocument.OpenAsync(honestConnection, honestId, "honest", cancellationToken).ConfigureAwait(false);
            long rssBefore = (long)(server.ReadStats()?.RssBytes ?? 0);

            log.WriteLine($"abuse: honest client alone for {phase} s…");
            var alone = await TypeAsync(honest, phase, cancellationToken).ConfigureAwait(false);

            log.WriteLine($"abuse: honest client under the abuse mix for {phase} s…");
            using var stop = new CancellationTokenSource();
            var peak = 0.0;
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    peak = Math.Max(peak, (server.ReadStats()?.RssBytes ?? 0) / (1024.0 * 1024.0));
                    await Task.Delay(250, CancellationToken.None).ConfigureAwait(false);
                }
            }, CancellationToken.None);
            var attacks = new List<Task>
            {
                PasteAsync(server.BaseUri, busyId, stop.Token),
                OpenManyAsync(server.BaseUri, many, stop.Token),
                PresenceFloodAsync(server.BaseUri, busyId, stop.Token),
            };
            attacks.AddRange(Enumerable.Range(0, 4).Select(i => SlowReaderAsync(server.BaseUri, busyId, bytesPer100Ms: i < 2 ? 16 * 1024 : 0, stop.Token)));
            string quietId = await rest.CreateAsync("abuse oversized", "", cancellationToken).ConfigureAwait(false);
            attacks.AddRange(Enumerable.Range(0, 2).Select(_ => OversizedAsync(server.BaseUri, quietId, stop.Token)));
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false); // the attacks under way
            var loaded = await TypeAsync(honest, phase, cancellationToken).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(attacks.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
            await sampler.ConfigureAwait(false);
            var stats = server.ReadStats();
            bool alive = server.ReadStats() is not null;

            var output = Console.Out;
            output.WriteLine($"Abuse mix: {machine}");
            output.WriteLine("| figure | value | target |");
            output.WriteLine("|---|---:|---|");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| honest p99 ack alone ({alone.Count} edits) | {alone.P99:F1} ms (p50 {alone.P50:F1}) | |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| honest p99 ack under the mix ({loaded.Count} edits) | {loaded.P99:F1} ms (p50 {loaded.P50:F1}) | ≤ 2× alone: {(loaded.P99 <= 2 * alone.P99 ? "met" : "NOT met")} ({loaded.P99 / alone.P99:F1}×) |"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| server RSS before / peak sampled / VmHWM | {rssBefore / (1024.0 * 1024.0):F0} / {peak:F0} / {(stats?.PeakRssBytes ?? 0) / (1024.0 * 1024.0):F0} MiB | ≤ {CeilingMiB:F0} MiB: {(peak <= CeilingMiB ? "met" : "NOT met")} |"));
            foreach (var (name, count) in _counts.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                output.WriteLine($"| {name} | {count:N0} | |");
            }

            output.WriteLine($"server alive at the end: {alive}");
            return alive ? 0 : 1;
        }
        finally
        {
            ServerSession.DeleteDataPath(dataPath, settings.KeepData, log);
        }
    }

    /// <summary>One character at a time, each waiting for its ack, for <paramref name="seconds"/>.</summary>
    private static async Task<LatencySummary> TypeAsync(CollabDocument document, double seconds, CancellationToken cancellationToken)
    {
        var latency = new LatencyHistogram();
        var until = Stopwatch.StartNew();
        while (until.Elapsed.TotalSeconds < seconds)
        {
            long start = Stopwatch.GetTimestamp();
            document.Splice(document.Text.Length, 0, "a");
            await document.WhenSynchronizedAsync().WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            latency.Record(start, Stopwatch.GetTimestamp());
            await Task.Delay(20, cancellationToken).ConfigureAwait(false); // a fast typist, 50 keys/s at most
        }

        return latency.Summarize()!;
    }

    private void Count(string name, long by = 1)
    {
        lock (_counts)
        {
            _counts[name] = _counts.GetValueOrDefault(name) + by;
        }
    }

    /// <summary>Pastes 32 KiB at the start, deletes it, again: large broadcasts for the busy document's readers.</summary>
    private async Task PasteAsync(Uri server, string documentId, CancellationToken stop)
    {
        await using var connection = await CollabConnection.ConnectAsync(server, accessToken: _token, cancellationToken: stop).ConfigureAwait(false);
        var document = await CollabDocument.OpenAsync(connection, documentId, "paster", stop).ConfigureAwait(false);
        string paste = new('p', PasteUnits);
        while (!stop.IsCancellationRequested)
        {
            document.Splice(0, 0, paste);
            await document.WhenSynchronizedAsync().WaitAsync(stop).ConfigureAwait(false);
            document.Splice(0, PasteUnits, "");
            await document.WhenSynchronizedAsync().WaitAsync(stop).ConfigureAwait(false);
            Count("paster: 32 KiB ops committed", 2);
        }
    }

    /// <summary>Opens the busy document over a bare socket and reads <paramref name="bytesPer100Ms"/> every 100 ms (0: never); reconnects when cut.</summary>
    private async Task SlowReaderAsync(Uri server, string documentId, int bytesPer100Ms, CancellationToken stop)
    {
        string kind = bytesPer100Ms == 0 ? "non-readers" : "slow readers (160 KB/s)";
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var socket = await RawHubSocket.ConnectAsync(server, _token, stop).ConfigureAwait(false);
                await socket.SendAsync($"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"Open\",\"arguments\":[\"{documentId}\",\"slow\"]}}", stop).ConfigureAwait(false);
                Count($"{kind}: connections opened");
                byte[] buffer = new byte[Math.Max(1, bytesPer100Ms)];
                var pinged = Stopwatch.StartNew();
                while (socket.Open && !stop.IsCancellationRequested)
                {
                    if (bytesPer100Ms > 0 && await socket.ReadSomeAsync(buffer, stop).ConfigureAwait(false) == 0)
                    {
                        break;
                    }

                    if (pinged.Elapsed > TimeSpan.FromSeconds(2))
                    {
                        await socket.PingAsync(stop).ConfigureAwait(false);
                        pinged.Restart();
                    }

                    await Task.Delay(100, stop).ConfigureAwait(false);
                }

                if (!stop.IsCancellationRequested)
                {
                    Count($"{kind}: closed by the server");
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or InvalidOperationException)
            {
                Count($"{kind}: closed by the server");
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>15 MB submits to a document it has open (nobody writes there): an op array of 7.4 million small integers, refused while it is read.</summary>
    private async Task OversizedAsync(Uri server, string documentId, CancellationToken stop)
    {
        var message = new StringBuilder(16_000_000);
        message.Append(CultureInfo.InvariantCulture, $"{{\"type\":1,\"invocationId\":\"9\",\"target\":\"Submit\",\"arguments\":[\"{documentId}\",\"big\",1,0,[");
        message.Insert(message.Length, "1,", 7_400_000).Append("1]]}");
        string text = message.ToString();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var socket = await RawHubSocket.ConnectAsync(server, _token, stop).ConfigureAwait(false);
                await socket.SendAsync($"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"Open\",\"arguments\":[\"{documentId}\",\"big\"]}}", stop).ConfigureAwait(false);
                while (socket.Open && !stop.IsCancellationRequested)
                {
                    await socket.SendAsync(text, stop).ConfigureAwait(false);
                    string answer;
                    do
                    {
                        answer = await socket.ReadMessageAsync(stop).ConfigureAwait(false);
                    }
                    while (!answer.Contains("\"invocationId\":\"9\"", StringComparison.Ordinal));

                    answer = answer[Math.Max(0, answer.IndexOf("{\"type\":3,\"invocationId\":\"9\"", StringComparison.Ordinal))..];
                    Count(answer.Contains("too-large", StringComparison.Ordinal) ? "oversized 15 MB submits: too-large" : $"oversized 15 MB submits: {answer.ReplaceLineEndings(" ").Replace("|", "/", StringComparison.Ordinal)[..Math.Min(answer.Length, 140)]}");
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or InvalidOperationException)
            {
                Count("oversized senders: closed by the server");
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task PresenceFloodAsync(Uri server, string documentId, CancellationToken stop)
    {
        await using var connection = await CollabConnection.ConnectAsync(server, accessToken: _token, cancellationToken: stop).ConfigureAwait(false);
        await CollabDocument.OpenAsync(connection, documentId, "flood", stop).ConfigureAwait(false);
        int i = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await connection.SendAsync(HubMessages.SetPresence, documentId, new PresenceInput("flood", "#f00", i % 2, i % 2), stop).ConfigureAwait(false);
                Count("presence flood: SetPresence sent");
                i++;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (InvalidOperationException)
            {
                Count("presence flood: connection closed");
                return;
            }
        }
    }

    /// <summary>One connection opens every one of the many documents (more than one connection may hold).</summary>
    private async Task OpenManyAsync(Uri server, string[] documents, CancellationToken stop)
    {
        await using var connection = await CollabConnection.ConnectAsync(server, accessToken: _token, cancellationToken: stop).ConfigureAwait(false);
        foreach (string id in documents)
        {
            try
            {
                await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "many", stop).ConfigureAwait(false);
                Count("open-many: opened");
            }
            catch (HubException e)
            {
                Count($"open-many: refused {ErrorCodes.Of(e.Message)}");
            }
        }
    }
}
