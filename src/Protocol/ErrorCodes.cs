namespace CollabEdit.Protocol;

/// <summary>
/// The closed set of error codes. A rejected hub call throws a HubException "code: reason".
/// SignalR delivers it to the caller wrapped, as
/// <c>An unexpected error occurred invoking 'Submit' on the server. HubException: invalid-op: …</c>
/// (it always prefixes a HubException's text), so clients read the code with <see cref="Of"/>.
/// </summary>
public static class ErrorCodes
{
    public const string NotFound = "not-found";
    public const string InvalidOp = "invalid-op";
    public const string RevisionTooOld = "revision-too-old";
    public const string TooLarge = "too-large";
    public const string Forbidden = "forbidden";
    public const string RateLimited = "rate-limited";
    public const string Unavailable = "unavailable";

    /// <summary>The document has stored as much history as it may (<c>MaxDocumentStoredBytes</c>); nothing was committed.</summary>
    public const string QuotaExceeded = "quota-exceeded";

    public static IReadOnlyList<string> All { get; } = [NotFound, InvalidOp, RevisionTooOld, TooLarge, Forbidden, RateLimited, Unavailable, QuotaExceeded];

    private const string SignalRPrefix = "HubException: ";

    /// <summary>The error code of a hub error message, bare or as SignalR wraps it; null if it carries none.</summary>
    public static string? Of(string? message)
    {
        if (message is null)
        {
            return null;
        }

        int wrapped = message.IndexOf(SignalRPrefix, StringComparison.Ordinal);
        string text = wrapped >= 0 ? message[(wrapped + SignalRPrefix.Length)..] : message;
        int colon = text.IndexOf(':', StringComparison.Ordinal);
        string code = colon > 0 ? text[..colon] : text;
        return All.Contains(code) ? code : null;
    }
}
