using CollabEdit.Protocol;
using CollabEdit.Server.Hubs;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Server.Tests;

/// <summary>
/// A client that reads slower than its document changes must not make the server hold its
/// backlog: past a bound in bytes it is cut (it reconnects and catches up), while the writer goes on.
/// </summary>
public sealed class SlowReaderTests
{
    private const int MaxPending = 256 * 1024;
    private const int InsertLength = 100_000;
    private const int Rounds = 150; // 150 inserts of 100 KB (each deleted again): 15 MB the slow reader is sent.

    [Fact]
    public async Task SlowReader_InABusyDocument_IsCutWithBoundedPendingBytesWhileTheWriterGoesOn()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["MaxPendingBytesPerConnection"] = $"{MaxPending}",

            // The writer adds history far faster than a document may for long; here that is the point.
            ["DocumentWriteBytesPerSecond"] = $"{int.MaxValue}",
            ["DocumentWriteBurstBytes"] = $"{int.MaxValue}",
        });
        string id = await server.CreateDocumentAsync();
        using var slow = await RawHubClient.ConnectAsync(server);
        await slow.SendAsync($$"""{"type":1,"invocationId":"1","target":"Open","arguments":["{{id}}","slow"]}""");
        await slow.ReadUntilAsync("\"invocationId\":\"1\"");
        var writer = await server.ConnectAsync();
        await writer.InvokeAsync<OpenResult>(HubMessages.Open, id, "writer").WaitAsync(Timeouts.Call);

        // The slow client keeps reading (about 80 KB/s) and pinging, so nothing times it out; it only falls behind.
        using var stopReading = new CancellationTokenSource();
        var reading = slow.ReadSlowlyAsync(TimeSpan.FromMilliseconds(50), stopReading.Token);
        string text = new('x', InsertLength);
        for (int round = 0; round < Rounds; round++)
        {
            await SubmitAsync(writer, id, (2 * round) + 1, [text]);
            await SubmitAsync(writer, id, (2 * round) + 2, [-InsertLength]);
        }

        await stopReading.CancelAsync();
        await reading.WaitAsync(Timeouts.Converge);
        bool closedByServer = await slow.ReadUntilClosedAsync(Timeouts.Converge);

        Assert.True(closedByServer, "the slow reader was never cut");
        var outboxes = server.App.Services.GetRequiredService<ConnectionOutboxes>();
        await Eventually.TrueAsync(() => outboxes.Count == 1, "only the writer is connected");
        Assert.InRange(outboxes.PeakPendingBytes, 1, MaxPending + InsertLength + 1024);
        Assert.Equal(2 * Rounds, (await server.GetDocumentAsync(id)).Revision);
    }

    [Fact]
    public async Task PresenceFlood_ToABackedUpReader_IsCoalescedToTheLatestPerPeer()
    {
        const int Updates = 1000;
        const int BigInsert = 500_000;
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxPendingBytesPerConnection"] = $"{64 * 1024 * 1024}" });
        string id = await server.CreateDocumentAsync();
        using var slow = await RawHubClient.ConnectAsync(server);
        await slow.SendAsync($$"""{"type":1,"invocationId":"1","target":"Open","arguments":["{{id}}","slow"]}""");
        await slow.ReadUntilAsync("\"invocationId\":\"1\"");
        var flooder = await server.ConnectAsync();
        await flooder.InvokeAsync<OpenResult>(HubMessages.Open, id, "flooder").WaitAsync(Timeouts.Call);

        // 4 MB of ops the slow reader does not read yet fill its socket, so what follows waits in the server.
        for (int seq = 1; seq <= 8; seq++)
        {
            object[] op = seq == 1 ? [new string('x', BigInsert)] : [(seq - 1) * BigInsert, new string('x', BigInsert)];
            await SubmitAsync(flooder, id, seq, op);
        }

        for (int anchor = 1; anchor < Updates; anchor++)
        {
            await flooder.SendAsync(HubMessages.SetPresence, id, new PresenceInput("flooder", null, anchor, anchor)).WaitAsync(Timeouts.Call);
        }

        await flooder.InvokeAsync(HubMessages.SetPresence, id, new PresenceInput("flooder", null, Updates, Updates)).WaitAsync(Timeouts.Call);
        var records = await slow.ReadRecordsUntilAsync(record => record.Contains("\"target\":\"Presence\"", StringComparison.Ordinal)
            && record.Contains($"\"anchor\":{Updates},", StringComparison.Ordinal)).WaitAsync(Timeouts.Converge);

        int presences = records.Count(record => record.Contains("\"target\":\"Presence\"", StringComparison.Ordinal));
        Assert.Equal(8, records.Count(record => record.Contains("\"target\":\"Op\"", StringComparison.Ordinal)));
        Assert.True(presences < Updates / 10, $"{presences} presence messages for {Updates} updates");
    }

    private static async Task SubmitAsync(HubConnection connection, string id, int seq, object[] op)
    {
        var ack = await connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "writer-client", (long)seq, seq - 1, op).WaitAsync(Timeouts.Call);
        Assert.Equal(seq, ack.Revision);
    }
}
