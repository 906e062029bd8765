namespace CollabEdit.Server.Access;

/// <summary>The one table of which role each capability needs.</summary>
public static class Capabilities
{
    /// <summary>
    /// As in Google Docs: a viewer reads the text live but not its history (which holds text since
    /// deleted); sharing and deleting are the owner's alone.
    /// </summary>
    public static DocumentRole LeastRole(Capability capability) => capability switch
    {
        Capability.View => DocumentRole.Viewer,
        Capability.ViewHistory => DocumentRole.Editor,
        Capability.Edit => DocumentRole.Editor,
        Capability.Share => DocumentRole.Owner,
        Capability.Delete => DocumentRole.Owner,
        _ => throw new ArgumentOutOfRangeException(nameof(capability), capability, null),
    };

    public static bool Allows(this DocumentRole role, Capability capability) => role >= LeastRole(capability);
}
