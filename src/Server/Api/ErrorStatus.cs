using CollabEdit.Protocol;

namespace CollabEdit.Server.Api;

/// <summary>The one mapping from an error code to the HTTP status the REST API answers it with.</summary>
internal static class ErrorStatus
{
    /// <summary>Seconds a client is told to wait before retrying an <c>unavailable</c> answer.</summary>
    public const int RetryAfterSeconds = 1;

    public static int Of(string code) => code switch
    {
        ErrorCodes.NotFound => StatusCodes.Status404NotFound,
        ErrorCodes.InvalidOp => StatusCodes.Status400BadRequest,
        ErrorCodes.RevisionTooOld => StatusCodes.Status409Conflict,
        ErrorCodes.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCodes.Forbidden => StatusCodes.Status403Forbidden,
        ErrorCodes.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorCodes.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorCodes.QuotaExceeded => StatusCodes.Status507InsufficientStorage,
        _ => StatusCodes.Status500InternalServerError,
    };
}
