using CollabEdit.Client;
using CollabEdit.Ot;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.LoadDriver;

/// <summary>
/// A soak client: types into its own section at a fixed rate and, unlike <see cref="LoadClient"/>,
/// outlives its connection: when the server goes away it connects again (to wherever the server
/// is now), and <see cref="CollabDocument.ReconnectAsync"/> resends what was in flight. Every ack
/// is kept as (seq → revision) for the check at the end.
/// </summary>
internal sealed class SoakClient : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly Lock _lock = new();
    private readonly Dictionary<long, int> _acked = [];
    private readonly string _marker;
    private HubConnection _connection;
    private readonly CollabDocument _document;
    private TextAnchor? _sectionStart;
    private bool _disposing;

    /// <summary>
    /// The document's edit link, which every connection of this client presents (reconnections
    /// included): the client is a guest by its own name, so each op's author says which client sent it.
    /// </summary>
    private readonly string _linkToken;

    private SoakClient(HubConnection connection, CollabDocument document, string name, string marker, Workload workload, string linkToken)
    {
        _linkToken = linkToken;
        _connection = connection;
        _document = document;
        Name = name;
        _marker = marker;
        Workload = workload;
        document.Acknowledged += OnAcknowledged;
        document.Faulted += e => Fail($"submit refused: {e.Message}");
    }

    /// <summary>The name it opens the document with: the history's author of its ops.</summary>
    public string Name { get; }

    public Workload Workload { get; }

    public CollabDocument Document => _document;

    public string? Failure { get; private set; }

    public int Reconnects { get; private set; }

    public long AcksReceived { get; private set; }

    /// <summary>Every acknowledged submit: its seq and the revision the server gave it.</summary>
    public IReadOnlyDictionary<long, int> Acked
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<long, int>(_acked);
            }
        }
    }

    public static async Task<SoakClient> ConnectAsync(Uri server, string linkToken, string documentId, string name, string marker, Workload workload, CancellationToken cancellationToken)
    {
        var connection = await CollabConnection.ConnectAsync(server, linkToken: linkToken, cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            var document = await CollabDocument.OpenAsync(connection, documentId, name, cancellationToken).ConfigureAwait(false);
            return new SoakClient(connection, document, name, marker, workload, linkToken);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>One edit every 1/<paramref name="rate"/> s while connected; reconnects to <paramref name="server"/>() when the connection is gone.</summary>
    public async Task RunAsync(Func<Uri> server, double rate, double phase, CancellationToken stop)
    {
        var interval = TimeSpan.FromSeconds(1 / rate);
        try
        {
            await Task.Delay(interval * phase, stop).ConfigureAwait(false);
            while (!stop.IsCancellationRequested && Failure is null)
            {
                if (_connection.State == HubConnectionState.Disconnected)
                {
                    await ReconnectAsync(server, stop).ConfigureAwait(false);
                }
                else if (_connection.State == HubConnectionState.Connected)
                {
                    MakeEdit();
                }

                await Task.Delay(interval, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    /// <summary>Connects again until it works (the server may be restarting), then waits until nothing is unacknowledged.</summary>
    public async Task DrainAsync(Func<Uri> server, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (!deadline.IsCancellationRequested && Failure is null)
        {
            if (_connection.State == HubConnectionState.Disconnected)
            {
                await ReconnectAsync(server, deadline.Token).ConfigureAwait(false);
                continue;
            }

            try
            {
                await _document.WhenSynchronizedAsync().WaitAsync(TimeSpan.FromSeconds(1), deadline.Token).ConfigureAwait(false);
                return;
            }
            catch (TimeoutException)
            {
                // Still waiting for an ack; look at the connection again.
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception e) when (e is Microsoft.AspNetCore.SignalR.HubException or InvalidOperationException)
            {
                Fail(e.Message);
            }
        }

        if (Failure is null)
        {
            Fail($"not synchronized after {timeout.TotalSeconds} s ({_document.Describe()})");
        }
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

    private async Task ReconnectAsync(Func<Uri> server, CancellationToken cancellationToken)
    {
        if (_disposing)
        {
            return;
        }

        var connection = CollabConnection.Create(server(), linkToken: _linkToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ConnectTimeout);
            await connection.StartAsync(timeout.Token).ConfigureAwait(false);
            await _document.ReconnectAsync(connection, timeout.Token).ConfigureAwait(false);
            var old = _connection;
            _connection = connection;
            Reconnects++;
            _ = old.DisposeAsync().AsTask();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Not back yet (refused, timed out, closed during the open): try again shortly.
            await connection.DisposeAsync().ConfigureAwait(false);
            await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    private void MakeEdit()
    {
        _sectionStart ??= _document.CreateAnchor(text => Sections.Start(text, _marker));
        var section = _sectionStart;
        try
        {
            _document.EditByLength(length =>
            {
                var edit = Workload.Next();
                return TextOperation.Splice(length, section.Index + edit.Position, edit.DeleteCount, edit.Insert);
            });
        }
        catch (InvalidOperationException e)
        {
            Fail(e.Message);
        }
    }

    private void OnAcknowledged(long seq, int revision)
    {
        lock (_lock)
        {
            AcksReceived++;
            if (_acked.TryGetValue(seq, out int earlier) && earlier != revision)
            {
                Failure ??= $"seq {seq} acknowledged at revision {earlier} and again at {revision}";
            }

            _acked[seq] = revision;
        }
    }

    private void Fail(string reason)
    {
        lock (_lock)
        {
            Failure ??= reason;
        }
    }
}
