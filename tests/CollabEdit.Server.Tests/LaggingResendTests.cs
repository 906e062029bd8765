using CollabEdit.Protocol;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests;

/// <summary>
/// A client refused `unavailable` resends its op unchanged, with its old base revision; on a busy
/// document that base can fall behind the kept window (MaxRevisionLag) meanwhile. The resend is
/// transformed from the ops read from the log, and a retry of it is still recognised there.
/// </summary>
public sealed class LaggingResendTests
{
    private const int Lag = 8;

    [Fact]
    public async Task Resend_BasedBehindTheWindow_IsTransformedFromTheLog_AndItsRetryIsRecognised()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxRevisionLag"] = $"{Lag}" });
        string id = await server.CreateDocumentAsync("abc");
        var typist = await server.OpenAsync(id, "typist");
        var lagger = await server.ConnectAsync();
        await lagger.InvokeAsync<OpenResult>(HubMessages.Open, id, "lagger").WaitAsync(Timeouts.Call);

        // The lagger's op was made on revision 0 ("abc" → "abc!"); while it waited, the typist
        // committed far more than the window's worth in front of it.
        await TypeAsync(typist, 4 * Lag);

        var ack = await Submit(lagger, id, baseRevision: 0, [3, "!"]);

        Assert.Equal(4 * Lag + 1, ack);
        var afterResend = await server.GetDocumentAsync(id);
        Assert.EndsWith("abc!", afterResend.Text, StringComparison.Ordinal);

        // Its answer was lost; the window moves on again; the same resend is answered as a retry.
        await TypeAsync(typist, 4 * Lag);
        Assert.Equal(ack, await Submit(lagger, id, baseRevision: 0, [3, "!"]));

        var stored = await server.GetDocumentAsync(id);
        Assert.Equal(8 * Lag + 1, stored.Revision);
        Assert.Single(stored.Text, '!');
        await Eventually.TrueAsync(() => typist.Revision == stored.Revision, "the typist has every revision");
        Assert.Equal(stored.Text, typist.Text);
        Assert.Equal(stored.Text, Replay.Apply("abc", await server.GetAllHistoryAsync(id)));
    }

    /// <summary>Edits at the front, one commit each.</summary>
    private static async Task TypeAsync(CollabEdit.Client.CollabDocument typist, int edits)
    {
        for (int i = 0; i < edits; i++)
        {
            typist.Splice(0, 0, "t");
            await typist.WhenSynchronizedAsync().WaitAsync(Timeouts.Call);
        }
    }

    private static async Task<int> Submit(HubConnection connection, string id, int baseRevision, object[] op) =>
        (await connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "lagger-client", 1L, baseRevision, op).WaitAsync(Timeouts.Call)).Revision;
}
