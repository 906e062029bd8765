using BenchmarkDotNet.Attributes;
using CollabEdit.Ot;

namespace CollabEdit.Benchmarks;

/// <summary>
/// <see cref="TextOperation.Transform"/> and <see cref="TextOperation.Compose"/> on a
/// 10,000-character document: the common case (two one-character edits, as two people typing)
/// and a heavy one (two 100-component ops, as a client's long buffered edit).
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet runs a generated subclass of every benchmark class.</remarks>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class AlgebraBenchmarks
{
    private const int DocumentLength = 10_000;
    private const int Components = 100;

    private string _text = "";

    // Concurrent pairs (same base) for Transform; sequential pairs (a's target is b's base) for Compose.
    private TextOperation _typeHere = TextOperation.Identity(0);
    private TextOperation _typeThere = TextOperation.Identity(0);
    private TextOperation _typeNext = TextOperation.Identity(0);
    private TextOperation _wideA = TextOperation.Identity(0);
    private TextOperation _wideB = TextOperation.Identity(0);
    private TextOperation _wideAfterA = TextOperation.Identity(0);

    [GlobalSetup]
    public void Setup()
    {
        _text = RandomOperations.Text(DocumentLength, seed: 1);

        // One user types "x" at 4,000 while another types "y" at 6,000; then the first types "z" after the "x".
        _typeHere = TextOperation.Splice(DocumentLength, 4_000, 0, "x");
        _typeThere = TextOperation.Splice(DocumentLength, 6_000, 0, "y");
        _typeNext = TextOperation.Splice(DocumentLength + 1, 4_001, 0, "z");

        _wideA = RandomOperations.Alternating(DocumentLength, Components, seed: 2);
        _wideB = RandomOperations.Alternating(DocumentLength, Components, seed: 3);
        _wideAfterA = RandomOperations.Alternating(_wideA.TargetLength, Components, seed: 4);

        // The inputs must be valid and the results lawful, or the figures measure an error path.
        CheckTransform(_typeHere, _typeThere);
        CheckTransform(_wideA, _wideB);
        CheckCompose(_typeHere, _typeNext);
        CheckCompose(_wideA, _wideAfterA);
    }

    [Benchmark]
    public (TextOperation, TextOperation) TransformOneCharacter() => TextOperation.Transform(_typeHere, _typeThere);

    [Benchmark]
    public TextOperation ComposeOneCharacter() => TextOperation.Compose(_typeHere, _typeNext);

    [Benchmark]
    public (TextOperation, TextOperation) Transform100Components() => TextOperation.Transform(_wideA, _wideB);

    [Benchmark]
    public TextOperation Compose100Components() => TextOperation.Compose(_wideA, _wideAfterA);

    private void CheckTransform(TextOperation a, TextOperation b)
    {
        var (aPrime, bPrime) = TextOperation.Transform(a, b);
        if (bPrime.Apply(a.Apply(_text)) != aPrime.Apply(b.Apply(_text)))
        {
            throw new InvalidOperationException($"Transform of {a.Components.Count}- and {b.Components.Count}-component ops does not converge (TP1).");
        }
    }

    private void CheckCompose(TextOperation a, TextOperation b)
    {
        if (TextOperation.Compose(a, b).Apply(_text) != b.Apply(a.Apply(_text)))
        {
            throw new InvalidOperationException($"Compose of {a.Components.Count}- and {b.Components.Count}-component ops differs from applying both.");
        }
    }
}
