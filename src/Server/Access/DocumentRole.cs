namespace CollabEdit.Server.Access;

/// <summary>What someone may do with one document, each role including the ones below it.</summary>
public enum DocumentRole
{
    /// <summary>May not know the document exists.</summary>
    None = 0,

    /// <summary>Reads the text and sees every edit live.</summary>
    Viewer = 1,

    /// <summary>Also edits, reads the history, restores, names versions and renames.</summary>
    Editor = 2,

    /// <summary>Also shares, changes access, reads the audit log and deletes. Never granted by a link.</summary>
    Owner = 3,
}
