using System.Collections.Concurrent;
using CollabEdit.Protocol;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests.Cluster;

/// <summary>
/// People connected to different processes see each other as if they were on one: presence (with
/// the revision it was taken at), leaving, and the peers of a process that died, which time out.
/// </summary>
public sealed class PresenceAcrossProcessesTests
{
    private const string Initial = "presence across processes\n";

    [SkippableFact]
    public async Task SetPresence_OnOneProcess_ReachesAPeerOnTheOther_WithItsRevision_AndIsListedToLaterOpens()
    {
        await using var cluster = await PostgresCluster.StartAsync(processes: 2);
        string id = await cluster.CreateDocumentAsync(0, Initial);
        var ann = await cluster.ConnectAsync(cluster.Processes[0].BaseUri);
        var bob = await cluster.ConnectAsync(cluster.Processes[1].BaseUri);
        var seenByBob = RecordPresence(bob);
        var annOpened = await ann.InvokeAsync<OpenResult>(HubMessages.Open, id, "ann").WaitAsync(Timeouts.Call);
        await bob.InvokeAsync<OpenResult>(HubMessages.Open, id, "bob").WaitAsync(Timeouts.Call);

        // Ann types, then puts her caret after what she typed: at revision 1 of the shared order.
        var ack = await ann.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "ann-client", 1L, 0, new object[] { "Ann: ", Initial.Length }).WaitAsync(Timeouts.Call);
        await ann.InvokeAsync(HubMessages.SetPresence, id, new PresenceInput(null, "#1d4ed8", 5, 5, ack.Revision)).WaitAsync(Timeouts.Call);

        await Eventually.TrueAsync(() => seenByBob.Any(p => p.Presence.PeerId == annOpened.PeerId && p.Presence.Anchor == 5), "Bob, on the other process, sees Ann's caret", Timeouts.Converge);
        var (documentId, presence) = seenByBob.Last(p => p.Presence.PeerId == annOpened.PeerId);
        Assert.Equal(id, documentId);
        Assert.Equal(new PeerPresence(annOpened.PeerId, annOpened.Name, "#1d4ed8", 5, 5, ack.Revision), presence);

        // Someone opening the document on the other process later finds Ann among the peers.
        var carol = await cluster.ConnectAsync(cluster.Processes[1].BaseUri);
        var carolOpened = await carol.InvokeAsync<OpenResult>(HubMessages.Open, id, "carol").WaitAsync(Timeouts.Call);
        Assert.Contains(presence, carolOpened.Peers);
        Assert.Equal(carolOpened.Peers.Length, carolOpened.Peers.Select(p => p.PeerId).Distinct().Count());
        await Task.WhenAll(ann.DisposeAsync().AsTask(), bob.DisposeAsync().AsTask(), carol.DisposeAsync().AsTask());
    }

    [SkippableFact]
    public async Task Close_OnOneProcess_SendsPeerLeftToAPeerOnTheOther()
    {
        await using var cluster = await PostgresCluster.StartAsync(processes: 2);
        string id = await cluster.CreateDocumentAsync(0, Initial);
        var ann = await cluster.ConnectAsync(cluster.Processes[0].BaseUri);
        var bob = await cluster.ConnectAsync(cluster.Processes[1].BaseUri);
        var seenByBob = RecordPresence(bob);
        var leftSeenByBob = RecordPeerLeft(bob);
        var annOpened = await ann.InvokeAsync<OpenResult>(HubMessages.Open, id, "ann").WaitAsync(Timeouts.Call);
        await bob.InvokeAsync<OpenResult>(HubMessages.Open, id, "bob").WaitAsync(Timeouts.Call);
        await ann.InvokeAsync(HubMessages.SetPresence, id, new PresenceInput(null, null, 2, 4)).WaitAsync(Timeouts.Call);
        await Eventually.TrueAsync(() => seenByBob.Any(p => p.Presence.PeerId == annOpened.PeerId && p.Presence.Head == 4), "Bob sees Ann", Timeouts.Converge);

        await ann.InvokeAsync(HubMessages.Close, id).WaitAsync(Timeouts.Call);

        await Eventually.TrueAsync(() => leftSeenByBob.Contains((id, annOpened.PeerId)), "Bob sees Ann leave", Timeouts.Converge);
        var carol = await cluster.ConnectAsync(cluster.Processes[1].BaseUri);
        var carolOpened = await carol.InvokeAsync<OpenResult>(HubMessages.Open, id, "carol").WaitAsync(Timeouts.Call);
        Assert.DoesNotContain(carolOpened.Peers, p => p.PeerId == annOpened.PeerId);
        await Task.WhenAll(ann.DisposeAsync().AsTask(), bob.DisposeAsync().AsTask(), carol.DisposeAsync().AsTask());
    }

    [SkippableFact]
    public async Task KillDashNine_OfAProcess_ItsPeersLeaveTheOthersWithinTheExpiry()
    {
        await using var cluster = await PostgresCluster.StartAsync(processes: 2);
        string id = await cluster.CreateDocumentAsync(0, Initial);
        var ann = await cluster.ConnectAsync(cluster.Processes[0].BaseUri);
        var bob = await cluster.ConnectAsync(cluster.Processes[1].BaseUri);
        var seenByBob = RecordPresence(bob);
        var leftSeenByBob = RecordPeerLeft(bob);
        var annOpened = await ann.InvokeAsync<OpenResult>(HubMessages.Open, id, "ann").WaitAsync(Timeouts.Call);
        await bob.InvokeAsync<OpenResult>(HubMessages.Open, id, "bob").WaitAsync(Timeouts.Call);
        await ann.InvokeAsync(HubMessages.SetPresence, id, new PresenceInput(null, null, 1, 1)).WaitAsync(Timeouts.Call);
        await Eventually.TrueAsync(() => seenByBob.Any(p => p.Presence.PeerId == annOpened.PeerId && p.Presence.Head == 1), "Bob sees Ann", Timeouts.Converge);

        // No goodbye: the process is gone with Ann's connection.
        cluster.Processes[0].KillNow();

        // The expiry is 10 s after the last refresh (every 3 s); twice that is a bound, not a measurement.
        await Eventually.TrueAsync(() => leftSeenByBob.Contains((id, annOpened.PeerId)), "Ann's peer leaves after her process died", TimeSpan.FromSeconds(30));
        var carol = await cluster.ConnectAsync(cluster.Processes[1].BaseUri);
        var carolOpened = await carol.InvokeAsync<OpenResult>(HubMessages.Open, id, "carol").WaitAsync(Timeouts.Call);
        Assert.DoesNotContain(carolOpened.Peers, p => p.PeerId == annOpened.PeerId);
        await Task.WhenAll(bob.DisposeAsync().AsTask(), carol.DisposeAsync().AsTask());
    }

    private static ConcurrentQueue<(string DocumentId, PeerPresence Presence)> RecordPresence(HubConnection connection)
    {
        var seen = new ConcurrentQueue<(string, PeerPresence)>();
        connection.On<string, PeerPresence>(HubMessages.Presence, (documentId, presence) => seen.Enqueue((documentId, presence)));
        return seen;
    }

    private static ConcurrentQueue<(string DocumentId, string PeerId)> RecordPeerLeft(HubConnection connection)
    {
        var left = new ConcurrentQueue<(string, string)>();
        connection.On<string, string>(HubMessages.PeerLeft, (documentId, peerId) => left.Enqueue((documentId, peerId)));
        return left;
    }
}
