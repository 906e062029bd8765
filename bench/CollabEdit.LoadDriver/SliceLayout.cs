namespace CollabEdit.LoadDriver;

/// <summary>Which part of a trace each client of a document replays.</summary>
internal enum SliceLayout
{
    /// <summary>
    /// Every client replays the trace from its beginning, in its own section: the document starts
    /// small and grows like one being written (the S2/S3 default, so string-based clients such as
    /// ShareDB's can be simulated 50 at a time on 2 cores).
    /// </summary>
    FromStart,

    /// <summary>
    /// Client k replays patches [k·n, (k+1)·n): different edits for every client, but each section
    /// starts with the trace's text at its slice, so the document starts large.
    /// </summary>
    Consecutive,
}
