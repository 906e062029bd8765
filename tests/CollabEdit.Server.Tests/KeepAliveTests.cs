using CollabEdit.Protocol;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests;

/// <summary>The server pings idle connections often enough for the browser client's 6 s server timeout.</summary>
public sealed class KeepAliveTests
{
    [Fact]
    public async Task IdleConnection_WithTheBrowsersServerTimeout_StaysConnected()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("idle");
        var connection = await server.ConnectAsync();
        Exception? closedWith = null;
        bool closed = false;
        connection.ServerTimeout = TimeSpan.FromSeconds(6); // as wwwroot/js/connection.js
        connection.Closed += e =>
        {
            closed = true;
            closedWith = e;
            return Task.CompletedTask;
        };
        await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "Idle").WaitAsync(Timeouts.Call);

        await Task.Delay(TimeSpan.FromSeconds(9)); // nothing sent either way but pings

        Assert.False(closed, $"the connection closed: {closedWith?.Message}");
        Assert.Equal(HubConnectionState.Connected, connection.State);
    }
}
