using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using CollabEdit.Ot;
using CollabEdit.Traces;

namespace CollabEdit.Benchmarks;

/// <summary>
/// The whole automerge-paper trace replayed on an immutable string
/// (<see cref="TextOperation.Apply(string)"/>, one new string per edit): the full-size
/// counterpart of <see cref="TraceReplayBenchmarks"/>. One replay takes seconds, so this runs a
/// few single-invocation iterations instead of the usual job.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet runs a generated subclass of every benchmark class.</remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 3)]
public class ImmutableStringReplayBenchmarks
{
    private string _startContent = "";
    private string _endContent = "";
    private TextOperation[] _ops = [];
    private string? _last;

    [GlobalSetup]
    public void Setup()
    {
        var trace = EditingTrace.Load("automerge-paper");
        _startContent = trace.StartContent;
        _endContent = trace.EndContent;
        _ops = [.. trace.ToOperations()];
    }

    [Benchmark]
    public string ReplayAutomergePaper()
    {
        string text = _startContent;
        foreach (var op in _ops)
        {
            text = op.Apply(text);
        }

        // Kept for the check in Cleanup: an extra untimed replay here would cost seconds more.
        _last = text;
        return text;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_last is not null && _last != _endContent)
        {
            throw new InvalidOperationException(
                $"Replaying {_ops.Length} ops on a string gave {_last.Length} code units, not the trace's end content ({_endContent.Length}).");
        }
    }
}
