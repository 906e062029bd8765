using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using CollabEdit.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests;

/// <summary>Who is here: presence updates, the peers listed on Open, and PeerLeft, over real WebSockets.</summary>
public sealed partial class PresenceTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SetPresence_ReachesOtherPeer_WithSendersPeerIdNameColorAndSelection(bool json)
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("hello");
        var ann = await server.ConnectAsAccountAsync("Ann", id, json);
        var bob = await server.ConnectAsAccountAsync("Bob", id, json);
        var seenByBob = RecordPresence(bob);
        var annOpened = await OpenAsync(ann, id, "ann");
        await OpenAsync(bob, id, "bob");

        await ann.InvokeAsync(HubMessages.SetPresence, id, new PresenceInput("Ann", "#ff0000", 1, 3)).WaitAsync(Timeouts.Call);

        await Eventually.TrueAsync(() => seenByBob.Any(p => p.Presence.Name == "Ann"), "Bob sees Ann's presence", Timeouts.Call);
        var (documentId, presence) = seenByBob.Single(p => p.Presence.Name == "Ann");
        Assert.Equal(id, documentId);
        Assert.Equal(new PeerPresence(annOpened.PeerId, "Ann", "#ff0000", 1, 3), presence);
    }

    [Fact]
    public async Task SetPresence_Flood_IsCoalescedPerPeerAndTheLatestArrivesLast()
    {
        // A caret moved as fast as the client can send: the peer gets a few updates, not one each.
        const int Updates = 1000;
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("hello");
        var ann = await server.ConnectAsAccountAsync("Ann", id);
        var bob = await server.ConnectAsAccountAsync("Bob", id);
        var seenByBob = RecordPresence(bob);
        await OpenAsync(ann, id, "ann");
        await OpenAsync(bob, id, "bob");

        for (int anchor = 1; anchor < Updates; anchor++)
        {
            await ann.SendAsync(HubMessages.SetPresence, id, new PresenceInput("Ann", null, anchor, anchor)).WaitAsync(Timeouts.Call);
        }

        await ann.InvokeAsync(HubMessages.SetPresence, id, new PresenceInput("Ann", null, Updates, Updates)).WaitAsync(Timeouts.Call);
        await Eventually.TrueAsync(() => seenByBob.Any(p => p.Presence.Anchor == Updates), "Bob sees Ann's latest presence", Timeouts.Call);

        var fromAnn = seenByBob.Where(p => p.Presence.Name == "Ann").Select(p => p.Presence.Anchor).ToList();
        Assert.Equal(Updates, fromAnn[^1]);
        Assert.True(fromAnn.Count < Updates / 2, $"{fromAnn.Count} presence messages for {Updates} updates");
    }

    [Fact]
    public async Task Open_AfterPeersJoined_ListsThemWithTheirLatestPresence()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("hello");
        var ann = await server.ConnectAsAccountAsync("Ann", id);
        var bob = await server.ConnectAsAccountAsync("Bob", id);
        var carol = await server.ConnectAsAccountAsync("Carol", id);
        var annOpened = await OpenAsync(ann, id, "ann");
        var bobOpened = await OpenAsync(bob, id, "bob");
        await ann.InvokeAsync(HubMessages.SetPresence, id, new PresenceInput("Ann", "#ff0000", 1, 3)).WaitAsync(Timeouts.Call);

        var carolOpened = await OpenAsync(carol, id, "carol");

        Assert.DoesNotContain(carolOpened.Peers, p => p.PeerId == carolOpened.PeerId);
        Assert.Equal(2, carolOpened.Peers.Length);
        Assert.Contains(new PeerPresence(annOpened.PeerId, "Ann", "#ff0000", 1, 3), carolOpened.Peers);
        var bobListed = Assert.Single(carolOpened.Peers, p => p.PeerId == bobOpened.PeerId);
        Assert.Equal("Bob", bobListed.Name);
        Assert.Matches(ServerColor(), bobListed.Color);
        Assert.Equal(3, new[] { annOpened.PeerId, bobOpened.PeerId, carolOpened.PeerId }.Distinct().Count());
    }

    [Fact]
    public async Task Close_SendsPeerLeftWithThePeerIdToOthers()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("hello");
        var ann = await server.ConnectAsAccountAsync("Ann", id);
        var bob = await server.ConnectAsAccountAsync("Bob", id);
        var leftSeenByBob = RecordPeerLeft(bob);
        var annOpened = await OpenAsync(ann, id, "ann");
        await OpenAsync(bob, id, "bob");

        await ann.InvokeAsync(HubMessages.Close, id).WaitAsync(Timeouts.Call);

        await Eventually.TrueAsync(() => leftSeenByBob.Contains((id, annOpened.PeerId)), "Bob sees Ann leave", Timeouts.Call);
        var carol = await server.ConnectAsAccountAsync("Carol", id);
        var carolOpened = await OpenAsync(carol, id, "carol");
        Assert.DoesNotContain(carolOpened.Peers, p => p.PeerId == annOpened.PeerId);
    }

    [Fact]
    public async Task Disconnect_SendsPeerLeftWithThePeerIdToOthers()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("hello");
        var ann = await server.ConnectAsAccountAsync("Ann", id);
        var bob = await server.ConnectAsAccountAsync("Bob", id);
        var leftSeenByBob = RecordPeerLeft(bob);
        var annOpened = await OpenAsync(ann, id, "ann");
        await OpenAsync(bob, id, "bob");

        await ann.DisposeAsync().AsTask().WaitAsync(Timeouts.Call);

        await Eventually.TrueAsync(() => leftSeenByBob.Contains((id, annOpened.PeerId)), "Bob sees Ann leave", Timeouts.Call);
        var carol = await server.ConnectAsAccountAsync("Carol", id);
        var carolOpened = await OpenAsync(carol, id, "carol");
        Assert.DoesNotContain(carolOpened.Peers, p => p.PeerId == annOpened.PeerId);
    }

    [Theory]
    [InlineData("red")]
    [InlineData("#ff00zz")]
    [InlineData("#ff0000ff")]
    [InlineData("url(javascript:alert(1))")]
    [InlineData(null)]
    public async Task SetPresence_InvalidColor_FallsBackToAServerColor(string? color)
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("hello");
        var ann = await server.ConnectAsAccountAsync("Ann", id);
        var bob = await server.ConnectAsAccountAsync("Bob", id);
        var seenByBob = RecordPresence(bob);
        var annOpened = await OpenAsync(ann, id, "ann");
        await OpenAsync(bob, id, "bob");

        await ann.InvokeAsync(HubMessages.SetPresence, id, new PresenceInput("Ann", color, 1, 3)).WaitAsync(Timeouts.Call);

        await Eventually.TrueAsync(() => seenByBob.Any(p => p.Presence.Name == "Ann"), "Bob sees Ann's presence", Timeouts.Call);
        var presence = seenByBob.Single(p => p.Presence.Name == "Ann").Presence;
        Assert.Equal(annOpened.PeerId, presence.PeerId);
        Assert.Matches(ServerColor(), presence.Color);
        Assert.Equal((1, 3), (presence.Anchor, presence.Head));
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, -1)]
    public async Task SetPresence_NegativeOffset_IsInvalidOpAndNotBroadcast(int anchor, int head)
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("hello");
        var ann = await server.ConnectAsAccountAsync("Ann", id);
        var bob = await server.ConnectAsAccountAsync("Bob", id);
        var seenByBob = RecordPresence(bob);
        await OpenAsync(ann, id, "ann");
        await OpenAsync(bob, id, "bob");

        var error = await Assert.ThrowsAsync<HubException>(
            () => ann.InvokeAsync(HubMessages.SetPresence, id, new PresenceInput("Bad", "#ff0000", anchor, head)).WaitAsync(Timeouts.Call));

        Assert.Contains($"{ErrorCodes.InvalidOp}: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.Message, StringComparison.Ordinal);

        // The same connection still works, and its later update is the only one Bob sees from it.
        await ann.InvokeAsync(HubMessages.SetPresence, id, new PresenceInput("Good", "#00ff00", 2, 2)).WaitAsync(Timeouts.Call);
        await Eventually.TrueAsync(() => seenByBob.Any(p => p.Presence.Name == "Ann" && p.Presence.Color == "#00ff00"), "Bob sees Ann's valid presence", Timeouts.Call);
        Assert.DoesNotContain(seenByBob, p => p.Presence.Color == "#ff0000" || p.Presence.Anchor < 0 || p.Presence.Head < 0);
    }

    private static async Task<OpenResult> OpenAsync(HubConnection connection, string id, string name) =>
        await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, name).WaitAsync(Timeouts.Call);

    private static ConcurrentQueue<(string DocumentId, PeerPresence Presence)> RecordPresence(HubConnection connection)
    {
        var seen = new ConcurrentQueue<(string, PeerPresence)>();
        connection.On<string, PeerPresence>(HubMessages.Presence, (documentId, presence) => seen.Enqueue((documentId, presence)));
        return seen;
    }

    private static ConcurrentQueue<(string DocumentId, string PeerId)> RecordPeerLeft(HubConnection connection)
    {
        var seen = new ConcurrentQueue<(string, string)>();
        connection.On<string, string>(HubMessages.PeerLeft, (documentId, peerId) => seen.Enqueue((documentId, peerId)));
        return seen;
    }

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex ServerColor();
}
