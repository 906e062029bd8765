using CollabEdit.Ot.Sync;

namespace CollabEdit.Ot.Tests;

/// <summary>
/// Clients and the server authority exchanging messages through a network that delivers in random
/// order, duplicates submits, and drops connections (a reconnect resends the in-flight op and
/// catches up). Every run must end with every client's text equal to the server's, and every
/// (clientId, seq) committed exactly once.
/// </summary>
public sealed class SyncSimulationTests
{
    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 200)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomDeliveryResendsAndReconnects_Converge(int seed)
    {
        var simulation = new Simulation(seed, clients: 4 + (seed % 3));

        simulation.Run(steps: 300);

        simulation.AssertConverged();
    }

    private sealed class Simulation
    {
        private readonly Random _random;
        private readonly ServerAuthority _server = new("start 😀 text");
        private readonly List<Peer> _peers = [];
        private readonly List<ToServer> _toServer = [];
        private readonly List<ToClient> _toClient = [];
        private readonly Dictionary<(string, long), int> _commits = [];
        private readonly int _seed;

        public Simulation(int seed, int clients)
        {
            _seed = seed;
            _random = new Random(seed);
            for (int i = 0; i < clients; i++)
            {
                _peers.Add(new Peer($"client-{i}", _server.Document.ToString()));
            }
        }

        public void Run(int steps)
        {
            for (int step = 0; step < steps; step++)
            {
                int action = _random.Next(100);
                if (action < 35)
                {
                    EditLocally(_peers[_random.Next(_peers.Count)]);
                }
                else if (action < 60 && _toServer.Count > 0)
                {
                    DeliverToServer(TakeRandom(_toServer));
                }
                else if (action < 90 && _toClient.Count > 0)
                {
                    DeliverToClient(TakeRandom(_toClient));
                }
                else if (action < 95 && _toServer.Count > 0)
                {
                    // A duplicate resend of a submit (e.g. a retry by the transport).
                    _toServer.Add(_toServer[_random.Next(_toServer.Count)]);
                }
                else
                {
                    Reconnect(_peers[_random.Next(_peers.Count)]);
                }
            }

            // Quiesce: deliver everything, in random order, until nothing is left.
            while (_toServer.Count > 0 || _toClient.Count > 0)
            {
                if (_toClient.Count == 0 || (_toServer.Count > 0 && _random.Next(2) == 0))
                {
                    DeliverToServer(TakeRandom(_toServer));
                }
                else
                {
                    DeliverToClient(TakeRandom(_toClient));
                }
            }
        }

        public void AssertConverged()
        {
            string expected = _server.Document.ToString();
            foreach (var peer in _peers)
            {
                Assert.True(peer.Client.State == ClientState.Synchronized, $"seed {_seed}: {peer.Id} is {peer.Client.State}");
                Assert.True(expected == peer.Text, $"seed {_seed}: {peer.Id} has \"{peer.Text}\", server \"{expected}\"");
                Assert.Equal(_server.Revision, peer.Client.Revision);
                for (long seq = 1; seq <= peer.LastSeq; seq++)
                {
                    Assert.True(_commits.ContainsKey((peer.Id, seq)), $"seed {_seed}: {peer.Id} seq {seq} never committed");
                }
            }
        }

        private void EditLocally(Peer peer)
        {
            var choices = Enumerable.Range(0, _random.Next(1, 5)).Select(_ => (uint)_random.Next()).ToArray();
            var op = Generators.OpFor(peer.Text, choices);
            peer.Text = op.Apply(peer.Text);
            Send(peer, peer.Client.ApplyLocal(op));
        }

        private void DeliverToServer(ToServer message)
        {
            var (peer, epoch, submission) = message;
            var result = _server.Submit(peer.Id, submission.Seq, submission.BaseRevision, submission.Operation);
            Assert.True(result.Accepted, $"seed {_seed}: rejected {result.Error} {result.Message}");
            if (!result.IsDuplicate)
            {
                Assert.True(_commits.TryAdd((peer.Id, submission.Seq), result.Revision), $"seed {_seed}: {peer.Id} seq {submission.Seq} committed twice");
                foreach (var other in _peers)
                {
                    // Broadcast to every connection but the submitting one: the submitter's new
                    // connection (after a reconnect) receives its own op as an ordinary op.
                    if (other != peer || other.Epoch != epoch)
                    {
                        _toClient.Add(new ToClient(other, other.Epoch, result.Revision, result.Operation, null));
                    }
                }
            }

            _toClient.Add(new ToClient(peer, epoch, result.Revision, null, submission.Seq));
        }

        private void DeliverToClient(ToClient message)
        {
            var peer = message.Peer;
            if (message.Epoch != peer.Epoch)
            {
                return; // That connection is gone.
            }

            var step = message.Op is not null
                ? peer.Client.ReceiveOp(message.Revision, message.Op)
                : peer.Client.ReceiveAck(message.AckSeq!.Value, message.Revision);
            foreach (var op in step.Apply)
            {
                peer.Text = op.Apply(peer.Text);
            }

            Send(peer, step.Send);
        }

        private void Reconnect(Peer peer)
        {
            peer.Epoch++;
            Send(peer, peer.Client.Reconnect());
            foreach (var committed in _server.Since(peer.Client.Revision))
            {
                _toClient.Add(new ToClient(peer, peer.Epoch, committed.Revision, committed.Operation, null));
            }
        }

        private void Send(Peer peer, Submission? submission)
        {
            if (submission is not null)
            {
                peer.LastSeq = Math.Max(peer.LastSeq, submission.Seq);
                _toServer.Add(new ToServer(peer, peer.Epoch, submission));
            }
        }

        private T TakeRandom<T>(List<T> list)
        {
            int i = _random.Next(list.Count);
            var item = list[i];
            list[i] = list[^1];
            list.RemoveAt(list.Count - 1);
            return item;
        }
    }

    private sealed class Peer(string id, string text)
    {
        public string Id { get; } = id;

        public string Text { get; set; } = text;

        public OtClient Client { get; } = new(0);

        public int Epoch { get; set; }

        public long LastSeq { get; set; }
    }

    private sealed record ToServer(Peer Peer, int Epoch, Submission Submission);

    private sealed record ToClient(Peer Peer, int Epoch, int Revision, TextOperation? Op, long? AckSeq);
}
