namespace CollabEdit.Server.Access;

/// <summary>One thing a hub method or REST route does with a document; each needs a least role (<see cref="Capabilities.LeastRole"/>).</summary>
public enum Capability
{
    View,
    ViewHistory,
    Edit,
    Share,
    Delete,
}
