namespace CollabEdit.Server.Access;

/// <summary>
/// Marks a hub method (whose first argument is the document id) or a REST route (with an <c>{id}</c>
/// route value) as doing <see cref="Capability"/> with that document; the hub filter and the
/// endpoint filter check it before the method runs.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresCapabilityAttribute(Capability capability) : Attribute
{
    public Capability Capability { get; } = capability;
}
