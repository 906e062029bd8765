using System.Diagnostics;
using System.Globalization;
using CollabEdit.Traces;

namespace CollabEdit.LoadDriver;

/// <summary>
/// Scenarios S1–S4 and smoke: creates the documents over REST, connects every client, runs the
/// load (open loop at a fixed rate, or each client's next edit on its previous ack), then drains
/// and checks that every client, the server's REST text and the expected text agree.
/// </summary>
internal sealed class LoadRun(LoadSettings settings, TextWriter log)
{
    private const int MaxFailuresListed = 20;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    private readonly RunClock _clock = new();
    private readonly LatencyHistogram _ackLatency = new();
    private readonly LatencyHistogram _remoteLatency = new();
    private readonly LatencyHistogram _scheduleLag = new();
    private readonly List<string> _failures = [];
    private readonly List<string> _notes = [];
    private readonly Dictionary<int, RevisionLedger> _ledgers = [];

    public async Task<RunReport> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var machine = MachineInfo.Current();
        var trace = settings.Workload == WorkloadKind.Trace ? EditingTrace.Load(settings.Trace) : null;
        int traceLength = trace?.Transactions.Sum(t => t.Patches.Count) ?? 0;
        int editsPerClient = EditsPerClient(traceLength);
        var slices = trace is null ? null : TraceSlice.Plan(trace, settings.ClientsPerDocument, editsPerClient, settings.Slices);
        bool wholeTraceAlone = trace is not null && settings.ClientsPerDocument == 1 && editsPerClient == traceLength;

        string? dataPath = settings.Url is null ? ServerSession.NewDataPath() : null;
        var config = new RunConfig(
            settings.Documents,
            settings.ClientsPerDocument,
            settings.Rate is { } rate ? rate.ToString(CultureInfo.InvariantCulture) + " edits/s per client" : "max (next edit on ack)",
            settings.DurationSeconds,
            settings.WarmupSeconds,
            trace is null ? "random typing" : $"trace {trace.Name} ({SliceDescription(wholeTraceAlone)})",
            editsPerClient,
            "");
        var clients = new List<LoadClient>();
        ServerHost? server = null;
        string phase = "starting the server";
        try
        {
            (server, string serverDescription) = await ServerSession.StartAsync(settings, dataPath, log, cancellationToken).ConfigureAwait(false);
            config = config with { Server = settings.MoreUrls.Count == 0 ? serverDescription : $"{serverDescription} and {string.Join(", ", settings.MoreUrls)}, clients round robin" };
            double? freshRss = server.ReadStats() is { } fresh ? WindowMeter.MiB(fresh.RssBytes) : null;
            phase = "creating the documents";
            string token = await server.AccessTokenAsync(cancellationToken).ConfigureAwait(false);
            using var rest = new DocumentsClient(server.BaseUri, token);
            var documents = await CreateDocumentsAsync(rest, slices, cancellationToken).ConfigureAwait(false);
            phase = "connecting the clients";
            await ConnectAsync([server.BaseUri, .. settings.MoreUrls], token, documents, clients, cancellationToken).ConfigureAwait(false);
            log.WriteLine($"{clients.Count} clients connected to {documents.Count} documents; running…");
            double? connectedRss = server.ReadStats() is { } connectedStats ? WindowMeter.MiB(connectedStats.RssBytes) : null;

            phase = "running the load";
            var (window, serverUsage, driverUsage) = await DriveAsync(server, clients).ConfigureAwait(false);
            phase = "draining";
            await DrainAsync(clients).ConfigureAwait(false);
            phase = "checking convergence";
            // A whole trace replayed alone must end at the trace's own endContent.
            bool traceFinished = wholeTraceAlone && documents.All(d => !d.Workloads[0].HasNext);
            int finalLength = await VerifyAsync(rest, documents, clients, traceFinished ? trace!.EndContent : null).ConfigureAwait(false);
            var connections = new ConnectionFigures(
                clients.Count,
                clients.Count(c => c.Connected),
                clients.Count(c => c.Failure?.StartsWith("connection closed", StringComparison.Ordinal) == true));

            var report = new RunReport
            {
                Scenario = settings.Scenario,
                Description = settings.Description,
                Converged = _failures.Count == 0,
                Failures = [.. _failures.Take(MaxFailuresListed)],
                Config = config,
                StartedAt = startedAt,
                Machine = machine,
                Notes = _notes,
            };
            if (_failures.Count > 0)
            {
                return report;
            }

            long editsAcked = clients.Sum(c => c.EditsAckedInWindow);
            long commits = clients.Sum(c => c.CommitsInWindow);
            long delivered = commits + clients.Sum(c => c.RemoteOpsInWindow);
            var timerLag = settings.IsClosedLoop ? null : _scheduleLag.Summarize();
            var serverCost = new ServerCost(
                serverUsage is null || commits == 0 ? null : Math.Round(serverUsage.CpuSeconds * 1e6 / commits, 1),
                serverUsage is null || delivered == 0 ? null : Math.Round(serverUsage.CpuSeconds * 1e6 / delivered, 1),
                delivered,
                freshRss,
                connectedRss);
            return report with
            {
                WindowSeconds = Math.Round(window, 3),
                EditsMade = clients.Sum(c => c.EditsMade),
                EditsAcked = editsAcked,
                Commits = commits,
                EditsPerSecond = Math.Round(editsAcked / window, 1),
                CommitsPerSecond = Math.Round(commits / window, 1),
                AckLatencyMs = _ackLatency.Summarize(),
                RemoteLatencyMs = _remoteLatency.Summarize(),
                ScheduleLagMs = timerLag,
                Server = serverUsage,
                Driver = driverUsage,
                ServerCost = serverCost,
                DriverCheck = DriverCheck.Judge(timerLag, driverUsage.CpuCores, serverUsage?.CpuCores, server.Pid),
                Connections = connections,
                FinalLength = finalLength,
            };
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _failures.Add($"{phase}: {e.GetType().Name}: {e.Message}");
            log.WriteLine(e);
            return new RunReport
            {
                Scenario = settings.Scenario,
                Description = settings.Description,
                Converged = false,
                Failures = [.. _failures.Take(MaxFailuresListed)],
                Config = config,
                StartedAt = startedAt,
                Machine = machine,
            };
        }
        finally
        {
            await DisconnectAsync(clients).ConfigureAwait(false);
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }

