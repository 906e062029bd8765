using CollabEdit.Protocol;
using CollabEdit.Server.Access;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Hubs;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CollabEdit.Server.Api;

/// <summary>
/// Refuses state-changing REST calls (anything but GET, HEAD, OPTIONS under <c>/api</c>) that a
/// browser sent on behalf of another site: the sign-in cookie goes with them (SameSite=Lax stops
/// it only on most cross-site requests, not on same-site ones from a sibling subdomain, nor in older
/// browsers). A browser says where a request comes from: <c>Sec-Fetch-Site</c> must be
/// <c>same-origin</c>, or, from browsers without it, <c>Origin</c> must be this server's (or one of
/// <c>CollabEdit:AllowedOrigins</c>). A request with neither is refused if it carries any cookie.
/// Requests with a bearer token are not checked: a browser never attaches one by itself.
/// </summary>
internal sealed class CrossSiteRequestCheck(IOptionsMonitor<ConnectionLimits> options)
{
    public Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || !request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            || AuthSchemes.HasBearerToken(request)
            || IsSameOrigin(request))
        {
            return next();
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status403Forbidden,
                Title = ErrorCodes.Forbidden,
                Detail = "Cross-site request refused: send it from this server's pages, or with a bearer token.",
            },
        }).AsTask();
    }

    private bool IsSameOrigin(HttpRequest request)
    {
        string? site = request.Headers["Sec-Fetch-Site"].FirstOrDefault();
        if (site is not null)
        {
            return site == "same-origin" || (site == "same-site" && HasAllowedOrigin(request));
        }

        if (request.Headers.ContainsKey(HeaderNames.Origin))
        {
            return HasAllowedOrigin(request);
        }

        // Neither header: not a browser of the last decade. Refused if it carries cookies (whose
        // session it could be riding on); a client with no cookie (curl signing in for a token) is let through.
        return request.Cookies.Count == 0;
    }

    private bool HasAllowedOrigin(HttpRequest request) =>
        request.Headers[HeaderNames.Origin] is [{ } origin] && OriginRules.IsAllowed(origin, request, options.CurrentValue.AllowedOrigins);
}
