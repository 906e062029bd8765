using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Scalar.AspNetCore;

namespace CollabEdit.Server.Api;

/// <summary>
/// The API reference page (Scalar) at <c>/api/docs</c>, with nothing from elsewhere: its script
/// bundle is embedded in Scalar.AspNetCore and served from here, and its default fonts, which come
/// from the vendor's CDN, are off (the page uses the system's). The vendor's buttons and toolbars
/// are hidden. It gets the app's protections, with a policy of its own only because Scalar starts
/// from one inline script, allowed by its hash rather than by 'unsafe-inline'.
/// </summary>
internal static partial class ApiReference
{
    public const string Path = "/api/docs";

    // style-src needs 'unsafe-inline': the reference injects its styles at run time, as CodeMirror does.
    private const string Policy =
        "default-src 'self'; script-src 'self'{0}; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
        "img-src 'self' data:; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder routes)
    {
        routes.MapScalarApiReference(Path, options => options
            .WithTitle("CollabEdit API")
            .WithFavicon("/favicon.svg")
            .DisableDefaultFonts()
            .HideClientButton()
            .HideDeveloperTools()
            .DisableAgent()
            .DisableMcp()
            .DisableTelemetry()
            // The sidebar's "Powered by Scalar" link has no switch of its own.
            .WithCustomCss("a[href*='scalar.com'] { display: none !important; }"));
        return routes;
    }

    /// <summary>Middleware: the reference's headers, the page's inline scripts allowed by hash.</summary>
    public static async Task ApplyHeadersAsync(HttpContext context, Func<Task> next)
    {
        var response = context.Response;
        if (!context.Request.Path.StartsWithSegments(Path, StringComparison.OrdinalIgnoreCase))
        {
            await next();
            return;
        }

        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = string.Format(System.Globalization.CultureInfo.InvariantCulture, Policy, "");

        // Its scripts and styles pass through; only the small HTML page is read, to hash its inline scripts.
        if (System.IO.Path.HasExtension(context.Request.Path.Value))
        {
            await next();
            return;
        }

        var body = response.Body;
        using var page = new MemoryStream();
        response.Body = page;
        try
        {
            await next();
        }
        finally
        {
            response.Body = body;
        }

        if (response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
        {
            string html = Encoding.UTF8.GetString(page.GetBuffer(), 0, (int)page.Length);
            string hashes = string.Concat(InlineScript().Matches(html).Select(m =>
                $" 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups["code"].Value)))}'"));
            response.Headers.ContentSecurityPolicy = string.Format(System.Globalization.CultureInfo.InvariantCulture, Policy, hashes);
        }

        page.Position = 0;
        await page.CopyToAsync(body, context.RequestAborted);
    }

    [GeneratedRegex(@"<script(?![^>]*\ssrc=)[^>]*>(?<code>.*?)</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}
