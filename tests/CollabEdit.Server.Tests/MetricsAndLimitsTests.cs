using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CollabEdit.Client;
using CollabEdit.Server.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace CollabEdit.Server.Tests;

public sealed class MetricsAndLimitsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ConcurrentEditing_RecordsCommitsBatchSizesAckLatencyDocumentsAndConnections()
    {
        await using var server = await RunningServer.StartAsync();
        var measurements = new ConcurrentDictionary<string, ConcurrentBag<double>>();
        using var listener = Listen(server, measurements);
        string id = await server.CreateDocumentAsync("");
        var clients = new List<CollabDocument>();
        for (int i = 0; i < 5; i++)
        {
            clients.Add(await server.OpenAsync(id, $"user{i}"));
        }

        long acks = 0;
        foreach (var client in clients)
        {
            client.Acknowledged += (_, _) => Interlocked.Increment(ref acks);
        }

        await Task.WhenAll(clients.Select((client, i) => Task.Run(async () =>
        {
            var random = new Random(i);
            for (int edit = 0; edit < 200; edit++)
            {
                ConvergenceTests.EditAtRandom(client, random);
                await Task.Delay(random.Next(2));
            }
        }))).WaitAsync(Timeouts.Converge);
        await Eventually.SynchronizedAsync(clients);
        var details = await server.GetDocumentAsync(id);
        listener.RecordObservableInstruments();

        var batches = measurements["collabedit.commit.batch_size"];
        var latencies = measurements["collabedit.ack.latency"].Order().ToList();
        Assert.Equal(details.Revision, measurements["collabedit.ops.committed"].Sum());
        Assert.Equal(details.Revision, batches.Sum());
        Assert.Equal(Interlocked.Read(ref acks), latencies.Count);
        Assert.Equal(1, measurements["collabedit.documents.open"].Sum());
        Assert.Equal(5, measurements["collabedit.connections"].Sum());
        Assert.NotEmpty(measurements["collabedit.storage.write_duration"]);

        output.WriteLine(
            $"5 clients x 200 edits: {details.Revision} commits in {batches.Count} durable writes; " +
            $"batch size mean {batches.Average():F2} max {batches.Max()}; " +
            $"ack latency (ms) p50 {Percentile(latencies, 0.50):F2} p99 {Percentile(latencies, 0.99):F2} max {latencies[^1]:F2}; " +
            $"storage write (ms) mean {measurements["collabedit.storage.write_duration"].Average():F2}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PastingOneMegabyte_IsCommittedAsOneOp(bool json)
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("before|after");
        var client = await server.OpenAsync(id, json: json);
        string paste = string.Concat(Enumerable.Range(0, 1024 * 1024 / 64).Select(i => $"{i,8}: the quick brown fox jumps over the lazy dog 😀é".PadRight(63) + "\n"));

        client.Splice(7, 0, paste);
        await Eventually.SynchronizedAsync(client);

        var details = await server.GetDocumentAsync(id);
        Assert.Equal(1024 * 1024 + 12, details.Text.Length);
        Assert.Equal("before|" + paste + "after", details.Text);
        Assert.Equal(1, details.Revision);
    }

    private static MeterListener Listen(RunningServer server, ConcurrentDictionary<string, ConcurrentBag<double>> into)
    {
        var factory = server.App.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            // Only this server's meter: other tests' servers run in the same process.
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == CollabEditMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => into.GetOrAdd(instrument.Name, _ => []).Add(value));
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => into.GetOrAdd(instrument.Name, _ => []).Add(value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => into.GetOrAdd(instrument.Name, _ => []).Add(value));
        listener.Start();
        return listener;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
}
