using System.Diagnostics;
using CollabEdit.Client;
using CollabEdit.Protocol;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.LoadDriver;

/// <summary>
/// S5: a document with a long history (by default 100,000 ops, each its own commit, written by
/// closed-loop clients typing in their own sections), then, after each server restart with the
/// LiteDB file evicted from the page cache, the time from the <c>Open</c> call to its answer.
/// Measured twice per round: as the process's first Open, and after a small document was opened
/// first (so JIT compilation is out of the figure, the big document's data still cold).
/// </summary>
internal sealed class ColdOpenRun(LoadSettings settings, TextWriter log)
{
    public async Task<RunReport> RunAsync(CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var machine = MachineInfo.Current();
        var failures = new List<string>();
        int perClient = (int)Math.Ceiling(settings.HistoryOps / (double)settings.PopulateClients);
        var config = new RunConfig(1, settings.PopulateClients, "max (next edit on ack)", 0, 0, "random typing (to write the history)", perClient, "");
        if (settings.Url is not null)
        {
            throw new UsageException("S5 restarts the server, so it must start it: drop --url.");
        }

        string dataPath = ServerSession.NewDataPath();
        string dll = settings.ServerDll ?? await ServerBuild.EnsureBuiltAsync(settings.ServerConfiguration, settings.Build, log, cancellationToken).ConfigureAwait(false);
        config = config with { Server = $"started by the driver: {Path.GetRelativePath(Environment.CurrentDirectory, dll)}, restarted for each Open" };
        try
        {
            var (smallId, bigId, expected, populateSeconds) = await PopulateAsync(dll, dataPath, perClient, failures, cancellationToken).ConfigureAwait(false);
            int revision = perClient * settings.PopulateClients;
            var first = new List<double>();
            var warm = new List<double>();
            bool evicted = true;
            for (int round = 0; round < settings.Restarts && failures.Count == 0; round++)
            {
                foreach (bool warmUp in new[] { false, true })
                {
                    evicted &= Evict(dataPath);
                    await using var server = await ServerHost.StartAsync(dll, dataPath, [], cancellationToken).ConfigureAwait(false);
                    await using var connection = await CollabConnection.ConnectAsync(
                        server.BaseUri, accessToken: await server.AccessTokenAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
                    if (warmUp)
                    {
                        await connection.InvokeAsync<OpenResult>(HubMessages.Open, smallId, "warm-up", cancellationToken).ConfigureAwait(false);
                    }

                    long started = Stopwatch.GetTimestamp();
                    var opened = await connection.InvokeAsync<OpenResult>(HubMessages.Open, bigId, "cold open", cancellationToken).ConfigureAwait(false);
                    double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (opened.Revision != revision || opened.Text != expected)
                    {
                        failures.Add($"Open after restart answered revision {opened.Revision} ({opened.Text.Length} units); expected {revision} ({expected.Length} units) and the populated text");
                    }

                    (warmUp ? warm : first).Add(Math.Round(ms, 2));
                    log.WriteLine($"restart {round + 1}: Open {(warmUp ? "after a warm-up document" : "first")} {ms:F1} ms");
                }
            }

            var report = new RunReport
            {
                Scenario = settings.Scenario,
                Description = settings.Description,
                Converged = failures.Count == 0,
                Failures = failures,
                Config = config,
                StartedAt = startedAt,
                Machine = machine,
            };
            return failures.Count > 0 ? report : report with
            {
                ColdOpen = new ColdOpenFigures(revision, expected.Length, Math.Round(populateSeconds, 1), first, warm, Median(first), Median(warm), evicted),
            };
        }
        finally
        {
            ServerSession.DeleteDataPath(dataPath, settings.KeepData, log);
        }
    }

    /// <summary>Writes the history; returns the documents' ids and the big one's text, checked against REST.</summary>
    private async Task<(string SmallId, string BigId, string Text, double Seconds)> PopulateAsync(
        string dll, string dataPath, int perClient, List<string> failures, CancellationToken cancellationToken)
    {
        await using var server = await ServerHost.StartAsync(dll, dataPath, [], cancellationToken).ConfigureAwait(false);
        string token = await server.AccessTokenAsync(cancellationToken).ConfigureAwait(false);
        using var rest = new DocumentsClient(server.BaseUri, token);
        string smallId = await rest.CreateAsync("warm-up", "A small document, opened first to warm the hub up.", cancellationToken).ConfigureAwait(false);
        var workloads = Enumerable.Range(0, settings.PopulateClients).Select(k => (Workload)new RandomTypingWorkload(unchecked((settings.Seed * 7919) + k))).ToArray();
        string bigId = await rest.CreateAsync("100,000 ops of history", Sections.Join([.. workloads.Select(w => w.InitialText)]), cancellationToken).ConfigureAwait(false);

        var clock = new RunClock();
        var latency = new LatencyHistogram();
        var clients = new List<LoadClient>();
        try
        {
            for (int k = 0; k < workloads.Length; k++)
            {
                clients.Add(await LoadClient.ConnectAsync(server.BaseUri, token, bigId, k, Sections.Marker(k, workloads.Length), workloads[k], clock, latency, null, cancellationToken).ConfigureAwait(false));
            }

            log.WriteLine($"Writing {perClient * workloads.Length:N0} ops of history with {workloads.Length} closed-loop clients…");
            long started = Stopwatch.GetTimestamp();
            var bounded = clients.Select(c => Task.Run(() => RunBoundedAsync(c, perClient, cancellationToken))).ToArray();
            await Task.WhenAll(bounded).ConfigureAwait(false);
            double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

            var state = await rest.GetAsync(bigId, cancellationToken).ConfigureAwait(false);
            string expected = Sections.Join([.. workloads.Select(w => w.ExpectedText)]);
            if (state.Text != expected || state.Revision != perClient * workloads.Length)
            {
                failures.Add($"After writing the history the server is at revision {state.Revision} with {state.Text.Length} units; expected {perClient * workloads.Length} and {expected.Length}");
            }

            foreach (var client in clients.Where(c => c.Failure is not null))
            {
                failures.Add($"client {client.Index + 1}: {client.Failure}");
            }

            return (smallId, bigId, expected, seconds);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task RunBoundedAsync(LoadClient client, int edits, CancellationToken cancellationToken)
    {
        // Closed loop: one edit per commit, so edits = revisions.
        while (client.Workload.Made < edits && client.Failure is null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await client.RunOneClosedLoopEditAsync().ConfigureAwait(false);
        }
    }

    private bool Evict(string dataPath)
    {
        bool all = true;
        foreach (string file in Directory.EnumerateFiles(dataPath, "*.db"))
        {
            all &= Native.EvictFromPageCache(file);
        }

        if (!all)
        {
            log.WriteLine("warning: posix_fadvise could not evict the data files from the page cache.");
        }

        return all;
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        int mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : Math.Round((sorted[mid - 1] + sorted[mid]) / 2, 2);
    }
}
