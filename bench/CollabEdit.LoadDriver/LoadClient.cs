using CollabEdit.Client;
using CollabEdit.Ot;
using CollabEdit.Ot.Sync;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.LoadDriver;

/// <summary>
/// One simulated person: its own hub connection and <see cref="CollabDocument"/> (the real .NET
/// client, one op in flight, edits composed meanwhile), typing its workload into its own section.
/// It knows which submit carries each edit, so ack latency runs from the edit to the ack of that
/// submit, and it reports the revisions it applies to the document's <see cref="RevisionLedger"/>.
/// </summary>
internal sealed class LoadClient : IAsyncDisposable
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(60);

    private readonly Lock _lock = new();
    private readonly Queue<PendingEdit> _pending = new();
    private readonly HubConnection _connection;
    private readonly CollabDocument _document;
    private readonly string _marker;
    private TextAnchor? _sectionStart; // where this client's section starts, moved by every edit
    private readonly RunClock _clock;
    private readonly LatencyHistogram _ackLatency;
    private readonly RevisionLedger? _ledger;
    private long _remoteOpsInWindow;
    // The seq of the submit the next edit joins; touched only inside CollabDocument.Edit's lock.
    private long _lastSeq;
    private int _appliedUpTo;
    private bool _disposing;

    private LoadClient(HubConnection connection, CollabDocument document, int index, string marker, Workload workload, RunClock clock, LatencyHistogram ackLatency, RevisionLedger? ledger)
    {
        _connection = connection;
        _document = document;
        Index = index;
        _marker = marker;
        Workload = workload;
        _clock = clock;
        _ackLatency = ackLatency;
        _ledger = ledger;
        _appliedUpTo = document.Revision;
        document.Acknowledged += OnAcknowledged;
        document.RemoteApplied += OnRemoteApplied;
        document.Faulted += e => Fail($"submit refused: {e.Message}");
        connection.Closed += e =>
        {
            if (!_disposing)
            {
                Fail($"connection closed: {e?.Message ?? "by the server"}");
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>The client's place among its document's clients (its section).</summary>
    public int Index { get; }

    public Workload Workload { get; }

    public CollabDocument Document => _document;

    public bool Connected => _connection.State == HubConnectionState.Connected;

    /// <summary>Why this client can no longer be trusted to converge, or null.</summary>
    public string? Failure { get; private set; }

    public long EditsMade { get; private set; }

    public long EditsAcked { get; private set; }

    public long EditsAckedInWindow { get; private set; }

    public long CommitsInWindow { get; private set; }

    /// <summary>Remote ops this client received and applied inside the window (one hub message each).</summary>
    public long RemoteOpsInWindow => Interlocked.Read(ref _remoteOpsInWindow);

    /// <summary>Edits made but not yet acknowledged.</summary>
    public int Unacknowledged
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    public static async Task<LoadClient> ConnectAsync(
        Uri baseUri, string accessToken, string documentId, int index, string marker, Workload workload, RunClock clock, LatencyHistogram ackLatency, RevisionLedger? ledger, CancellationToken cancellationToken)
    {
        var connection = await CollabConnection.ConnectAsync(baseUri, accessToken: accessToken, cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            var document = await CollabDocument.OpenAsync(connection, documentId, $"load {index + 1}", cancellationToken).ConfigureAwait(false);
            return new LoadClient(connection, document, index, marker, workload, clock, ackLatency, ledger);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Open loop: one edit every 1/<paramref name="rate"/> s from <paramref name="begin"/> plus a
    /// random phase, whatever the acks do, until stopped or the workload ends. An edit made late
    /// (the driver fell behind) is made at once and its lateness recorded.
    /// </summary>
    public async Task RunPacedAsync(double rate, long begin, double phase, LatencyHistogram scheduleLag, CancellationToken stop)
    {
        double interval = System.Diagnostics.Stopwatch.Frequency / rate;
        double due = begin + (phase * interval);
        while (!stop.IsCancellationRequested && Workload.HasNext && Failure is null)
        {
            long wait = (long)due - RunClock.Now;
            if (wait > 0)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(RunClock.Seconds(wait)), stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            long now = RunClock.Now;
            MakeEdit();

            // Timer lag: how late the scheduled edit left (made and handed to the connection).
            if (_clock.IsMeasured(now))
            {
                scheduleLag.Record((long)due, Math.Max(RunClock.Now, (long)due));
            }

            due += interval;
        }
    }

    /// <summary>"As fast as acks allow": the next edit as soon as the previous one is acknowledged.</summary>
    public async Task RunClosedLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && Workload.HasNext && Failure is null)
        {
            await RunOneClosedLoopEditAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Makes one edit and waits for its ack (so it is a commit of its own).</summary>
    public Task RunOneClosedLoopEditAsync()
    {
        MakeEdit();
        return _document.WhenSynchronizedAsync().WaitAsync(AckTimeout, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        try
        {
            await _document.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void MakeEdit()
    {
        // Inside Edit the document's lock is held: no remote op moves the section, and the state
        // read here is the one the edit meets, so the submit that will carry it is known.
        _sectionStart ??= _document.CreateAnchor(text => Sections.Start(text, _marker));
        var section = _sectionStart;
        _document.EditByLength(length =>
        {
            int start = section.Index;
            var edit = Workload.Next();
            long madeAt = RunClock.Now;
            long seq = _document.State == ClientState.AwaitingWithBuffer ? _lastSeq : ++_lastSeq;
            lock (_lock)
            {
                _pending.Enqueue(new PendingEdit(seq, madeAt));
                EditsMade++;
            }

            return TextOperation.Splice(length, start + edit.Position, edit.DeleteCount, edit.Insert);
        });
    }

    private void OnAcknowledged(long seq, int revision)
    {
        long now = RunClock.Now;
        _clock.SawAck(now);
        long[] carried;
        lock (_lock)
        {
            int count = 0;
            foreach (var pending in _pending)
            {
                if (pending.Seq > seq)
                {
                    break;
                }

                count++;
            }

            carried = new long[count];
            for (int i = 0; i < count; i++)
            {
                carried[i] = _pending.Dequeue().MadeAt;
            }

            EditsAcked += count;
            if (_clock.InWindow(now))
            {
                EditsAckedInWindow += count;
                CommitsInWindow++;
            }
        }

        foreach (long madeAt in carried)
        {
            if (_clock.IsMeasured(madeAt))
            {
                _ackLatency.Record(madeAt, now);
            }
        }

        _ledger?.Committed(revision, Index, carried);
    }

    private void OnRemoteApplied(int revision, TextOperation op)
    {
        long now = RunClock.Now;
        if (_clock.InWindow(now))
        {
            Interlocked.Increment(ref _remoteOpsInWindow);
        }

        if (_ledger is null)
        {
            return;
        }

        int from;
        lock (_lock)
        {
            if (revision <= _appliedUpTo)
            {
                return;
            }

            from = _appliedUpTo + 1;
            _appliedUpTo = revision;
        }

        // Revisions are applied strictly in order: everything up to this one is in the text now.
        for (int r = from; r <= revision; r++)
        {
            _ledger.Applied(r, Index, now);
        }
    }

    private void Fail(string reason)
    {
        lock (_lock)
        {
            Failure ??= reason;
        }
    }

    private readonly record struct PendingEdit(long Seq, long MadeAt);
}
