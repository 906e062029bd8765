using Microsoft.AspNetCore.Authorization;

namespace CollabEdit.Server.Access;

/// <summary>The one place that decides whether someone may do something with a document: their role there, against the capability's least role.</summary>
internal sealed class DocumentAuthorizationHandler(DocumentAccess access) : AuthorizationHandler<CapabilityRequirement, DocumentResource>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, CapabilityRequirement requirement, DocumentResource resource)
    {
        if (access.RoleOf(context.User, resource.DocumentId, resource.LinkToken).Allows(requirement.Capability))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
