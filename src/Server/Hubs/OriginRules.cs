namespace CollabEdit.Server.Hubs;

/// <summary>Whether a browser's <c>Origin</c> is this server's own or one configured in <c>CollabEdit:AllowedOrigins</c>.</summary>
internal static class OriginRules
{
    public static bool IsAllowed(string origin, HttpRequest request, IEnumerable<string> allowedOrigins)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return false; // "null" (sandboxed frames, file: pages) and anything that is not a web origin.
        }

        return IsSameHost(uri, request.Host)
            || allowedOrigins.Any(allowed =>
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
