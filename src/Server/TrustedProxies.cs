using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server;

/// <summary>
/// Whose <c>X-Forwarded-For</c> the server believes. By default nobody's: the per-address limits
/// use the socket's peer, so a client cannot pick its own address by sending the header. With
/// <c>CollabEdit:KnownProxies</c> set (the reverse proxies' addresses), a request from one of them
/// is counted under the client address it forwards.
/// </summary>
internal static class TrustedProxies
{
    public const string Key = "CollabEdit:KnownProxies";

    /// <summary>The configured proxies; empty when none. Throws <see cref="OptionsValidationException"/> for an entry that is not an IP address.</summary>
    public static IReadOnlyList<IPAddress> Read(IConfiguration configuration)
    {
        var entries = configuration.GetSection(Key).Get<string[]>() ?? [];
        var addresses = new List<IPAddress>();
        foreach (string entry in entries)
        {
            if (!IPAddress.TryParse(entry, out var address))
            {
                throw new OptionsValidationException(Key, typeof(string[]), [$"{Key} holds \"{entry}\", which is not an IP address."]);
            }

            addresses.Add(address);
        }

        return addresses;
    }

    /// <summary>Rewrites the peer address from <c>X-Forwarded-For</c> for requests from <paramref name="proxies"/> only; first in the pipeline, so that every limit sees it.</summary>
    public static void UseTrustedProxies(this WebApplication app, IReadOnlyList<IPAddress> proxies)
    {
        if (proxies.Count == 0)
        {
            return;
        }

        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor };
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var proxy in proxies)
        {
            options.KnownProxies.Add(proxy);
        }

        app.UseForwardedHeaders(options);
    }
}
