using Microsoft.AspNetCore.Authentication.Cookies;

namespace CollabEdit.Server.Access;

/// <summary>
/// Names the sign-in cookie <c>__Host-…</c> on HTTPS requests, where the browser then guarantees it
/// was set by this host, over HTTPS, for the whole site; on plain HTTP (<c>dotnet run</c> on
/// localhost) browsers refuse that prefix, so the bare name is used.
/// </summary>
internal sealed class HostPrefixCookieManager : ICookieManager
{
    private const string Prefix = "__Host-";
    private readonly ChunkingCookieManager _inner = new();

    public string? GetRequestCookie(HttpContext context, string key) => _inner.GetRequestCookie(context, Name(context, key));

    public void AppendResponseCookie(HttpContext context, string key, string? value, CookieOptions options) =>
        _inner.AppendResponseCookie(context, Name(context, key), value, Adjust(context, options));

    public void DeleteCookie(HttpContext context, string key, CookieOptions options) =>
        _inner.DeleteCookie(context, Name(context, key), Adjust(context, options));

    private static string Name(HttpContext context, string key) => context.Request.IsHttps ? Prefix + key : key;

    private static CookieOptions Adjust(HttpContext context, CookieOptions options)
    {
        if (context.Request.IsHttps)
        {
            // What the prefix requires: Secure, Path=/, no Domain.
            options.Secure = true;
            options.Path = "/";
            options.Domain = null;
        }

        return options;
    }
}
