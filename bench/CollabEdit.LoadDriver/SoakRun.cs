using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

namespace CollabEdit.LoadDriver;

/// <summary>
/// The soak (issue 16): S2-like traffic (one busy document) beside S4-like traffic (many
/// documents, few clients each) for <c>--duration</c>, the server process sampled every few
/// seconds; one clean restart on the same data folder and one disk-full episode (the data folder
/// is a tmpfs of its own, filled by a ballast file) in the middle. At the end every acknowledged
/// (client, seq) must be in the history once, at the revision its ack named, and every client's
/// text must equal the server's and the expected text. Flatness is reported, not asserted.
/// </summary>
internal sealed class SoakRun(LoadSettings settings, TextWriter log)
{
    // The busy document: S2's shape, scaled to a shared 2-core machine.
    private const int HotClients = 12;
    private const double HotRate = 3;
    private const int TmpfsMiB = 512;

    // Flatness tolerances: the last third's median against the first third's.
    private const double RssTolerance = 0.30;
    private const double CountTolerance = 0.20;
    private const int CountSlack = 6;

    private readonly List<string> _failures = [];
    private readonly List<string> _notes = [];
    private readonly List<SoakSample> _samples = [];
    private readonly List<SoakClient> _clients = [];
    private ServerHost? _server;
    private string _phase = "load";
    private string? _logPath;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        double duration = settings.DurationSeconds;
        var machine = MachineInfo.Current();
        // The server's log beside the data folder, not on the disk that fills up.
        string root = ServerSession.NewDataPath();
        string dataPath = Directory.CreateDirectory(Path.Combine(root, "data")).FullName;
        _logPath = Path.Combine(root, "server.log");
        string? mountFailure = await TmpfsFolder.MountAsync(dataPath, TmpfsMiB).ConfigureAwait(false);
        if (mountFailure is not null)
        {
            _notes.Add($"No tmpfs ({mountFailure}): the data folder is on the ordinary disk and the disk-full episode is SKIPPED.");
        }

        var documents = new List<(string Id, SoakClient[] Clients)>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string step = "starting the server";
        var clock = Stopwatch.StartNew();
        try
        {
            string dll = settings.ServerDll ?? await ServerBuild.EnsureBuiltAsync(settings.ServerConfiguration, settings.Build, log, cancellationToken).ConfigureAwait(false);
            _server = await StartServerAsync(dll, dataPath, cancellationToken).ConfigureAwait(false);
            step = "creating the documents and connecting";
            await SetUpAsync(documents, cancellationToken).ConfigureAwait(false);
            log.WriteLine($"soak: {_clients.Count} clients on {documents.Count} documents for {duration} s; data on {(mountFailure is null ? $"a {TmpfsMiB} MiB tmpfs" : "disk")}");

            step = "running the load";
            using var stop = new CancellationTokenSource();
            var random = new Random(settings.Seed);
            var loops = _clients.Select(c => c.RunAsync(() => _server.BaseUri, RateOf(c), random.NextDouble(), stop.Token)).ToList();
            var load = Stopwatch.StartNew();
            var sampler = SampleAsync(http, load, stop.Token);
            await EpisodesAsync(dll, dataPath, mountFailure is null, load, http, cancellationToken).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(loops).ConfigureAwait(false);
            await sampler.ConfigureAwait(false);

            step = "draining";
            _phase = "drain";
            await Parallel.ForEachAsync(_clients, cancellationToken, async (c, _) => await c.DrainAsync(() => _server.BaseUri, TimeSpan.FromSeconds(settings.DrainTimeoutSeconds)).ConfigureAwait(false)).ConfigureAwait(false);
            step = "checking every acknowledged edit";
            var (acked, found) = await VerifyAsync(documents, cancellationToken).ConfigureAwait(false);
            Print(machine, duration, clock.Elapsed, acked, found, Console.Out);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _failures.Add($"{step}: {e.GetType().Name}: {e.Message}");
            log.WriteLine(e);
        }
        finally
        {
            await Parallel.ForEachAsync(_clients, async (c, _) =>
            {
                try
                {
                    await c.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
                {
                    // Leaving is best effort; the server stops next.
                }
            }).ConfigureAwait(false);
            if (_server is not null)
            {
                await _server.DisposeAsync().ConfigureAwait(false);
            }

            if (mountFailure is null)
            {
                await TmpfsFolder.UnmountAsync(dataPath, log).ConfigureAwait(false);
            }

            // A failed run keeps the server's log (the data went with the tmpfs).
            ServerSession.DeleteDataPath(root, settings.KeepData || _failures.Count > 0, log);
        }

        foreach (string failure in _failures.Take(20))
        {
            Console.WriteLine($"FAILED: {failure}");
        }

        Console.WriteLine(_failures.Count == 0 ? "soak: passed" : $"soak: FAILED ({_failures.Count} failures)");
        return _failures.Count == 0 ? 0 : 1;
    }

