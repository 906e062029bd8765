using CollabEdit.Ot;
using CollabEdit.Traces;

namespace CollabEdit.LoadDriver;

/// <summary>Patches <c>[Start, Start + Count)</c> of a trace and the trace's text before <c>Start</c>, which they apply to.</summary>
internal sealed record TraceSlice(IReadOnlyList<TracePatch> Patches, int Start, int Count, string InitialText)
{
    /// <summary>
    /// <paramref name="slices"/> slices of <paramref name="count"/> patches each (fewer if the trace
    /// is shorter). <see cref="SliceLayout.FromStart"/>: all from the trace's first patch.
    /// <see cref="SliceLayout.Consecutive"/>: consecutive and disjoint while the trace is long
    /// enough, spread evenly and overlapping otherwise. Each starts from the trace's own text at
    /// its first patch.
    /// </summary>
    public static IReadOnlyList<TraceSlice> Plan(EditingTrace trace, int slices, int count, SliceLayout layout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slices, 1);
        TracePatch[] patches = [.. trace.Patches];
        count = Math.Clamp(count, 0, patches.Length);
        int stride = slices == 1 || layout == SliceLayout.FromStart ? 0 : Math.Min(count, (patches.Length - count) / (slices - 1));
        var starts = Enumerable.Range(0, slices).Select(k => k * stride).ToArray();

        // One replay of the trace, taking the text at each slice's start.
        var texts = new Dictionary<int, string>();
        var text = new TextDocument(trace.StartContent);
        int applied = 0;
        foreach (int start in starts.Distinct().Order())
        {
            for (; applied < start; applied++)
            {
                var patch = patches[applied];
                text.Apply(TextOperation.Splice(text.Length, patch.Position, patch.DeleteCount, patch.Insert));
            }

            texts[start] = text.ToString();
        }

        return [.. starts.Select(start => new TraceSlice(patches, start, count, texts[start]))];
    }
}
