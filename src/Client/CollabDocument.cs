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
    private HubConnection _connection;
    private IDisposable? _subscription;
    private readonly OtClient _client;
    private string _text;
    private TaskCompletionSource _synchronized = NewSignal(completed: true);
    private Exception? _fault;

    private CollabDocument(HubConnection connection, string documentId, string name, OpenResult opened)
    {
        _connection = connection;
        DocumentId = documentId;
        _name = name;
        _client = new OtClient(opened.Revision);
        _text = opened.Text;
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
                return _text;
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
        document.Subscribe();

        // Ops committed between the group join and our Open answer were broadcast before we
        // listened: catch up once so nothing in that window is missed.
        await document.CatchupAsync(cancellationToken).ConfigureAwait(false);
        return document;
    }

    /// <summary>Applies a local edit (an op on the current <see cref="Text"/>) and submits it when nothing is in flight.</summary>
    public void Edit(TextOperation op)
    {
        Submission? send;
        lock (_lock)
        {
            ThrowIfFaulted();
            _text = op.Apply(_text);
            send = _client.ApplyLocal(op);
            if (_synchronized.Task.IsCompleted)
            {
                _synchronized = NewSignal(completed: false);
            }
        }

        if (send is not null)
        {
            _ = SendAsync(send, _connection);
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

    /// <summary>Fetches and applies every committed op after the local revision.</summary>
    public async Task CatchupAsync(CancellationToken cancellationToken = default)
    {
        int from = Revision;
        var ops = await _connection.InvokeAsync<CommittedOpMessage[]>(HubMessages.Catchup, DocumentId, from, cancellationToken).ConfigureAwait(false);
        foreach (var op in ops)
        {
            OnRemoteOp(op.Revision, op.Op);
        }
    }

    /// <summary>
    /// Continues on a new connection (the old one dropped): opens the document there, resends the
    /// in-flight op unchanged, then catches up. Nothing is applied until the resend's revision is known.
    /// </summary>
    public async Task ReconnectAsync(HubConnection connection, CancellationToken cancellationToken = default)
    {
        _subscription?.Dispose();
        _connection = connection;
        Subscribe();
        var opened = await connection.InvokeAsync<OpenResult>(HubMessages.Open, DocumentId, _name, cancellationToken).ConfigureAwait(false);
        Submission? resend;
        lock (_lock)
        {
            PeerId = opened.PeerId;
            Peers = opened.Peers;
            resend = _client.Reconnect();
        }

        if (resend is not null)
        {
            _ = SendAsync(resend, connection);
        }

        await CatchupAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        if (_connection.State == HubConnectionState.Connected)
        {
            try
            {
                await _connection.InvokeAsync(HubMessages.Close, DocumentId).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HubException or InvalidOperationException or IOException or OperationCanceledException)
            {
                // Closing is a courtesy; disconnecting does the same.
            }
        }
    }

    private void Subscribe() =>
        _subscription = _connection.On<string, int, TextOperation, string>(HubMessages.Op, (documentId, revision, op, _) =>
        {
            if (documentId == DocumentId)
            {
                OnRemoteOp(revision, op);
            }
        });

    private void OnRemoteOp(int revision, TextOperation op)
    {
        ClientStep step;
        lock (_lock)
        {
            step = _client.ReceiveOp(revision, op);
            foreach (var apply in step.Apply)
            {
                _text = apply.Apply(_text);
            }

            UpdateSignal();
        }

        Follow(step);
    }

    private void OnAck(long seq, int revision)
    {
        ClientStep step;
        lock (_lock)
        {
            step = _client.ReceiveAck(seq, revision);
            foreach (var apply in step.Apply)
            {
                _text = apply.Apply(_text);
            }

            UpdateSignal();
        }

        Acknowledged?.Invoke(seq, revision);
        Follow(step);
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

        if (step.Send is not null)
        {
            _ = SendAsync(step.Send, _connection);
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
                OnAck(submission.Seq, ack.Revision);
                return;
            }
            catch (HubException e) when (e.Message.StartsWith(ErrorCodes.RateLimited, StringComparison.Ordinal)
                || e.Message.StartsWith(ErrorCodes.Unavailable, StringComparison.Ordinal))
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