    private double RateOf(SoakClient client) => client.Name.StartsWith("hot", StringComparison.Ordinal) ? HotRate : settings.Rate ?? 1;

    private async Task<ServerHost> StartServerAsync(string dll, string dataPath, CancellationToken cancellationToken) =>
        await ServerHost.StartAsync(dll, dataPath, ["--CollabEdit:Metrics:Prometheus=true"], cancellationToken, _logPath).ConfigureAwait(false);

    private async Task SetUpAsync(List<(string Id, SoakClient[] Clients)> documents, CancellationToken cancellationToken)
    {
        using var rest = new DocumentsClient(_server!.BaseUri, await _server.AccessTokenAsync(cancellationToken).ConfigureAwait(false));
        var shapes = new List<(string Prefix, int Clients)> { ("hot", HotClients) };
        shapes.AddRange(Enumerable.Range(0, settings.Documents).Select(d => ($"doc{d + 1}", settings.ClientsPerDocument)));
        var created = new (string Id, SoakClient[] Clients)[shapes.Count];
        await Parallel.ForAsync(0, shapes.Count, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (d, ct) =>
        {
            var (prefix, count) = shapes[d];
            string id = await rest.CreateAsync($"soak {prefix}", Sections.Join([.. Enumerable.Repeat("", count)]), ct).ConfigureAwait(false);
            string link = await rest.CreateEditLinkAsync(id, ct).ConfigureAwait(false);
            var clients = new SoakClient[count];
            for (int k = 0; k < count; k++)
            {
                var workload = new RandomTypingWorkload(unchecked((settings.Seed * 7919) + (d * 131) + k));
                clients[k] = await SoakClient.ConnectAsync(_server.BaseUri, link, id, $"{prefix} c{k + 1}", Sections.Marker(k, count), workload, ct).ConfigureAwait(false);
            }

            created[d] = (id, clients);
        }).ConfigureAwait(false);
        documents.AddRange(created);
        _clients.AddRange(created.SelectMany(d => d.Clients));
    }

