using Microsoft.AspNetCore.SignalR;
using Microsoft.Net.Http.Headers;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// Empties the hub when the process stops (docs/design.md, "Stopping"). From the moment the host
/// signals <see cref="IHostApplicationLifetime.ApplicationStopping"/>, a new hub request is
/// refused (503, the connection closed) and every connected client is dropped, so clients go to
/// another process at once and the web server has no WebSocket left to wait for. Without this a
/// client that reconnected between the signal and the listening socket's close held the process
/// until the host's shutdown timeout.
/// </summary>
internal sealed partial class HubDrain
{
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ConnectionOutboxes _outboxes;
    private readonly ILogger<HubDrain> _log;

    public HubDrain(IHostApplicationLifetime lifetime, ConnectionOutboxes outboxes, ILogger<HubDrain> log)
    {
        _lifetime = lifetime;
        _outboxes = outboxes;
        _log = log;
        lifetime.ApplicationStopping.Register(DropAll);
    }

    public bool Stopping => _lifetime.ApplicationStopping.IsCancellationRequested;

    /// <summary>Middleware for hub requests: refused once stopping.</summary>
    public Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (!Stopping)
        {
            return next();
        }

        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers[HeaderNames.RetryAfter] = "1";
        context.Response.Headers[HeaderNames.Connection] = "close";
        return Task.CompletedTask;
    }

    /// <summary>
    /// A connection that passed <see cref="InvokeAsync"/> just before the signal, and was added
    /// after <see cref="DropAll"/> ran, is dropped here as it connects.
    /// </summary>
    public void OnConnected(HubConnectionContext connection)
    {
        if (Stopping)
        {
            connection.Abort();
        }
    }

    private void DropAll()
    {
        int dropped = _outboxes.AbortAll();
        LogDropped(dropped);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: new hub connections are refused, and {Count} connected clients were dropped (they reconnect elsewhere)")]
    private partial void LogDropped(int count);
}
