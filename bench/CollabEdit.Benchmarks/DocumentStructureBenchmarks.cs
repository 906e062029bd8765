using BenchmarkDotNet.Attributes;
using CollabEdit.Ot;
using CollabEdit.Traces;

namespace CollabEdit.Benchmarks;

/// <summary>
/// Why <see cref="TextDocument"/> is a gap buffer: the same automerge-paper ops applied to the
/// gap buffer and to an immutable string (<see cref="TextOperation.Apply(string)"/>, one new
/// string per edit). The string copies the whole text on every edit, so replaying all 259,778
/// edits takes seconds; this compares the first <see cref="OpCount"/> ops instead.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet runs a generated subclass of every benchmark class.</remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class DocumentStructureBenchmarks
{
    private string _startContent = "";
    private TextOperation[] _ops = [];

    /// <summary>How many ops, from the start of the trace, are replayed.</summary>
    [Params(20_000)]
    public int OpCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var trace = EditingTrace.Load("automerge-paper");
        _startContent = trace.StartContent;
        _ops = [.. trace.ToOperations().Take(OpCount)];
        if (_ops.Length != OpCount)
        {
            throw new InvalidOperationException($"{trace.Name} has {_ops.Length} ops, fewer than {OpCount}.");
        }

        // Both structures must end at the same text, or the comparison means nothing.
        string gapBuffer = GapBuffer().ToString();
        string immutable = ImmutableString();
        if (gapBuffer != immutable)
        {
            throw new InvalidOperationException(
                $"After {OpCount} ops the gap buffer holds {gapBuffer.Length} code units and the string {immutable.Length}; they differ.");
        }
    }

    [Benchmark(Baseline = true)]
    public TextDocument GapBuffer()
    {
        var document = new TextDocument(_startContent);
        foreach (var op in _ops)
        {
            document.Apply(op);
        }

        return document;
    }

    [Benchmark]
    public string ImmutableString()
    {
        string text = _startContent;
        foreach (var op in _ops)
        {
            text = op.Apply(text);
        }

        return text;
    }
}