    /// <summary>The restart at 35 % of the run, the disk-full episode at 55 %, then load to the end.</summary>
    private async Task EpisodesAsync(string dll, string dataPath, bool canFill, Stopwatch load, HttpClient http, CancellationToken cancellationToken)
    {
        double duration = settings.DurationSeconds;
        await WaitUntilAsync(load, duration * 0.35, cancellationToken).ConfigureAwait(false);
        _phase = "restart";
        double restartAt = load.Elapsed.TotalSeconds;
        var down = Stopwatch.StartNew();
        await _server!.StopAsync().ConfigureAwait(false);
        double stopped = down.Elapsed.TotalSeconds;
        bool killed = _server.Killed;
        await _server.DisposeAsync().ConfigureAwait(false);
        _server = await StartServerAsync(dll, dataPath, cancellationToken).ConfigureAwait(false);
        _notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"Restart at {restartAt:F0} s: SIGTERM, {(killed ? "NOT exited within 30 s, killed" : "exited")} after {stopped:F1} s; up again on the same data folder {down.Elapsed.TotalSeconds:F1} s after the SIGTERM."));
        _phase = "load";

        await WaitUntilAsync(load, duration * 0.55, cancellationToken).ConfigureAwait(false);
        if (canFill)
        {
            double hold = Math.Clamp(duration / 20, 5, 30);
            _phase = "disk full";
            string ballast = Path.Combine(dataPath, "ballast");
            long acksBefore = _clients.Sum(c => c.AcksReceived);
            long size = TmpfsFolder.Fill(ballast);
            double filledAt = load.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(3, hold / 2)), cancellationToken).ConfigureAwait(false);
            long acksSettled = _clients.Sum(c => c.AcksReceived);
            string health = await HealthAsync(http, cancellationToken).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(hold - Math.Min(3, hold / 2)), cancellationToken).ConfigureAwait(false);
            long acksFull = _clients.Sum(c => c.AcksReceived) - acksSettled;
            File.Delete(ballast);
            _phase = "load";
            var freed = Stopwatch.StartNew();
            long acksAtFree = _clients.Sum(c => c.AcksReceived);
            while (_clients.Sum(c => c.AcksReceived) == acksAtFree && freed.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }

            _notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"Disk full at {filledAt:F0} s for {hold:F0} s: ballast {size / (1024.0 * 1024.0):F1} MiB; {acksSettled - acksBefore} acks while it filled and settled, {acksFull} acks in the {hold - Math.Min(3, hold / 2):F0} s after (submits get `unavailable`, retried); /healthz then: {health}; first ack {freed.Elapsed.TotalSeconds:F1} s after the ballast went."));
            if (acksFull > 0)
            {
                _notes.Add("Acks arrived while the disk was full: the filled tmpfs still took some writes (see above).");
            }
        }

        await WaitUntilAsync(load, duration, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> HealthAsync(HttpClient http, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(_server!.BaseUri, "/healthz"), cancellationToken).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return $"{(int)response.StatusCode} \"{body.ReplaceLineEndings(" ")[..Math.Min(body.Length, 160)]}\"";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"no answer ({e.Message})";
        }
    }

    private async Task SampleAsync(HttpClient http, Stopwatch load, CancellationToken stop)
    {
        var every = TimeSpan.FromSeconds(settings.DurationSeconds >= 600 ? 5 : 3);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var server = _server;
                if (server?.Pid is { } pid
                    && await SoakSample.ReadAsync(load.Elapsed.TotalSeconds, pid, server.BaseUri, http, _clients.Sum(c => c.AcksReceived), _phase, stop).ConfigureAwait(false) is { } sample)
                {
                    lock (_samples)
                    {
                        _samples.Add(sample);
                    }
                }

                await Task.Delay(every, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The load is over.
        }
    }

    /// <summary>
    /// For each document: the history from revision 1 is contiguous, replays to the server's text,
    /// which is the expected text and every client's; each acknowledged (client, seq) names a
    /// revision whose author is that client, and no revision is named twice.
    /// </summary>
    private async Task<(long Acked, long Found)> VerifyAsync(List<(string Id, SoakClient[] Clients)> documents, CancellationToken cancellationToken)
    {
        string token = await _server!.AccessTokenAsync(cancellationToken).ConfigureAwait(false);
        using var rest = new DocumentsClient(_server.BaseUri, token);
        using var http = new HttpClient { BaseAddress = _server.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        long acked = 0;
        long found = 0;
        foreach (var (id, clients) in documents)
        {
            var state = await rest.GetAsync(id, cancellationToken).ConfigureAwait(false);
            var history = new List<HistoryEntry>();
            while (history.Count < state.Revision)
            {
                var page = await http.GetFromJsonAsync<HistoryEntry[]>($"/api/documents/{id}/history?from={history.Count}&limit=1000", cancellationToken).ConfigureAwait(false) ?? [];
                if (page.Length == 0)
                {
                    break;
                }

                history.AddRange(page);
            }

            string text = Sections.Join([.. Enumerable.Repeat("", clients.Length)]);
            for (int i = 0; i < history.Count; i++)
            {
                if (history[i].Revision != i + 1)
                {
                    _failures.Add($"{id}: history entry {i + 1} is revision {history[i].Revision}");
                    break;
                }

                text = history[i].Op.Apply(text);
            }

            if (text != state.Text)
            {
                _failures.Add($"{id}: the history replayed ({history.Count} ops) is not the server's text at revision {state.Revision}");
            }

            string expected = Sections.Join([.. clients.Select(c => c.Workload.ExpectedText)]);
            if (state.Text != expected)
            {
                _failures.Add($"{id}: the server's text ({state.Text.Length} units) is not the expected text ({expected.Length} units)");
            }

            var claimed = new Dictionary<int, string>();
            foreach (var client in clients)
            {
                if (client.Failure is { } failure)
                {
                    _failures.Add($"{id} {client.Name}: {failure}");
                }

                if (client.Document.Revision != state.Revision || client.Document.Text != state.Text)
                {
                    string mine = client.Document.Text;
                    int at = mine.AsSpan().CommonPrefixLength(state.Text);
                    _failures.Add($"{id} {client.Name}: at revision {client.Document.Revision} with {mine.Length} units, the server at {state.Revision} with {state.Text.Length}; "
                        + $"first difference at {at}: client \"{Around(mine, at)}\", server \"{Around(state.Text, at)}\"");
                }

                foreach (var (seq, revision) in client.Acked)
                {
                    acked++;
                    if (revision < 1 || revision > history.Count || history[revision - 1].Author != $"{client.Name} (guest)")
                    {
                        _failures.Add($"{id} {client.Name}: seq {seq} acknowledged at revision {revision}, which the history does not hold as its op");
                    }
                    else if (!claimed.TryAdd(revision, $"{client.Name} seq {seq}"))
                    {
                        _failures.Add($"{id} revision {revision}: acknowledged to {claimed[revision]} and to {client.Name} seq {seq}");
                    }
                    else
                    {
                        found++;
                    }
                }
            }

            // Every op of the history was acknowledged to its author (none committed unacknowledged).
            int unclaimed = history.Count(h => !claimed.ContainsKey(h.Revision));
            if (unclaimed > 0)
            {
                _notes.Add($"{id}: {unclaimed} committed ops no ack named (an ack lost with a connection, its resend acked under the same seq)");
            }
        }

        return (acked, found);
    }

    private void Print(MachineInfo machine, double duration, TimeSpan wall, long acked, long found, TextWriter output)
    {
        var samples = _samples.ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Soak: {settings.Documents} docs x {settings.ClientsPerDocument} clients at {settings.Rate ?? 1} edits/s + 1 doc x {HotClients} clients at {HotRate} edits/s; {duration} s of load ({wall.TotalSeconds:F0} s wall); {machine}"));
        output.WriteLine($"Clients: {_clients.Count}, reconnects {_clients.Sum(c => c.Reconnects)}; acknowledged submits (client, seq): {acked:N0}, found in the history at their revision: {found:N0}");
        foreach (string note in _notes)
        {
            output.WriteLine($"note: {note}");
        }

        output.WriteLine();
        output.WriteLine("| t (s) | phase | pid | RSS (MiB) | GC pause total (ms) | threads | handles | acks so far |");
        output.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|");
        foreach (var s in samples)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {s.Seconds:F0} | {s.Phase} | {s.Pid} | {s.RssMiB:F1} | {(s.GcPauseSeconds is { } g ? (g * 1000).ToString("F1", CultureInfo.InvariantCulture) : "–")} | {s.Threads} | {s.Handles} | {s.Acks:N0} |"));
        }

        double warmup = Math.Min(60, duration / 6);
        var first = samples.Where(s => s.Seconds >= warmup && s.Seconds <= duration / 3 && s.Phase == "load").ToList();
        var last = samples.Where(s => s.Seconds >= duration * 2 / 3 && s.Phase == "load").ToList();
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Flatness: medians of the first third after warm-up ({warmup:F0}–{duration / 3:F0} s, {first.Count} samples) and the last third ({duration * 2 / 3:F0}–{duration:F0} s, {last.Count} samples); the restart falls between them (a new process)."));
        output.WriteLine("| figure | first third | last third | change | tolerance | verdict |");
        output.WriteLine("|---|---:|---:|---:|---|---|");
        if (first.Count == 0 || last.Count == 0)
        {
            output.WriteLine("| (too few samples) | | | | | not judged |");
            return;
        }

        Row(output, "RSS (MiB)", Median(first, s => s.RssMiB), Median(last, s => s.RssMiB), RssTolerance, 0);
        Row(output, "threads", Median(first, s => s.Threads), Median(last, s => s.Threads), CountTolerance, CountSlack);
        Row(output, "handles", Median(first, s => s.Handles), Median(last, s => s.Handles), CountTolerance, CountSlack);
        double? firstGc = GcRate(first);
        double? lastGc = GcRate(last);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| GC pause (ms per s) | {firstGc?.ToString("F2", CultureInfo.InvariantCulture) ?? "–"} | {lastGc?.ToString("F2", CultureInfo.InvariantCulture) ?? "–"} | | reported | |"));
    }

    private static void Row(TextWriter output, string name, double first, double last, double tolerance, int slack)
    {
        double change = first == 0 ? 0 : (last - first) / first;
        bool flat = last <= (first * (1 + tolerance)) + slack;
        string allowed = slack == 0 ? $"+{tolerance:P0}" : $"+{tolerance:P0} +{slack}";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {first:F1} | {last:F1} | {change:+0%;-0%;0%} | {allowed} | {(flat ? "flat" : "GROWING")} |"));
    }

    private static string Around(string text, int at) =>
        text.Substring(Math.Max(0, at - 20), Math.Min(text.Length, at + 20) - Math.Max(0, at - 20)).ReplaceLineEndings("⏎");

    private static double Median(List<SoakSample> samples, Func<SoakSample, double> figure)
    {
        var sorted = samples.Select(figure).Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>GC pause milliseconds per second of load across consecutive samples of one process.</summary>
    private static double? GcRate(List<SoakSample> samples)
    {
        double pause = 0;
        double seconds = 0;
        for (int i = 1; i < samples.Count; i++)
        {
            if (samples[i].Pid == samples[i - 1].Pid && samples[i].GcPauseSeconds is { } b && samples[i - 1].GcPauseSeconds is { } a)
            {
                pause += b - a;
                seconds += samples[i].Seconds - samples[i - 1].Seconds;
            }
        }

        return seconds == 0 ? null : Math.Round(pause * 1000 / seconds, 2);
    }

    private static async Task WaitUntilAsync(Stopwatch load, double seconds, CancellationToken cancellationToken)
    {
        double left = seconds - load.Elapsed.TotalSeconds;
        if (left > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(left), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One op of <c>GET /api/documents/{id}/history</c>.</summary>
    private sealed record HistoryEntry(int Revision, CollabEdit.Ot.TextOperation Op, string Author);
}
