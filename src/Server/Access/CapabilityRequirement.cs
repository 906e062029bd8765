using Microsoft.AspNetCore.Authorization;

namespace CollabEdit.Server.Access;

/// <summary>The authorization requirement "may do <see cref="Capability"/> with this document" (the resource is a <see cref="DocumentResource"/>).</summary>
public sealed class CapabilityRequirement : IAuthorizationRequirement
{
    private static readonly CapabilityRequirement[] All = [.. Enum.GetValues<Capability>().Select(c => new CapabilityRequirement(c))];

    private CapabilityRequirement(Capability capability) => Capability = capability;

    public Capability Capability { get; }

    public static CapabilityRequirement For(Capability capability) => All[(int)capability];
}
