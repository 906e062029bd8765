namespace CollabEdit.Server.Access;

/// <summary>
/// Marks a hub method or REST route that touches no particular document's content, with the
/// reason: what it needs instead (an account, nothing), or why it reveals nothing. Anything
/// marked neither this nor <see cref="RequiresCapabilityAttribute"/> is refused (and fails the coverage test).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NoDocumentCapabilityAttribute(string reason) : Attribute
{
    public string Reason { get; } = reason;
}
