using Microsoft.AspNetCore.Identity;

namespace CollabEdit.Server.Access;

/// <summary>
/// The authentication schemes. Every request is authenticated by <see cref="Default"/>, which
/// forwards to the bearer-token scheme when the request carries a token and to the Identity cookie
/// otherwise; OpenID Connect later is one more cookie-issuing scheme beside them, nothing else.
/// </summary>
public static class AuthSchemes
{
    public const string Default = "CollabEdit";

    public static readonly string Cookie = IdentityConstants.ApplicationScheme;

    public static readonly string Bearer = IdentityConstants.BearerScheme;

    /// <summary>The query parameter that carries a bearer token on hub requests (a browser's WebSocket cannot send headers); accepted nowhere else.</summary>
    public const string HubTokenParameter = "access_token";

    public static bool IsHubPath(PathString path) => path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the request authenticates with a bearer token rather than the cookie.</summary>
    public static bool HasBearerToken(HttpRequest request) =>
        request.Headers.Authorization.Any(value => value?.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) == true)
        || (IsHubPath(request.Path) && request.Query.ContainsKey(HubTokenParameter));
}
