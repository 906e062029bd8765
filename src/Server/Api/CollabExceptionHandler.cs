using CollabEdit.Protocol;
using CollabEdit.Server.Documents;
using CollabEdit.Server.Storage;
using Microsoft.AspNetCore.Diagnostics;

namespace CollabEdit.Server.Api;

/// <summary>
/// Answers a request that failed with an error code as a problem detail whose status comes from
/// <see cref="ErrorStatus"/> and whose title is the code: a refusal from a session, or a write
/// storage could not make durable or a database that cannot be reached (<c>unavailable</c>, 503
/// with Retry-After). Anything else is
/// left to the default handler (500, no detail).
/// </summary>
internal sealed class CollabExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (code, detail) = exception switch
        {
            CollabException e => (e.Code, e.Message),
            StorageUnavailableException => (ErrorCodes.Unavailable, "Storage is unavailable; nothing was changed. Retry later."),
            SessionClosedException => (ErrorCodes.Unavailable, "The document was being unloaded; retry."),
            // The database cannot be reached (PostgreSQL restarting): even a sign-in check fails, and
            // says so as a 503, not as a server error.
            Npgsql.NpgsqlException { IsTransient: true } => (ErrorCodes.Unavailable, "The database is unavailable; nothing was changed. Retry later."),
            _ => (null, null),
        };
        if (code is null)
        {
            return false;
        }

        int status = ErrorStatus.Of(code);
        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = ErrorStatus.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = code, Detail = detail },
        }).ConfigureAwait(false);
    }
}
