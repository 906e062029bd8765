using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using CollabEdit.Server.Configuration;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// Refuses hub requests (the WebSocket upgrade, negotiation) sent by a page of another site: a
/// browser attaches cookies and reaches loopback or intranet servers on any page's behalf, and the
/// WebSocket handshake is exempt from CORS, so without this any page a user visits could edit
/// their documents. Allowed: no <c>Origin</c> header (non-browser clients such as the .NET client),
/// the server's own origin, and the origins listed in <c>CollabEdit:AllowedOrigins</c>.
/// </summary>
internal sealed class HubOriginCheck(IOptionsMonitor<ConnectionLimits> options)
{
    public Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        var origins = context.Request.Headers[HeaderNames.Origin];
        if (origins.Count == 0 || (origins.Count == 1 && IsAllowed(origins[0]!, context.Request)))
        {
            return next();
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    private bool IsAllowed(string origin, HttpRequest request)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return false; // "null" (sandboxed frames, file: pages) and anything that is not a web origin.
        }

        return IsSameHost(uri, request.Host)
            || options.CurrentValue.AllowedOrigins.Any(allowed =>
                Uri.TryCreate(allowed, UriKind.Absolute, out var listed)
                && string.Equals(listed.GetLeftPart(UriPartial.Authority), uri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The page came from the host this request was sent to. The scheme is not compared: behind a
    /// proxy that terminates TLS the page is https while the request reaching the server is http.
    /// </summary>
    private static bool IsSameHost(Uri origin, HostString host)
    {
        // Both are in the form a browser writes them: IPv6 in brackets, international names in punycode.
        if (!host.HasValue || !string.Equals(origin.Host, host.Host, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // A Host without a port came through the default port of the page's scheme.
        return host.Port is { } port ? origin.Port == port : origin.IsDefaultPort;
    }
}
