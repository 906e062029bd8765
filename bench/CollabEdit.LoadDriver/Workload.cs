using CollabEdit.Ot;

namespace CollabEdit.LoadDriver;

/// <summary>
/// What one client types into its own section of the document. Only that client edits the
/// section, so the workload's own copy of it (<see cref="ExpectedText"/>) is exactly what the
/// section must hold at the end.
/// </summary>
internal abstract class Workload
{
    private readonly TextDocument _section;

    protected Workload(string initialText)
    {
        InitialText = initialText;
        _section = new TextDocument(initialText);
    }

    /// <summary>The section's text when the document is created.</summary>
    public string InitialText { get; }

    /// <summary>The section's text after every edit made so far.</summary>
    public string ExpectedText => _section.ToString();

    public int SectionLength => _section.Length;

    /// <summary>Edits made so far.</summary>
    public int Made { get; private set; }

    /// <summary>False once a bounded workload (a trace slice) has no edit left.</summary>
    public abstract bool HasNext { get; }

    /// <summary>The next edit, already applied to <see cref="ExpectedText"/>.</summary>
    public SectionEdit Next()
    {
        var edit = Choose();
        _section.Apply(TextOperation.Splice(_section.Length, edit.Position, edit.DeleteCount, edit.Insert));
        Made++;
        return edit;
    }

    protected abstract SectionEdit Choose();
}
