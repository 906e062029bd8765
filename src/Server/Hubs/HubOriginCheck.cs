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
        if (origins.Count == 0 || (origins.Count == 1 && OriginRules.IsAllowed(origins[0]!, context.Request, options.CurrentValue.AllowedOrigins)))
        {
            return next();
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }
}
