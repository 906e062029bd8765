using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using CollabEdit.Ot;
using CollabEdit.Ot.Sync;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Diagnostics;
using CollabEdit.Server.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CollabEdit.Benchmarks;

/// <summary>
/// The storage side of scenario S4: one durable append of one op to each of 1,000 documents at
/// once (the writer groups them into transactions, the journal syncs them), on a real LiteDB file
/// and journal in the temp folder. Per operation = per append; the allocations include the
/// store's writer and syncer threads.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet runs a generated subclass of every benchmark class.</remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class StoreAppendBenchmarks
{
    private const int Documents = 1000;

    private readonly string[] _ids = [.. Enumerable.Range(0, Documents).Select(i => $"{i:x16}")];
    private readonly int[] _lengths = new int[Documents];
    private readonly DateTimeOffset _now = DateTimeOffset.UnixEpoch.AddYears(56);
    private ServiceProvider? _services;
    private DocumentStore? _store;
    private string _directory = "";
    private int _revision;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "collabedit-bench-" + Guid.NewGuid().ToString("N"));
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _store = new DocumentStore(
            DataDirectoryLock.Acquire(_directory),
            _directory,
            new NoFaults(),
            new CollabEditMetrics(_services.GetRequiredService<IMeterFactory>()),
            NullLogger<DocumentStore>.Instance,
            StorageOptions.DefaultCheckpointBytes);
        Task.WhenAll(_ids.Select(id => _store.CreateDocumentAsync(new StoredDocument(id, "bench", 0, _now, _now), ""))).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        _services?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Documents)]
    public async Task AppendOneOpToEachOf1000Documents()
    {
        var store = _store!;
        int revision = ++_revision;
        var appends = new Task[Documents];
        for (int d = 0; d < Documents; d++)
        {
            var op = TextOperation.Splice(_lengths[d], _lengths[d], 0, "x");
            _lengths[d]++;
            var stored = new StoredOp(_ids[d], new CommittedOp(revision, op, "client", revision, revision - 1, op), "bench", "peer", _now);
            appends[d] = store.AppendAsync(_ids[d], [stored], null);
        }

        await Task.WhenAll(appends);
    }

    private sealed class NoFaults : IWriteFaultInjector
    {
        public void BeforeCommit()
        {
        }
    }
}
