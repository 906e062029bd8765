using CollabEdit.Protocol;
using CollabEdit.Server.Documents;
using Microsoft.AspNetCore.SignalR;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// Turns every failure of a hub method into a HubException whose message starts with an error
/// code. Nothing else (no stack trace, no internal message) reaches the client, and the
/// connection stays open.
/// </summary>
internal sealed partial class HubErrorFilter(ILogger<HubErrorFilter> log) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (CollabException e)
        {
            throw new HubException($"{e.Code}: {e.Message}");
        }
        catch (HubException)
        {
            throw;
        }
        catch (SessionClosedException)
        {
            throw new HubException($"{ErrorCodes.NotFound}: the document was deleted.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogUnexpected(e, context.HubMethodName);
            throw new HubException($"{ErrorCodes.Unavailable}: an internal error occurred; retry later.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Hub method {Method} failed unexpectedly")]
    private partial void LogUnexpected(Exception exception, string method);
}
