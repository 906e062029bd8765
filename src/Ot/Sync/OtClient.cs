namespace CollabEdit.Ot.Sync;

/// <summary>
/// The client half of the sync algorithm, pure and I/O-free. At most one op is in flight; local
/// edits made meanwhile are composed into one buffer; a remote op transforms the in-flight op and
/// the buffer; an ack sends the buffer.
/// <para>
/// Server messages (remote ops and acks) carry revisions and are applied strictly in revision
/// order: one that arrives early waits, one already seen is ignored. So the order in which the
/// transport delivers them cannot break convergence.
/// </para>
/// <para>
/// After <see cref="Reconnect"/> the client applies nothing until it knows the revision of its
/// resent op: the old connection's submit may have committed and may arrive as an ordinary op.
/// </para>
/// </summary>
public sealed class OtClient
{
    private readonly Dictionary<int, TextOperation> _early = [];
    private Submission? _sent;
    private TextOperation? _inflight;
    private TextOperation? _buffer;
    private int? _ackRevision;
    private bool _awaitingResendAck;
    private long _lastSeq;

    /// <summary>A client whose local text is the server's text at <paramref name="revision"/>.</summary>
    public OtClient(int revision, long lastSeq = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        Revision = revision;
        _lastSeq = lastSeq;
    }

    /// <summary>The last server revision reflected in the local text.</summary>
    public int Revision { get; private set; }

    /// <summary>Which of the three states the client is in.</summary>
    public ClientState State => _inflight is null
        ? ClientState.Synchronized
        : _buffer is null ? ClientState.AwaitingConfirm : ClientState.AwaitingWithBuffer;

    /// <summary>The op in flight, transformed to apply after <see cref="Revision"/>; null when synchronized.</summary>
    public TextOperation? Inflight => _inflight;

    /// <summary>Local edits not yet sent, applying after <see cref="Inflight"/>.</summary>
    public TextOperation? Buffer => _buffer;

    /// <summary>The submission in flight, exactly as it was sent (for a resend).</summary>
    public Submission? Sent => _sent;

    /// <summary>True after a reconnect, until the resent op's revision is known.</summary>
    public bool AwaitingResend => _awaitingResendAck;

    /// <summary>Ops received ahead of their turn, waiting for the ones before them.</summary>
    public int WaitingCount => _early.Count;

    /// <summary>
    /// Records a local edit (already applied to the local text). Returns the submission to send
    /// when nothing was in flight; otherwise the edit is composed into the buffer and null returned.
    /// </summary>
    public Submission? ApplyLocal(TextOperation op)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (_inflight is null)
        {
            _inflight = op;
            _sent = new Submission(++_lastSeq, Revision, op);
            return _sent;
        }

        _buffer = _buffer is null ? op : TextOperation.Compose(_buffer, op);
        return null;
    }

    /// <summary>A committed op from another client, at <paramref name="revision"/>.</summary>
    public ClientStep ReceiveOp(int revision, TextOperation op)
    {
        ArgumentNullException.ThrowIfNull(op);
        if (revision > Revision)
        {
            _early.TryAdd(revision, op);
        }

        return Drain();
    }

    /// <summary>The ack of submission <paramref name="seq"/>: it was committed as <paramref name="revision"/>.</summary>
    public ClientStep ReceiveAck(long seq, int revision)
    {
        if (_sent is null || seq != _sent.Seq || revision <= Revision)
        {
            // A stale ack (e.g. the old connection's, after a resend was answered) changes nothing.
            return ClientStep.None;
        }

        _ackRevision = revision;
        _awaitingResendAck = false;
        return Drain();
    }

    /// <summary>
    /// Called on a new connection. Returns the in-flight submission to resend first, unchanged
    /// (same seq, same base revision, same op), or null. Until its ack arrives nothing is applied;
    /// the caller then catches up from <see cref="Revision"/>.
    /// </summary>
    public Submission? Reconnect()
    {
        if (_sent is null || _ackRevision is not null)
        {
            // Nothing in flight, or its revision is already known: nothing to resend.
            return null;
        }

        _awaitingResendAck = true;
        _ackRevision = null;
        return _sent;
    }

    private ClientStep Drain()
    {
        List<TextOperation>? apply = null;
        Submission? send = null;
        while (true)
        {
            int next = Revision + 1;
            if (_ackRevision == next)
            {
                // Our own op, whether it also came as a broadcast (after a reconnect) or not.
                _early.Remove(next);
                Revision = next;
                _ackRevision = null;
                send = Acknowledged() ?? send;
                continue;
            }

            if (_awaitingResendAck || !_early.Remove(next, out var remote))
            {
                break;
            }

            Revision = next;
            (apply ??= []).Add(TransformRemote(remote));
        }

        // Drop anything already covered (duplicates that arrived before a gap was filled).
        if (_early.Count > 0)
        {
            foreach (int revision in _early.Keys.Where(r => r <= Revision).ToList())
            {
                _early.Remove(revision);
            }
        }

        return apply is null && send is null ? ClientStep.None : new ClientStep(apply ?? [], send);
    }

    private Submission? Acknowledged()
    {
        _inflight = _buffer;
        _buffer = null;
        _sent = _inflight is null ? null : new Submission(++_lastSeq, Revision, _inflight);
        return _sent;
    }

    private TextOperation TransformRemote(TextOperation remote)
    {
        if (_inflight is null)
        {
            return remote;
        }

        // The remote op was committed before ours, so it goes first in every transform.
        (remote, _inflight) = TextOperation.Transform(remote, _inflight);
        if (_buffer is not null)
        {
            (remote, _buffer) = TextOperation.Transform(remote, _buffer);
        }

        return remote;
    }
}
