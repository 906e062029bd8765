namespace CollabEdit.Client;

/// <summary>A position in a <see cref="CollabDocument"/>'s local text, moved by every edit (see <see cref="CollabDocument.CreateAnchor"/>).</summary>
public sealed class TextAnchor
{
    internal TextAnchor(int index) => Index = index;

    /// <summary>The position now; read it inside <see cref="CollabDocument.EditByLength"/> to act on it.</summary>
    public int Index { get; internal set; }
}