            // A failed run keeps the server's data and log to look at.
            ServerSession.DeleteDataPath(dataPath, settings.KeepData || _failures.Count > 0, log);
        }
    }

    private string SliceDescription(bool wholeTraceAlone) =>
        wholeTraceAlone ? "whole trace"
        : settings.ClientsPerDocument == 1 ? "a prefix"
        : settings.Slices == SliceLayout.FromStart ? "each client replays it from its start in its own section"
        : "client k replays the k-th consecutive slice in its own section";

    private int EditsPerClient(int traceLength)
    {
        if (settings.EditsPerClient is { } edits)
        {
            return settings.Workload == WorkloadKind.Trace ? Math.Min(edits, traceLength) : edits;
        }

        if (settings.Rate is { } rate)
        {
            // Enough for the whole run, a little spare: running out early would end the window.
            int needed = (int)Math.Ceiling(rate * (settings.WarmupSeconds + settings.DurationSeconds)) + 10;
            return settings.Workload == WorkloadKind.Trace ? Math.Min(needed, traceLength) : needed;
        }

        if (settings.Workload == WorkloadKind.Random)
        {
            return int.MaxValue;
        }

        // As fast as acks allow: the whole trace for a client alone; otherwise a slice each,
        // kept short enough that the shared document stays a realistic size.
        return settings.ClientsPerDocument == 1 || settings.DurationSeconds == 0
            ? traceLength / settings.ClientsPerDocument
            : Math.Min(traceLength / settings.ClientsPerDocument, 20_000);
    }

    private async Task<List<(string Id, Workload[] Workloads)>> CreateDocumentsAsync(DocumentsClient rest, IReadOnlyList<TraceSlice>? slices, CancellationToken cancellationToken)
    {
        var documents = new (string Id, Workload[] Workloads)[settings.Documents];
        await Parallel.ForAsync(0, settings.Documents, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (d, ct) =>
        {
            var workloads = new Workload[settings.ClientsPerDocument];
            for (int k = 0; k < workloads.Length; k++)
            {
                workloads[k] = slices is null
                    ? new RandomTypingWorkload(unchecked((settings.Seed * 7919) + (d * 131) + k))
                    : new TraceSliceWorkload(slices[k]);
            }

            string text = Sections.Join([.. workloads.Select(w => w.InitialText)]);
            string id = await rest.CreateAsync($"load {settings.Scenario} {d + 1}", text, ct).ConfigureAwait(false);
            documents[d] = (id, workloads);
        }).ConfigureAwait(false);
        return [.. documents];
    }

    private async Task ConnectAsync(IReadOnlyList<Uri> servers, string token, List<(string Id, Workload[] Workloads)> documents, List<LoadClient> clients, CancellationToken cancellationToken)
    {
        var connected = new LoadClient[documents.Count * settings.ClientsPerDocument];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout + TimeSpan.FromSeconds(connected.Length / 50.0));
        try
        {
            await Parallel.ForAsync(0, connected.Length, new ParallelOptions { MaxDegreeOfParallelism = settings.ConnectParallelism, CancellationToken = timeout.Token }, async (i, ct) =>
            {
                int d = i / settings.ClientsPerDocument;
                int k = i % settings.ClientsPerDocument;
                var (id, workloads) = documents[d];
                var ledger = settings.ClientsPerDocument > 1 ? Ledger(d) : null;
                connected[i] = await LoadClient.ConnectAsync(
                    servers[i % servers.Count], token, id, k, Sections.Marker(k, settings.ClientsPerDocument), workloads[k], _clock, _ackLatency, ledger, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }
        finally
        {
            clients.AddRange(connected.Where(c => c is not null));
        }
    }

    private RevisionLedger Ledger(int document)
    {
        lock (_ledgers)
        {
            if (!_ledgers.TryGetValue(document, out var ledger))
            {
                _ledgers[document] = ledger = new RevisionLedger(_clock, _remoteLatency);
            }

            return ledger;
        }
    }

    /// <summary>Runs every client's loop; returns the window's length and the CPU both processes used inside it.</summary>
    private async Task<(double Window, ResourceUsage? Server, ResourceUsage Driver)> DriveAsync(ServerHost server, List<LoadClient> clients)
    {
        long frequency = Stopwatch.Frequency;
        long begin = RunClock.Now + (frequency / 10);
        long start = begin + (long)(settings.WarmupSeconds * frequency);
        _clock.Open(start);
        var phases = new Random(settings.Seed);
        using var stop = new CancellationTokenSource();
        var loops = clients.Select(client =>
        {
            double phase = phases.NextDouble();
            return Task.Run(async () =>
            {
                if (settings.Rate is { } rate)
                {
                    await client.RunPacedAsync(rate, begin, phase, _scheduleLag, stop.Token).ConfigureAwait(false);
                }
                else
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, RunClock.Seconds(begin - RunClock.Now)))).ConfigureAwait(false);
                    await client.RunClosedLoopAsync(stop.Token).ConfigureAwait(false);
                }
            });
        }).ToList();

        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, RunClock.Seconds(start - RunClock.Now)))).ConfigureAwait(false);
        // Both processes measured over the window only: from here (after the warm-up) to its close.
        await using var serverMeter = server.Pid is { } pid ? WindowMeter.Start(pid) : null;
        await using var driverMeter = WindowMeter.Start(Environment.ProcessId);
        long windowStart = start;

        var all = Task.WhenAll(loops);
        if (settings.DurationSeconds > 0)
        {
            // The window closes at the end of the duration, or when a client runs out of edits.
            var deadline = Task.Delay(TimeSpan.FromSeconds(settings.DurationSeconds));
            var finished = await Task.WhenAny(deadline, Task.WhenAny(loops)).ConfigureAwait(false);
            if (finished != deadline && _failures.Count == 0 && clients.All(c => c.Failure is null))
            {
                _notes.Add("A client ran out of edits before the duration ended: the window closed then (use --edits).");
            }
        }
        else
        {
            await Task.WhenAny(all).ConfigureAwait(false);
        }

        long windowEnd = RunClock.Now;
        _clock.Close(windowEnd);
        var serverUsage = serverMeter is null ? null : await serverMeter.StopAsync().ConfigureAwait(false);
        var driver = await driverMeter.StopAsync().ConfigureAwait(false) ?? new ResourceUsage(0, 0, 0, 0);
        await stop.CancelAsync().ConfigureAwait(false);
        foreach (var (loop, client) in loops.Zip(clients))
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                _failures.Add($"{client.Document.DocumentId} client {client.Index + 1}: {e.Message} ({client.Document.Describe()})");
            }
        }

        double window = RunClock.Seconds(windowEnd - windowStart);
        if (settings.DurationSeconds == 0 && settings.IsClosedLoop)
        {
            // Closed loop to the end of the workloads: the window ends with the last ack.
            window = RunClock.Seconds(Math.Max(_clock.LastAck, windowStart) - windowStart);
        }

        return (window, serverUsage, driver);
    }

    /// <summary>Waits until every client has every edit acknowledged.</summary>
    private async Task DrainAsync(List<LoadClient> clients)
    {
        var deadline = RunClock.Now + (long)(settings.DrainTimeoutSeconds * Stopwatch.Frequency);
        foreach (var client in clients)
        {
            if (client.Failure is { } failure)
            {
                _failures.Add($"{client.Document.DocumentId} client {client.Index + 1}: {failure}");
                continue;
            }

            try
            {
                var left = TimeSpan.FromSeconds(Math.Max(0, RunClock.Seconds(deadline - RunClock.Now)));
                await client.Document.WhenSynchronizedAsync().WaitAsync(left).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _failures.Add($"{client.Document.DocumentId} client {client.Index + 1}: not synchronized after {settings.DrainTimeoutSeconds} s ({client.Document.Describe()})");
            }
            catch (Exception e) when (e is Microsoft.AspNetCore.SignalR.HubException or InvalidOperationException)
            {
                _failures.Add($"{client.Document.DocumentId} client {client.Index + 1}: {e.Message}");
            }
        }
    }

    /// <summary>
    /// Every client's text equals the server's durable text (REST), which equals the text the
    /// sections must hold (and the trace's endContent for a whole trace replayed alone).
    /// Returns the longest final text's length.
    /// </summary>
    private async Task<int> VerifyAsync(DocumentsClient rest, List<(string Id, Workload[] Workloads)> documents, List<LoadClient> clients, string? endContent)
    {
        var byDocument = clients.ToLookup(c => c.Document.DocumentId);
        int longest = 0;
        var deadline = RunClock.Now + (long)(settings.DrainTimeoutSeconds * Stopwatch.Frequency);
        foreach (var (id, workloads) in documents)
        {
            var state = await rest.GetAsync(id, CancellationToken.None).ConfigureAwait(false);
            longest = Math.Max(longest, state.Text.Length);
            string expected = Sections.Join([.. workloads.Select(w => w.ExpectedText)]);
            if (state.Text != expected)
            {
                _failures.Add($"{id}: the server's text (revision {state.Revision}, {state.Text.Length} units) is not the expected text ({expected.Length} units); first difference at {FirstDifference(state.Text, expected)}");
            }

            if (endContent is not null && state.Text != endContent)
            {
                _failures.Add($"{id}: the trace replayed alone did not end at its endContent (first difference at {FirstDifference(state.Text, endContent)})");
            }

            foreach (var client in byDocument[id])
            {
                // Remote ops may still be on their way to this client: wait for the server's revision.
                while (client.Document.Revision < state.Revision && RunClock.Now < deadline && client.Failure is null)
                {
                    await Task.Delay(10).ConfigureAwait(false);
                }

                if (client.Document.Revision != state.Revision)
                {
                    _failures.Add($"{id} client {client.Index + 1}: at revision {client.Document.Revision}, the server at {state.Revision}");
                }
                else if (client.Document.Text != state.Text)
                {
                    _failures.Add($"{id} client {client.Index + 1}: its text differs from the server's at {FirstDifference(client.Document.Text, state.Text)}");
                }

                if (client.Unacknowledged != 0)
                {
                    _failures.Add($"{id} client {client.Index + 1}: {client.Unacknowledged} edits never acknowledged");
                }
            }
        }

        return longest;
    }

    private async Task DisconnectAsync(List<LoadClient> clients)
    {
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = settings.ConnectParallelism }, async (client, _) =>
        {
            try
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
            {
                // Leaving is best effort; the server is stopped next anyway.
            }
        }).ConfigureAwait(false);
    }

    private static int FirstDifference(string a, string b) => a.AsSpan().CommonPrefixLength(b);
}
