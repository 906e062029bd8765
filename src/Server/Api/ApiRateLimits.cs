using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using CollabEdit.Protocol;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Hubs;
using Microsoft.AspNetCore.RateLimiting;

namespace CollabEdit.Server.Api;

/// <summary>
/// Rate limits of the REST API per client address (ASP.NET Core's rate-limiting middleware):
/// every request under <c>/api</c>, and document creation on its own, since each created document
/// stays on disk. A refused request gets 429 with a problem detail and Retry-After, and changes nothing.
/// </summary>
public static class ApiRateLimits
{
    /// <summary>The policy of <c>POST /api/documents</c>.</summary>
    public const string CreateDocument = "create-document";

    public static IServiceCollection AddApiRateLimits(this IServiceCollection services, RequestLimits options)
    {
        var perRequest = CallRateLimitFilter.Bucket(options.RequestsPerSecondPerAddress, options.RequestBurstPerAddress);
        var perCreate = CallRateLimitFilter.Bucket(options.DocumentCreatesPerSecondPerAddress, options.DocumentCreateBurstPerAddress);
        return services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, IPAddress>(http =>
                http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
                    ? RateLimitPartition.GetTokenBucketLimiter(AddressOf(http), _ => perRequest)
                    : RateLimitPartition.GetNoLimiter(IPAddress.None));
            limiter.AddPolicy(CreateDocument, http => RateLimitPartition.GetTokenBucketLimiter(AddressOf(http), _ => perCreate));
            limiter.OnRejected = RejectAsync;
        });
    }

    private static IPAddress AddressOf(HttpContext http) => http.Connection.RemoteIpAddress ?? IPAddress.None;

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = ErrorCodes.RateLimited,
                Detail = "Too many requests from this address; retry later.",
            },
        }).ConfigureAwait(false);
    }
}
