using CollabEdit.Traces;

namespace CollabEdit.LoadDriver;

/// <summary>Replays patches <c>[start, start + count)</c> of a trace, one patch per edit, on the trace's text as it was before <c>start</c>.</summary>
internal sealed class TraceSliceWorkload(TraceSlice slice) : Workload(slice.InitialText)
{
    private int _next = slice.Start;

    public override bool HasNext => _next < slice.Start + slice.Count;

    protected override SectionEdit Choose()
    {
        TracePatch patch = slice.Patches[_next++];
        return new SectionEdit(patch.Position, patch.DeleteCount, patch.Insert);
    }
}
