using CollabEdit.Ot;
using CollabEdit.Ot.Sync;
using CollabEdit.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Client;

/// <summary>
/// One document kept in sync with the server: local edits apply at once and are submitted one at
/// a time (edits made meanwhile are composed), remote ops are applied in revision order, and a
/// reconnect resends the in-flight op with its original (clientId, seq) before catching up.
/// Thread-safe: edits, acks and broadcasts may arrive on any thread.
/// </summary>
public sealed class CollabDocument : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(50);

    private readonly Lock _lock = new();
    private readonly string _name;
    // Null while reconnecting: nothing is sent until the new connection has opened the document.
    private HubConnection? _connection;
    private IDisposable? _subscription;
    private readonly OtClient _client;
    private readonly TextDocument _text;
    private string? _textCache;
    private readonly List<TextAnchor> _anchors = [];
    private TaskCompletionSource _synchronized = NewSignal(completed: true);
    private Exception? _fault;

    private CollabDocument(HubConnection connection, string documentId, string name, OpenResult opened)
    {
        _connection = connection;
        DocumentId = documentId;
        _name = name;
        _client = new OtClient(opened.Revision);
        _text = new TextDocument(opened.Text);
        PeerId = opened.PeerId;
        Peers = opened.Peers;
    }

    public string DocumentId { get; }

    /// <summary>This client's private id: only the server sees it.</summary>
    public string ClientId { get; } = Guid.NewGuid().ToString("N");

    public string PeerId { get; private set; }

    public IReadOnlyList<PeerPresence> Peers { get; private set; }

    /// <summary>The local text: the server's text at <see cref="Revision"/> plus unacknowledged local edits.</summary>
    public string Text
    {
        get
        {
            lock (_lock)
            {
                return _textCache ??= _text.ToString();
            }
        }
    }

    public int Revision
    {
        get
        {
            lock (_lock)
            {
                return _client.Revision;
            }
        }
    }

    public ClientState State
    {
        get
        {
            lock (_lock)
            {
                return _client.State;
            }
        }
    }

    /// <summary>Raised (under no lock) when the server acknowledges a submit: its seq, its revision.</summary>
    public event Action<long, int>? Acknowledged;

    /// <summary>Raised (under no lock) after a remote op was applied to the local text.</summary>
    public event Action<int, TextOperation>? RemoteApplied;

    /// <summary>Raised when a submit is refused for good (not a retryable error): the document cannot stay in sync.</summary>
    public event Action<Exception>? Faulted;

    public static async Task<CollabDocument> OpenAsync(HubConnection connection, string documentId, string name = "dotnet", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var opened = await connection.InvokeAsync<OpenResult>(HubMessages.Open, documentId, name, cancellationToken).ConfigureAwait(false);
        var document = new CollabDocument(connection, documentId, name, opened);
        document._subscription = document.Subscribe(connection);

        // Ops committed between the group join and our Open answer were broadcast before we
        // listened: catch up once so nothing in that window is missed. A viewer may not read the
        // history, catch-up included (docs/protocol.md); it relies on the live ops alone.
        if (opened.Role != "viewer")
        {
            await document.CatchupAsync(cancellationToken).ConfigureAwait(false);
        }

        return document;
    }

    /// <summary>Applies a local edit (an op on the current <see cref="Text"/>) and submits it when nothing is in flight.</summary>
    public void Edit(TextOperation op)
    {
        Submission? send;
        lock (_lock)
        {
            ThrowIfFaulted();
            ApplyToText(op);
            send = _client.ApplyLocal(op);
            if (_synchronized.Task.IsCompleted)
            {
                _synchronized = NewSignal(completed: false);
            }
        }

        Send(send);
    }

    /// <summary>
    /// Makes an edit from the current text atomically: <paramref name="makeEdit"/> sees the text no
    /// remote op can change before its op is applied (return null for no edit).
    /// </summary>
    public void Edit(Func<string, TextOperation?> makeEdit)
    {
        ArgumentNullException.ThrowIfNull(makeEdit);
        lock (_lock)
        {
            if (makeEdit(Text) is { } op)
            {
                Edit(op);
            }
        }
    }

    /// <summary>
    /// Makes an edit from the local text's length alone (with <see cref="CreateAnchor"/> for
    /// positions), atomically like <see cref="Edit(Func{string, TextOperation?})"/> but without
    /// materializing the text: for programs that type into a long document many times a second.
    /// </summary>
    public void EditByLength(Func<int, TextOperation?> makeEdit)
    {
        ArgumentNullException.ThrowIfNull(makeEdit);
        lock (_lock)
        {
            if (makeEdit(_text.Length) is { } op)
            {
                Edit(op);
            }
        }
    }

    /// <summary>
    /// A position in the local text that follows every edit, local or remote, as someone else's
    /// caret does: text inserted exactly at it stays after it. <paramref name="find"/> picks the
    /// position in the current text, under the same lock that moves it.
    /// </summary>
    public TextAnchor CreateAnchor(Func<string, int> find)
    {
        ArgumentNullException.ThrowIfNull(find);
        lock (_lock)
        {
            var anchor = new TextAnchor(find(Text));
            _anchors.Add(anchor);
            return anchor;
        }
    }

    /// <summary>Splices the local text: delete <paramref name="deleteCount"/> at <paramref name="position"/>, insert <paramref name="insert"/>.</summary>
    public void Splice(int position, int deleteCount, string insert)
    {
        lock (_lock)
        {
            Edit(TextOperation.Splice(_text.Length, position, deleteCount, insert));
        }
    }

    /// <summary>Completes once every local edit is acknowledged (nothing in flight, nothing buffered).</summary>
    public Task WhenSynchronizedAsync()
    {
        lock (_lock)
        {
            return _fault is not null ? Task.FromException(_fault) : _synchronized.Task;
        }
    }

    /// <summary>The sync state in one line, for diagnostics.</summary>
    public string Describe()
    {
        lock (_lock)
        {
            return $"{DocumentId} peer {PeerId}: {_client.State} at revision {_client.Revision}, sent seq {_client.Sent?.Seq} base {_client.Sent?.BaseRevision}, "
                + $"{_client.WaitingCount} waiting, awaiting resend {_client.AwaitingResend}, fault {_fault?.Message ?? "none"}";
        }
    }

    /// <summary>
    /// Fetches and applies every committed op after the local revision. The server cuts a long
    /// answer by bytes, so this asks again after the last op received until an answer is empty,
    /// or until it reaches an op submitted through this connection: that op's ack comes with its
    /// Submit, and every op after it was committed while this connection was listening, so it
    /// arrives as a broadcast. (Applying one's own op as a remote one would apply it twice.)
    /// </summary>
    public async Task CatchupAsync(CancellationToken cancellationToken = default)
    {
        var connection = _connection ?? throw new InvalidOperationException("Reconnecting: no connection to catch up on.");
        int from = Revision;
        string me = PeerId;
        while (true)
        {
            var ops = await connection.InvokeAsync<CommittedOpMessage[]>(HubMessages.Catchup, DocumentId, from, cancellationToken).ConfigureAwait(false);
            if (ops.Length == 0)
            {
                return;
            }

            foreach (var op in ops)
            {
                if (op.PeerId == me)
                {
                    return;
                }

                OnRemoteOp(op.Revision, op.Op);
            }

            // From what was received, not the local revision: while a resend awaits its revision the ops wait unapplied.
            from = ops[^1].Revision;
        }
    }

    /// <summary>
    /// Continues on a new connection (the old one dropped): opens the document there, resends the
    /// in-flight op unchanged, then catches up. Nothing is applied until the resend's revision is known.
    /// </summary>
    public async Task ReconnectAsync(HubConnection connection, CancellationToken cancellationToken = default)
    {
        // Stop listening to the old connection and stop sending; enter "awaiting resend" BEFORE
        // listening to the new one: the in-flight op may commit through the old connection and
        // reach the new one as an ordinary broadcast, which must wait for the resend's revision.
        _subscription?.Dispose();
        lock (_lock)
        {
            _connection = null;
            if (_client.Reconnect() is not null && _synchronized.Task.IsCompleted)
            {
                _synchronized = NewSignal(completed: false);
            }
        }

        _subscription = Subscribe(connection);
        var opened = await connection.InvokeAsync<OpenResult>(HubMessages.Open, DocumentId, _name, cancellationToken).ConfigureAwait(false);
        Submission? inFlight;
        lock (_lock)
        {
            PeerId = opened.PeerId;
            Peers = opened.Peers;
            _connection = connection;

            // The in-flight op, unchanged (same seq, base and op), or one made during the reconnect.
            inFlight = _client.Sent;
        }

        Send(inFlight);
        if (opened.Role != "viewer")
        {
            await CatchupAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        if (_connection is { State: HubConnectionState.Connected } connection)
        {
            try
            {
                await connection.InvokeAsync(HubMessages.Close, DocumentId).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HubException or InvalidOperationException or IOException or OperationCanceledException)
            {
                // Closing is a courtesy; disconnecting does the same.
            }
        }
    }

    private IDisposable Subscribe(HubConnection connection) =>
        connection.On<string, int, TextOperation, string>(HubMessages.Op, (documentId, revision, op, _) =>
        {
            if (documentId == DocumentId)
            {
                OnRemoteOp(revision, op);
            }
        });

    private void OnRemoteOp(int revision, TextOperation op) => Follow(Receive(client => client.ReceiveOp(revision, op)));

    private void OnAck(long seq, int revision)
    {
        var step = Receive(client => client.ReceiveAck(seq, revision));
        Acknowledged?.Invoke(seq, revision);
        Follow(step);
    }

    /// <summary>Feeds a server message to the state machine and applies what it releases to the text, atomically.</summary>
    private ClientStep Receive(Func<OtClient, ClientStep> message)
    {
        lock (_lock)
        {
            var step = message(_client);
            foreach (var apply in step.Apply)
            {
                ApplyToText(apply);
            }

            UpdateSignal();
            return step;
        }
    }

    private void ApplyToText(TextOperation op)
    {
        _text.Apply(op);
        _textCache = null;
        foreach (var anchor in _anchors)
        {
            anchor.Index = op.TransformIndex(anchor.Index, ownEdit: false);
        }
    }

    private void Follow(ClientStep step)
    {
        if (RemoteApplied is { } handler)
        {
            foreach (var op in step.Apply)
            {
                handler(Revision, op);
            }
        }

        Send(step.Send);
    }

    private void Send(Submission? submission)
    {
        HubConnection? connection;
        lock (_lock)
        {
            connection = _connection;
        }

        // While reconnecting, the submission stays in flight and goes out on the new connection.
        if (submission is not null && connection is not null)
        {
            _ = SendAsync(submission, connection);
        }
    }

    private async Task SendAsync(Submission submission, HubConnection connection)
    {
        while (true)
        {
            try
            {
                var ack = await connection.InvokeAsync<SubmitAck>(
                    HubMessages.Submit, DocumentId, ClientId, submission.Seq, submission.BaseRevision, submission.Operation).ConfigureAwait(false);
                lock (_lock)
                {
                    // A replaced connection's ack is ignored: the resend on the new one gets the same revision.
                    if (!ReferenceEquals(connection, _connection))
                    {
                        return;
                    }
                }

                OnAck(submission.Seq, ack.Revision);
                return;
            }
            catch (HubException e) when (ErrorCodes.Of(e.Message) is ErrorCodes.RateLimited or ErrorCodes.Unavailable)
            {
                // Retryable: the same submission again, unless it is no longer the one in flight.
                await Task.Delay(RetryDelay).ConfigureAwait(false);
                lock (_lock)
                {
                    if (!ReferenceEquals(_client.Sent, submission) || !ReferenceEquals(connection, _connection))
                    {
                        return;
                    }
                }
            }
            catch (HubException e)
            {
                lock (_lock)
                {
                    _fault = e;
                    _synchronized.TrySetException(e);
                }

                Faulted?.Invoke(e);
                return;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException or OperationCanceledException or TaskCanceledException)
            {
                // The connection dropped: ReconnectAsync resends on the next one.
                return;
            }
        }
    }

    private void UpdateSignal()
    {
        if (_client.State == ClientState.Synchronized && _client.WaitingCount == 0 && !_client.AwaitingResend)
        {
            _synchronized.TrySetResult();
        }
    }

    private void ThrowIfFaulted()
    {
        if (_fault is not null)
        {
            throw new InvalidOperationException("The document was refused by the server and is out of sync.", _fault);
        }
    }

    private static TaskCompletionSource NewSignal(bool completed)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            signal.SetResult();
        }

        return signal;
    }
}
