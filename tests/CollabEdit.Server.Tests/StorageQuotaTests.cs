using CollabEdit.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests;

/// <summary>A document's stored history has a quota: beyond it submits are refused with quota-exceeded, also after a restart.</summary>
public sealed class StorageQuotaTests
{
    private static readonly Dictionary<string, string> Settings = new() { ["MaxDocumentStoredBytes"] = "100000" };

    [Fact]
    public async Task SubmitsBeyondTheQuota_AreRefusedWithQuotaExceeded_ChangeNothing_AndTheCountSurvivesARestart()
    {
        string dataPath = RunningServer.NewDataPath();
        string id, other;
        int revision;
        string text;
        await using (var server = await RunningServer.StartAsync(dataPath, Settings))
        {
            server.KeepData = true;
            id = await server.CreateDocumentAsync("q");
            other = await server.CreateDocumentAsync("other");
            var connection = await server.ConnectAsync();
            await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "Ann").WaitAsync(Timeouts.Call);

            // 1,000-character inserts until the quota refuses one.
            revision = 0;
            HubException? refused = null;
            for (long seq = 1; seq <= 100 && refused is null; seq++)
            {
                try
                {
                    revision = await SubmitAsync(connection, id, seq, revision, 1 + (1000 * revision));
                }
                catch (HubException e)
                {
                    refused = e;
                }
            }

            Assert.NotNull(refused);
            Assert.Equal(ErrorCodes.QuotaExceeded, ErrorCodes.Of(refused.Message));
            Assert.InRange(revision, 5, 99); // estimated from above: each insert counted twice (as committed and as sent), 3 bytes a unit
            var details = await server.GetDocumentAsync(id);
            Assert.Equal(revision, details.Revision);
            text = details.Text;

            // Other documents are not affected.
            await connection.InvokeAsync<OpenResult>(HubMessages.Open, other, "Ann").WaitAsync(Timeouts.Call);
            Assert.Equal(1, await SubmitAsync(connection, other, 1, 0, "other".Length));
        }

        await using var restarted = await RunningServer.StartAsync(dataPath, Settings);
        var again = await restarted.ConnectAsync();
        await again.InvokeAsync<OpenResult>(HubMessages.Open, id, "Ann").WaitAsync(Timeouts.Call);
        var stillRefused = await Assert.ThrowsAsync<HubException>(() => SubmitAsync(again, id, 1000, revision, text.Length));
        Assert.Equal(ErrorCodes.QuotaExceeded, ErrorCodes.Of(stillRefused.Message));
        Assert.Equal(text, (await restarted.GetDocumentAsync(id)).Text);
    }

    private static async Task<int> SubmitAsync(HubConnection connection, string id, long seq, int baseRevision, int length) =>
        (await connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "client-q", seq, baseRevision, new object[] { length, new string('x', 1000) })
            .WaitAsync(Timeouts.Call)).Revision;
}
