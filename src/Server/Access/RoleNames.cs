namespace CollabEdit.Server.Access;

/// <summary>Roles as the wire and the REST API spell them.</summary>
public static class RoleNames
{
    public const string Owner = "owner";
    public const string Editor = "editor";
    public const string Viewer = "viewer";

    public static string Of(DocumentRole role) => role switch
    {
        DocumentRole.Owner => Owner,
        DocumentRole.Editor => Editor,
        DocumentRole.Viewer => Viewer,
        _ => "none",
    };

    /// <summary>A role another account or a link may be given: editor or viewer; null for anything else.</summary>
    public static DocumentRole? Grantable(string? name) => name switch
    {
        Editor => DocumentRole.Editor,
        Viewer => DocumentRole.Viewer,
        _ => null,
    };
}
