using System.Reflection;
using CollabEdit.Protocol;
using CollabEdit.Server.Access;
using CollabEdit.Server.Documents;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// Checks every hub call against its method's <see cref="RequiresCapabilityAttribute"/> through the
/// one authorizer (<see cref="IAuthorizationService"/>) before the method runs; a method with no
/// rule is refused. A document the caller may not view answers exactly as a missing one
/// (<c>not-found</c>); one they may view but not act on, <c>forbidden</c>. Decisions are cached per
/// connection and document until that document's access changes (<see cref="DocumentAccess.VersionOf"/>).
/// A connection whose session has ended (signed out, a password changed) is refused and closed.
/// </summary>
internal sealed class HubAuthorizationFilter(IAuthorizationService authorization, DocumentAccess access, AccountSessions sessions) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (context.Context.Items[typeof(ConnectionState)] is ConnectionState caller && !sessions.Holds(caller.User))
        {
            context.Context.Abort();
            throw new CollabException(ErrorCodes.Forbidden, "Your session has ended (signed out); sign in again.");
        }

        var rule = context.HubMethod.GetCustomAttribute<RequiresCapabilityAttribute>();
        if (rule is null)
        {
            if (context.HubMethod.IsDefined(typeof(NoDocumentCapabilityAttribute)))
            {
                return await next(context).ConfigureAwait(false);
            }

            throw new CollabException(ErrorCodes.Forbidden, $"{context.HubMethodName} has no access rule.");
        }

        // A malformed id is answered by the method's own validation (not-found, like any unknown id).
        if (context.HubMethodArguments is [string documentId, ..] && DocumentIds.IsValid(documentId)
            && context.Context.Items[typeof(ConnectionState)] is ConnectionState state
            && !await IsAllowedAsync(state, documentId, rule.Capability).ConfigureAwait(false))
        {
            throw rule.Capability != Capability.View && await IsAllowedAsync(state, documentId, Capability.View).ConfigureAwait(false)
                ? new CollabException(ErrorCodes.Forbidden, $"Your role on document {documentId} does not allow {context.HubMethodName}.")
                : new CollabException(ErrorCodes.NotFound, $"No document {documentId}.");
        }

        return await next(context).ConfigureAwait(false);
    }

    private async ValueTask<bool> IsAllowedAsync(ConnectionState state, string documentId, Capability capability)
    {
        long version = access.VersionOf(documentId);
        if (state.Decision(documentId, capability, version) is { } cached)
        {
            return cached;
        }

        var result = await authorization.AuthorizeAsync(state.User, new DocumentResource(documentId, state.LinkToken), CapabilityRequirement.For(capability)).ConfigureAwait(false);
        state.Remember(documentId, capability, version, result.Succeeded);
        return result.Succeeded;
    }
}
