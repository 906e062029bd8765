using CollabEdit.Ot.Sync;

namespace CollabEdit.Ot.Tests;

public sealed class OtClientTests
{
    [Fact]
    public void ApplyLocal_WhenSynchronized_SendsAtOnce()
    {
        var client = new OtClient(revision: 3);

        var sent = client.ApplyLocal(Ops.Of("a"));

        Assert.Equal(new Submission(1, 3, Ops.Of("a")), sent);
        Assert.Equal(ClientState.AwaitingConfirm, client.State);
    }

    [Fact]
    public void ApplyLocal_WhileAwaiting_ComposesIntoBuffer()
    {
        var client = new OtClient(0);
        client.ApplyLocal(Ops.Of("a"));

        Assert.Null(client.ApplyLocal(Ops.Of(1, "b")));
        Assert.Null(client.ApplyLocal(Ops.Of(2, "c")));

        Assert.Equal(ClientState.AwaitingWithBuffer, client.State);
        Assert.Equal(Ops.Of(1, "bc"), client.Buffer);
    }

    [Fact]
    public void ReceiveAck_WithBuffer_SendsBufferBasedOnAckedRevision()
    {
        var client = new OtClient(0);
        client.ApplyLocal(Ops.Of("a"));
        client.ApplyLocal(Ops.Of(1, "b"));

        var step = client.ReceiveAck(1, 1);

        Assert.Equal(new Submission(2, 1, Ops.Of(1, "b")), step.Send);
        Assert.Equal(ClientState.AwaitingConfirm, client.State);
        Assert.Equal(1, client.Revision);
    }

    [Fact]
    public void ReceiveOp_WhileAwaiting_TransformsInflightAndBuffer()
    {
        var client = new OtClient(0);             // text "xy"
        client.ApplyLocal(Ops.Of(1, "A", 1));     // local "xAy"
        client.ApplyLocal(Ops.Of(3, "!"));        // local "xAy!"

        var step = client.ReceiveOp(1, Ops.Of("S", 2)); // server: "Sxy"

        Assert.Equal([Ops.Of("S", 4)], step.Apply);
        Assert.Equal(Ops.Of(2, "A", 1), client.Inflight);
        Assert.Equal(Ops.Of(4, "!"), client.Buffer);
        Assert.Equal(1, client.Revision);
    }

    [Fact]
    public void ReceiveOp_ArrivingEarly_WaitsForTheOnesBefore()
    {
        var client = new OtClient(0);

        var early = client.ReceiveOp(2, Ops.Of(1, "b"));
        var step = client.ReceiveOp(1, Ops.Of("a"));

        Assert.Empty(early.Apply);
        Assert.Equal([Ops.Of("a"), Ops.Of(1, "b")], step.Apply);
        Assert.Equal(2, client.Revision);
    }

    [Fact]
    public void ReceiveAck_BeforeEarlierRemoteOp_WaitsForIt()
    {
        var client = new OtClient(0);
        client.ApplyLocal(Ops.Of("a"));

        var ack = client.ReceiveAck(1, 2);        // our op is revision 2; revision 1 not seen yet
        Assert.Equal(ClientState.AwaitingConfirm, client.State);
        Assert.Equal(ClientStep.None, ack);

        var step = client.ReceiveOp(1, Ops.Of("z"));

        Assert.Equal([Ops.Of("z", 1)], step.Apply); // committed first, so "z" goes left of our "a"
        Assert.Equal(ClientState.Synchronized, client.State);
        Assert.Equal(2, client.Revision);
    }

    [Fact]
    public void ReceiveOp_AlreadySeen_IsIgnored()
    {
        var client = new OtClient(0);
        client.ReceiveOp(1, Ops.Of("a"));

        Assert.Equal(ClientStep.None, client.ReceiveOp(1, Ops.Of("a")));
        Assert.Equal(1, client.Revision);
    }

    [Fact]
    public void Reconnect_ResendsOriginalSubmissionUnchanged()
    {
        var client = new OtClient(0);
        var sent = client.ApplyLocal(Ops.Of("a"));
        client.ReceiveOp(1, Ops.Of("b"));          // transforms the in-flight op locally

        var resend = client.Reconnect();

        Assert.Same(sent, resend);
        Assert.True(client.AwaitingResend);
    }

    [Fact]
    public void Reconnect_OwnOpArrivingAsBroadcast_IsRecognisedByTheAck()
    {
        var client = new OtClient(0);
        client.ApplyLocal(Ops.Of("a"));
        client.Reconnect();

        // The old connection's submit committed as revision 1; catch-up delivers it as an op.
        var beforeAck = client.ReceiveOp(1, Ops.Of("a"));
        var afterAck = client.ReceiveAck(1, 1);

        Assert.Empty(beforeAck.Apply);
        Assert.Empty(afterAck.Apply);
        Assert.Equal(ClientState.Synchronized, client.State);
        Assert.Equal(1, client.Revision);
    }

    [Fact]
    public void ReceiveAck_Stale_IsIgnored()
    {
        var client = new OtClient(0);
        client.ApplyLocal(Ops.Of("a"));
        client.ReceiveAck(1, 1);

        Assert.Equal(ClientStep.None, client.ReceiveAck(1, 1));
        Assert.Equal(ClientStep.None, client.ReceiveAck(99, 2));
        Assert.Equal(1, client.Revision);
    }
}
