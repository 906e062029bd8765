namespace CollabEdit.Server;

/// <summary>
/// Browser-facing safety: a Content-Security-Policy that allows only the app's own scripts and
/// the hub connection. (What is served at all is <see cref="BuiltAssetsFileProvider"/>'s decision.)
/// </summary>
internal static class WebAppSecurity
{
    // style-src needs 'unsafe-inline': CodeMirror themes itself with injected style rules.
    private const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
        "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static Task ApplyAsync(HttpContext context, Func<Task> next)
    {
        var path = context.Request.Path;

        // The API reference page (Scalar) brings its own inline scripts; the app's pages get the strict policy.
        if (!path.StartsWithSegments("/api/docs", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.ContentSecurityPolicy = Policy;
            context.Response.Headers.XContentTypeOptions = "nosniff";
        }

        // The app's own files are checked with the server (ETag) on every load, so a new build's
        // pages never run with an older build's scripts from the browser's cache.
        if (!path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) && !path.StartsWithSegments("/hubs", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.CacheControl = "no-cache";
        }

        return next();
    }
}
