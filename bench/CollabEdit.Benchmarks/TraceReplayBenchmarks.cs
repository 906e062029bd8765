using BenchmarkDotNet.Attributes;
using CollabEdit.Ot;
using CollabEdit.Traces;

namespace CollabEdit.Benchmarks;

/// <summary>
/// Replays the whole automerge-paper trace (259,778 one-character edits) as pre-built
/// <see cref="TextOperation"/>s on a fresh <see cref="TextDocument"/>: the server's per-edit
/// apply cost, without transport or storage. Target: 30 ms or less.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet runs a generated subclass of every benchmark class.</remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class TraceReplayBenchmarks
{
    private string _startContent = "";
    private TextOperation[] _ops = [];

    [GlobalSetup]
    public void Setup()
    {
        var trace = EditingTrace.Load("automerge-paper");
        _startContent = trace.StartContent;
        _ops = [.. trace.ToOperations()];

        // Check once, untimed, that the measured work is the right work.
        string replayed = ReplayAutomergePaper().ToString();
        if (replayed != trace.EndContent)
        {
            throw new InvalidOperationException(
                $"Replaying {_ops.Length} ops of {trace.Name} gave {replayed.Length} code units, not the trace's end content ({trace.EndContent.Length}).");
        }
    }

    [Benchmark]
    public TextDocument ReplayAutomergePaper()
    {
        var document = new TextDocument(_startContent);
        foreach (var op in _ops)
        {
            document.Apply(op);
        }

        return document;
    }
}
