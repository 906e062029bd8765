using CollabEdit.Protocol;
using CollabEdit.Server.Access;
using CollabEdit.Server.Documents;
using Microsoft.AspNetCore.Authorization;

namespace CollabEdit.Server.Api;

/// <summary>
/// The REST API's half of the one authorizer: every route it is added to
/// (<see cref="CheckDocumentAccess"/>) runs only if its handler's <see cref="RequiresCapabilityAttribute"/>
/// allows the caller on the route's <c>{id}</c> document, or its handler is marked
/// <see cref="NoDocumentCapabilityAttribute"/>; a route marked neither is refused. A document the
/// caller may not view answers exactly like a missing one.
/// </summary>
public static class DocumentAccessFilter
{
    /// <summary>The request header that carries a share link's token (the page reads it from the URL fragment).</summary>
    public const string LinkHeader = "X-CollabEdit-Link";

    /// <summary>Adds the check to every route of <paramref name="builder"/>, and marks them as checked for the coverage test.</summary>
    public static TBuilder CheckDocumentAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            endpoint.Metadata.Add(DocumentAccessChecked.Instance);
            endpoint.FilterFactories.Add((_, next) => context => CheckAsync(context, next));
        });
        return builder;
    }

    private static async ValueTask<object?> CheckAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var metadata = http.GetEndpoint()?.Metadata;
        var rule = metadata?.GetMetadata<RequiresCapabilityAttribute>();
        if (rule is null)
        {
            return metadata?.GetMetadata<NoDocumentCapabilityAttribute>() is not null
                ? await next(context).ConfigureAwait(false)
                : Problem(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "This route has no access rule.");
        }

        // A malformed id is answered by the handler (400), like before; it names no document.
        if (http.Request.RouteValues["id"] is not string id || !DocumentIds.IsValid(id))
        {
            return await next(context).ConfigureAwait(false);
        }

        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        var resource = new DocumentResource(id, http.Request.Headers[LinkHeader].FirstOrDefault());
        if ((await authorization.AuthorizeAsync(http.User, resource, CapabilityRequirement.For(rule.Capability)).ConfigureAwait(false)).Succeeded)
        {
            return await next(context).ConfigureAwait(false);
        }

        bool visible = rule.Capability != Capability.View
            && (await authorization.AuthorizeAsync(http.User, resource, CapabilityRequirement.For(Capability.View)).ConfigureAwait(false)).Succeeded;
        return visible
            ? Problem(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, $"Your role on document {id} does not allow this.")
            : NotFound(id);
    }

    /// <summary>Exactly what a missing document answers.</summary>
    public static IResult NotFound(string id) => Problem(ErrorStatus.Of(ErrorCodes.NotFound), ErrorCodes.NotFound, $"No document {id}.");

    private static IResult Problem(int status, string title, string detail) => TypedResults.Problem(detail: detail, statusCode: status, title: title);
}
