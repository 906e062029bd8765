using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using CollabEdit.Protocol;
using CollabEdit.Server.Access;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Hubs;
using Microsoft.AspNetCore.RateLimiting;

namespace CollabEdit.Server.Api;

/// <summary>
/// Rate limits of the REST API per client address (ASP.NET Core's rate-limiting middleware):
/// every request under <c>/api</c>, and document creation on its own, since each created document
/// stays on disk; sign-in and sign-up per address (password guessing, account farming); and every
/// state-changing call per account as well as per address, so one account cannot flood the server
/// from many addresses. A refused request gets 429 with a problem detail and Retry-After, and changes nothing.
/// </summary>
public static class ApiRateLimits
{
    /// <summary>The policy of <c>POST /api/documents</c>.</summary>
    public const string CreateDocument = "create-document";

    public static IServiceCollection AddApiRateLimits(this IServiceCollection services, RequestLimits options, AuthOptions auth)
    {
        var perRequest = CallRateLimitFilter.Bucket(options.RequestsPerSecondPerAddress, options.RequestBurstPerAddress);
        var perCreate = CallRateLimitFilter.Bucket(options.DocumentCreatesPerSecondPerAddress, options.DocumentCreateBurstPerAddress);
        var perChange = CallRateLimitFilter.Bucket(auth.ChangesPerSecondPerAccount, 2 * auth.ChangesPerSecondPerAccount);
        var perSignIn = new TokenBucketRateLimiterOptions
        {
            TokenLimit = auth.SignInsPerMinutePerAddress,
            TokensPerPeriod = auth.SignInsPerMinutePerAddress,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        return services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, IPAddress>(http =>
                    http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
                        ? RateLimitPartition.GetTokenBucketLimiter(AddressOf(http), _ => perRequest)
                        : RateLimitPartition.GetNoLimiter(IPAddress.None)),
                PartitionedRateLimiter.Create<HttpContext, string>(http =>
                    IsChange(http) && DocumentAccess.AccountIdOf(http.User) is { } account
                        ? RateLimitPartition.GetTokenBucketLimiter(account, _ => perChange)
                        : RateLimitPartition.GetNoLimiter("")));
            limiter.AddPolicy(CreateDocument, http => RateLimitPartition.GetTokenBucketLimiter(AddressOf(http), _ => perCreate));
            limiter.AddPolicy(AccountApi.SignInPolicy, http => RateLimitPartition.GetTokenBucketLimiter(AddressOf(http), _ => perSignIn));
            limiter.OnRejected = RejectAsync;
        });
    }

    private static bool IsChange(HttpContext http) =>
        http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !HttpMethods.IsOptions(http.Request.Method);

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
