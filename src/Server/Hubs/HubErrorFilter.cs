using CollabEdit.Protocol;
using CollabEdit.Server.Documents;
using Microsoft.AspNetCore.SignalR;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// Turns every failure of a hub method into a HubException whose message starts with an error
/// code. Nothing else (no stack trace, no internal message) reaches the client, and the
/// connection stays open. A refusal is the client's problem: it is logged at Debug, without a
/// stack trace and at most <see cref="RefusalsLoggedPerSecond"/> a second, so a flood of bad
/// calls cannot flood the log; only unexpected failures are errors. A singleton, so the log's
/// rate limit is the process's.
/// </summary>
internal sealed partial class HubErrorFilter(ILogger<HubErrorFilter> log, TimeProvider time) : IHubFilter
{
    private const int RefusalsLoggedPerSecond = 10;

    private readonly TokenBucket _refusalLog = new(RefusalsLoggedPerSecond, 2 * RefusalsLoggedPerSecond, time);
    private long _unlogged;

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (CollabException e)
        {
            Refused(context.HubMethodName, e.Code);
            throw new HubException($"{e.Code}: {e.Message}");
        }
        catch (HubException)
        {
            throw;
        }
        catch (SessionClosedException)
        {
            Refused(context.HubMethodName, ErrorCodes.NotFound);
            throw new HubException($"{ErrorCodes.NotFound}: the document was deleted.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogUnexpected(e, context.HubMethodName);
            throw new HubException($"{ErrorCodes.Unavailable}: an internal error occurred; retry later.");
        }
    }

    private void Refused(string method, string code)
    {
        if (!log.IsEnabled(LogLevel.Debug))
        {
            return;
        }

        if (_refusalLog.TryTake())
        {
            LogRefused(method, code, Interlocked.Exchange(ref _unlogged, 0));
        }
        else
        {
            Interlocked.Increment(ref _unlogged);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused {Method}: {Code} ({Unlogged} more refusals since the last one logged)")]
    private partial void LogRefused(string method, string code, long unlogged);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hub method {Method} failed unexpectedly")]
    private partial void LogUnexpected(Exception exception, string method);
}
