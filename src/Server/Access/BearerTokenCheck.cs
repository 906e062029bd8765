using Microsoft.AspNetCore.Authentication.BearerToken;

namespace CollabEdit.Server.Access;

/// <summary>
/// Reads and checks a bearer token before Identity's bearer handler would: the token must unseal,
/// be unexpired, and belong to a session that still holds (<see cref="AccountSessions"/>), so a token
/// of a signed-out session is refused (401) on REST and on the hub alike. Identity's handler offers
/// no hook after it unseals a token, so this does its part and hands it the result.
/// </summary>
internal static class BearerTokenCheck
{
    public static Task ValidateAsync(MessageReceivedContext context)
    {
        if (TokenOf(context.Request) is not { } token)
        {
            return Task.CompletedTask;
        }

        var ticket = context.Options.BearerTokenProtector.Unprotect(token);
        var now = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        if (ticket?.Properties.ExpiresUtc is not { } expires || now >= expires)
        {
            context.Fail("The token is not valid or has expired.");
        }
        else if (!context.HttpContext.RequestServices.GetRequiredService<AccountSessions>().Holds(ticket.Principal))
        {
            context.Fail("The token's session has ended (signed out).");
        }
        else
        {
            context.Principal = ticket.Principal;
            context.Properties = ticket.Properties;
            context.Success();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// A request that presents a bearer token the check refused is answered 401, on REST and on the
    /// hub alike, rather than going on as a signed-out stranger: a client whose session ended is told so.
    /// </summary>
    public static async Task RefuseRejectedAsync(HttpContext http, Func<Task> next)
    {
        if (AuthSchemes.HasBearerToken(http.Request) && http.User.Identity?.IsAuthenticated != true)
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return;
        }

        await next().ConfigureAwait(false);
    }

    /// <summary>
    /// The Authorization header's token; on the hub (and only there) also the query string's, as a
    /// browser's WebSocket cannot send headers. Request lines are not logged (see CollabEditApp), so
    /// a query token is not written anywhere.
    /// </summary>
    private static string? TokenOf(HttpRequest request)
    {
        string? header = request.Headers.Authorization.FirstOrDefault(value => value?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true);
        if (header is not null)
        {
            return header["Bearer ".Length..].Trim();
        }

        return AuthSchemes.IsHubPath(request.Path) && request.Query[AuthSchemes.HubTokenParameter] is [{ Length: > 0 } token] ? token : null;
    }
}
