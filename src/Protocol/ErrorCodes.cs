namespace CollabEdit.Protocol;

/// <summary>
/// The closed set of error codes. A rejected hub call throws a HubException whose message starts
/// with one of these, then ": " and a human-readable reason.
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

    public static IReadOnlyList<string> All { get; } = [NotFound, InvalidOp, RevisionTooOld, TooLarge, Forbidden, RateLimited, Unavailable];
}
