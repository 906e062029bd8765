using CollabEdit.Ot;
using CollabEdit.Protocol;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests;

/// <summary>Connections that drop before their ack: the resubmitted (clientId, seq) is applied once.</summary>
public sealed class ReconnectTests
{
    [Fact]
    public async Task SubmitCommittedButAckLost_ResubmitOnNewConnection_IsAppliedOnceWithFirstRevision()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("abc");
        var first = await server.ConnectAsync();
        await first.InvokeAsync<OpenResult>(HubMessages.Open, id, "Ann").WaitAsync(Timeouts.Call);
        object[] op = [3, "!"];

        // The submit goes out; the connection dies before we read the ack.
        var firstAck = await first.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "client-a", 1L, 0, op).WaitAsync(Timeouts.Call);
        await first.StopAsync().WaitAsync(Timeouts.Call);

        var second = await server.ConnectAsync();
        await second.InvokeAsync<OpenResult>(HubMessages.Open, id, "Ann").WaitAsync(Timeouts.Call);
        var retry = await second.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "client-a", 1L, 0, op).WaitAsync(Timeouts.Call);

        Assert.Equal(firstAck.Revision, retry.Revision);
        var details = await server.GetDocumentAsync(id);
        Assert.Equal("abc!", details.Text);
        Assert.Equal(1, details.Revision);
    }

    [Fact]
    public async Task ResubmitAfterOthersCommitted_IsTransformedOnceAndCatchupReturnsWhatWasMissed()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("abc");
        var other = await server.OpenAsync(id, "Bob");
        var first = await server.ConnectAsync();
        await first.InvokeAsync<OpenResult>(HubMessages.Open, id, "Ann").WaitAsync(Timeouts.Call);
        await first.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "client-a", 1L, 0, new object[] { "A", 3 }).WaitAsync(Timeouts.Call);
        await first.StopAsync().WaitAsync(Timeouts.Call);

        // While Ann is away, Bob types twice (on the text with her "A": wait until he has it, it
        // comes to him as a broadcast, not in the answer to her submit).
        await Eventually.TrueAsync(() => other.Revision == 1, "Bob has Ann's op", Timeouts.Call);
        other.Edit(TextOperation.Splice(4, 4, 0, "B"));
        await other.WhenSynchronizedAsync().WaitAsync(Timeouts.Call);
        other.Edit(TextOperation.Splice(5, 5, 0, "C"));
        await other.WhenSynchronizedAsync().WaitAsync(Timeouts.Call);

        var second = await server.ConnectAsync();
        await second.InvokeAsync<OpenResult>(HubMessages.Open, id, "Ann").WaitAsync(Timeouts.Call);
        var retry = await second.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "client-a", 1L, 0, new object[] { "A", 3 }).WaitAsync(Timeouts.Call);
        var missed = await second.InvokeAsync<CommittedOpMessage[]>(HubMessages.Catchup, id, 1).WaitAsync(Timeouts.Call);

        Assert.Equal(1, retry.Revision);
        Assert.Equal([2, 3], missed.Select(m => m.Revision));
        Assert.All(missed, m => Assert.Equal(other.PeerId, m.PeerId));
        Assert.Equal("AabcBC", (await server.GetDocumentAsync(id)).Text);
    }

    [Fact]
    public async Task ClientDroppingMidStream_ReconnectsAndConverges_EachEditOnce()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("");
        var ann = await server.OpenAsync(id, "Ann");
        var bob = await server.OpenAsync(id, "Bob");
        var random = new Random(7);
        var typedByAnn = new System.Text.StringBuilder();
        string[] bobTypes = ["b", "xy", "😀", "é"]; // no character Ann uses

        for (int round = 0; round < 5; round++)
        {
            // Ann types a burst and her connection dies with edits in flight; Bob keeps typing.
            for (int i = 0; i < 20; i++)
            {
                string marker = $"A{round}.{i};";
                ann.Edit(text => TextOperation.Splice(text.Length, text.Length, 0, marker));
                typedByAnn.Append(marker);
                bob.Edit(text =>
                {
                    int position = random.Next(text.Length + 1);
                    if (position < text.Length && char.IsLowSurrogate(text[position]))
                    {
                        position--;
                    }

                    return TextOperation.Splice(text.Length, position, 0, bobTypes[random.Next(bobTypes.Length)]);
                });
            }

            var reconnected = await server.ConnectAsync();
            await ann.ReconnectAsync(reconnected).WaitAsync(Timeouts.Call);
        }

        await Eventually.SynchronizedAsync(ann, bob);
        var details = await server.GetDocumentAsync(id);
        await Eventually.AllAsync([ann, bob], d => d.Revision == details.Revision);

        Assert.Equal(details.Text, ann.Text);
        Assert.Equal(details.Text, bob.Text);

        // Without Bob's characters, exactly what Ann typed remains: each edit once, in order.
        Assert.Equal(typedByAnn.ToString(), string.Concat(details.Text.Where(c => "A0123456789.;".Contains(c))));
        Assert.Equal(details.Text, Replay.Apply("", await server.GetAllHistoryAsync(id)));
    }
}
