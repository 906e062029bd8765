using System.Collections.Concurrent;
using System.Threading.Channels;
using CollabEdit.Ot;
using CollabEdit.Ot.Sync;
using CollabEdit.Protocol;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Diagnostics;
using CollabEdit.Server.Storage;

namespace CollabEdit.Server.Documents;

/// <summary>
/// The one writer of one open document. Everything that changes it or must see a consistent
/// revision goes through its queue, read by one loop: so the OT authority needs no locks.
/// <para>
/// Group commit: the loop takes everything queued, applies it in order, writes the new ops in one
/// storage request, waits until that is durable, and only then answers the callers and broadcasts
/// the ops in revision order. Answers that reveal a revision (Open, Catchup, even a retry's ack)
/// wait for the same write, so no client ever sees an op that might still be lost.
/// </para>
/// </summary>
public sealed partial class DocumentSession
{
    private const int MaxCommandsPerBatch = 4096;
    private const int MaxCatchupOps = 100_000;
    private const int MaxCatchupReadOps = 1000;

    /// <summary>How many times a batch is transformed and committed again after another process committed first.</summary>
    private const int MaxCommitAttempts = 8;
    private const int MaxRememberedPeers = 10_000;

    private readonly Channel<Command> _commands = Channel.CreateUnbounded<Command>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IDocumentStorage _store;

    // The document's stored history bytes, as counted for its quota (CheckQuota), with this batch's ops.
    private long _storedBytes;

    // Ops of failed writes, which healing the store may have kept: see AnnounceHealed.
    private readonly List<PendingOp> _unannounced = [];
    private readonly IOpBroadcaster _broadcaster;
    private readonly EditLimits _limits;
    private readonly StorageOptions _storage;
    private readonly OpValidator _validator;
    private readonly TimeProvider _time;
    private readonly CollabEditMetrics _metrics;
    private readonly IStorageAllowance _allowance;
    private readonly ILogger _log;
    private ServerAuthority? _authority;

    // Who wrote each unit of the authority's text, moved with every op it commits or learns; set by Load.
    private Authorship _authorship = Authorship.Empty;
    private int _snapshotRevision;

    // The loaded snapshot had no authorship (written by an older build): the snapshot at unload carries it, even with no new op.
    private bool _snapshotLacksAuthorship;
    private long _lastActivityTicks;
    private int _loadedLength;
    private int _knownRevision = -1;
    private int _committingRevision = -1;
    private int _refreshQueued;

    // Peer id → connection id of this process's submitters (loop-owned), so an op read back from
    // the store is not broadcast to the connection that sent it. Forgotten wholesale when large.
    private readonly Dictionary<string, string> _connectionsByPeer = new(StringComparer.Ordinal);

    // Peer id → the author its ops are credited to (loop-owned), for clients that keep authorship
    // up to date from broadcast ops. Forgotten wholesale when large.
    private readonly Dictionary<string, string> _authorsByPeer = new(StringComparer.Ordinal);

    // Ops after .After up to .UpTo belong in the authority's window but are not read yet.
    private (int After, int UpTo) _olderHistory;

    public DocumentSession(
        string id,
        IDocumentStorage store,
        IOpBroadcaster broadcaster,
        EditLimits limits,
        StorageOptions storage,
        TimeProvider time,
        CollabEditMetrics metrics,
        IStorageAllowance allowance,
        ILogger log)
    {
        Id = id;
        _store = store;
        _broadcaster = broadcaster;
        _limits = limits;
        _storage = storage;
        _validator = new OpValidator(limits, store);
        _time = time;
        _metrics = metrics;
        _allowance = allowance;
        _log = log;
        LastActivity = time.GetUtcNow();
        Completion = Task.Run(RunAsync);
    }

    public string Id { get; }

    /// <summary>Who is here: presence by peer id. Not document content, so not behind the queue.</summary>
    public ConcurrentDictionary<string, PeerPresence> Presence { get; } = new(StringComparer.Ordinal);

    /// <summary>Leases held by connections and requests; managed by the registry under its lock.</summary>
    internal int Leases { get; set; }

    /// <summary>
    /// When the session last finished a batch or lost a lease. Written by the session's loop
    /// without the registry's lock and read under it, so it is kept as ticks read and written
    /// whole (a DateTimeOffset is two fields, and a read could tear).
    /// </summary>
    internal DateTimeOffset LastActivity
    {
        get => new(Volatile.Read(ref _lastActivityTicks), TimeSpan.Zero);
        set => Volatile.Write(ref _lastActivityTicks, value.UtcTicks);
    }

    /// <summary>UTF-16 units of the loaded text after the last batch (0 when not loaded): what the registry's memory budget counts.</summary>
    internal int LoadedLength => Volatile.Read(ref _loadedLength);

    /// <summary>The revision the session last knew durable (-1 before it loaded): what another process's commit is compared with.</summary>
    internal int KnownRevision => Volatile.Read(ref _knownRevision);

    /// <summary>
    /// The revision this session's write in progress would reach (its own NOTIFY may arrive before
    /// the write's answer): a commit notified up to here needs no refresh. Never used for what
    /// clients were sent; if the write fails, the fence and the next batch's catch-up cover it.
    /// </summary>
    internal int CommittingRevision => Volatile.Read(ref _committingRevision);

    /// <summary>Completes when the loop has stopped after <see cref="CloseAsync"/>.</summary>
    public Task Completion { get; }

    /// <summary>True once loading found no such document (deleted): the registry drops the session when nobody holds it.</summary>
    public bool Missing { get; private set; }

    public Task<OpenedDocument> OpenAsync() => Send(new OpenCommand());

    public Task<int> SubmitAsync(SubmitRequest request) => Send(new SubmitCommand(request, _time.GetTimestamp()));

    public Task<IReadOnlyList<StoredOp>> CatchupAsync(int fromRevision) => Send(new CatchupCommand(fromRevision));

    /// <summary>
    /// Commits the op that turns the current text into <paramref name="text"/> (that of
    /// <paramref name="fromRevision"/>), recorded as a restore of it; returns its revision.
    /// </summary>
    public Task<int> RestoreAsync(string text, string author, int fromRevision) => Send(new RestoreCommand(text, author, fromRevision));

    /// <summary>Who wrote each unit of the text at the current revision, and the authors of the peers present.</summary>
    public Task<AuthorshipMessage> AuthorshipAsync() => Send(new AuthorshipCommand());

    /// <summary>
    /// Asks the loop to read what other processes committed and broadcast it (at most one such
    /// request waits at a time). Fire and forget: a refresh that fails is healed by the next batch.
    /// </summary>
    public void Refresh()
    {
        if (Interlocked.Exchange(ref _refreshQueued, 1) == 0)
        {
            _ = Send(new RefreshCommand()).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
    }

    /// <summary>Writes a snapshot if the text moved since the last one, then stops the loop.</summary>
    public Task CloseAsync() => Send(new CloseCommand());

    private Task<T> Send<T>(Command<T> command)
    {
        if (!_commands.Writer.TryWrite(command))
        {
            return Task.FromException<T>(new SessionClosedException());
        }

        return command.Completion.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<Command>();
        var answers = new List<Action>();
        var committed = new List<PendingOp>();
        var reader = _commands.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            answers.Clear();
            committed.Clear();
            while (batch.Count < MaxCommandsPerBatch && reader.TryRead(out var command))
            {
                batch.Add(command);
            }

            var close = batch.OfType<CloseCommand>().FirstOrDefault();
            if (close is not null)
            {
                _commands.Writer.TryComplete();
            }

            Interlocked.Exchange(ref _refreshQueued, 0);
            if (!await CommitBatchAsync(batch, answers, committed).ConfigureAwait(false))
            {
                continue;
            }

            // Before the answers: an Open's caller checks the memory budget as soon as it is answered.
            Volatile.Write(ref _loadedLength, _authority?.Document.Length ?? 0);
            foreach (var answer in answers)
            {
                answer();
            }

            AnnounceHealed(committed.Count > 0 ? committed[0].Op.Revision : int.MaxValue);
            foreach (var pending in committed)
            {
                _broadcaster.Broadcast(Id, pending.Op.Revision, pending.Op.Operation, pending.Op.PeerId, pending.ConnectionId);
                AnnounceRestore(pending.Op);
            }

            LastActivity = _time.GetUtcNow();
            if (close is not null)
            {
                await CloseNowAsync(close).ConfigureAwait(false);
                return;
            }

            // Idle after an Open: read the rest of the window now rather than in the first submit.
            if (_authority is not null && _olderHistory.UpTo > _olderHistory.After && !reader.TryPeek(out _))
            {
                try
                {
                    LoadOlderHistory();
                }
                catch (CollabException)
                {
                    // Logged; the first submit tries again.
                }
            }
        }
    }

    /// <summary>
    /// Loads the document if needed, takes in what other processes committed, processes the batch
    /// and makes its ops durable. When another process committed first (the storage's fence), the
    /// state is read again and the batch's unanswered commands processed again, up to
    /// <see cref="MaxCommitAttempts"/> times. False when the batch's callers were failed.
    /// </summary>
    private async Task<bool> CommitBatchAsync(List<Command> batch, List<Action> answers, List<PendingOp> committed)
    {
        for (int attempt = 1; ; attempt++)
        {
            answers.Clear();
            committed.Clear();
            if (!TryLoad(batch) || !await TryCatchUpAsync(batch).ConfigureAwait(false))
            {
                return false;
            }

            // On a shared store the fence can refuse this batch after it committed in memory: its
            // commits stay tentative until durable, so a conflict takes them back (RollBack).
            long storedBytesBefore = _storedBytes;
            var authorshipBefore = _authorship;
            if (_store.IsShared)
            {
                _authority!.BeginTentative();
            }

            bool reload = false;
            foreach (var command in batch)
            {
                if (command is CloseCommand || command.IsDone)
                {
                    continue;
                }

                try
                {
                    Process(command, answers, committed);
                }
                catch (CollabException e)
                {
                    command.Fail(e);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A bug or a failed read: this caller gets an error, the loop lives on, and the
                    // state is read again from the store once this batch's commits are durable.
                    LogCommandFailed(e, Id, command.GetType().Name);
                    command.Fail(new CollabException(ErrorCodes.Unavailable, "The server could not process this request; retry later."));
                    reload = true;
                }
            }

            switch (await PersistAsync(batch, committed).ConfigureAwait(false))
            {
                case Persisted.Durable:
                    _authority?.AcceptTentative();
                    if (reload)
                    {
                        _authority = null;
                    }

                    return true;
                case Persisted.Conflict when attempt < MaxCommitAttempts:
                    // Another process committed first: nothing of this batch was stored. Take the
                    // batch back; the next attempt's catch-up reads only the ops this session
                    // missed, and the batch is transformed again on top of them.
                    RollBack(reload, storedBytesBefore, authorshipBefore);
                    _metrics.RecordCommitRetry();
                    continue;
                case Persisted.Conflict:
                    RollBack(reload, storedBytesBefore, authorshipBefore);
                    FailAll(batch, new CollabException(ErrorCodes.Unavailable, "The document is too busy to commit this op now; retry later."));
                    return false;
                default:
                    return false;
            }
        }
    }

    /// <summary>
    /// Undoes a batch the fence refused: the authority as before it (text, revision, window,
    /// retries), the quota's count and the authorship spans too. A full reload only when that
    /// cannot be done (a command failed unexpectedly, or the batch outgrew the kept window).
    /// </summary>
    private void RollBack(bool reload, long storedBytesBefore, Authorship authorshipBefore)
    {
        var authority = _authority;
        if (authority is null)
        {
            return;
        }

        if (!reload)
        {
            try
            {
                authority.RollBackTentative();
                _storedBytes = storedBytesBefore;
                _authorship = authorshipBefore;
                Volatile.Write(ref _committingRevision, authority.Revision);
                return;
            }
            catch (InvalidOperationException e)
            {
                LogRollBackFailed(Id, e.Message);
            }
        }

        _authority = null;
    }

    /// <summary>
    /// On a shared storage, takes in the ops other processes committed since this session's
    /// revision, in order, and broadcasts them to this process's clients. A failed read fails the
    /// batch (unavailable) and drops the state, rather than committing on a view that may be stale.
    /// The read is awaited, not blocked on: every batch of every loaded document makes one, and a
    /// thread-pool thread held per round trip starves the hub and the acks of the whole process.
    /// </summary>
    private async Task<bool> TryCatchUpAsync(List<Command> batch)
    {
        if (!_store.IsShared)
        {
            return true;
        }

        var authority = _authority!;
        try
        {
            while (true)
            {
                var missed = await _store.ReadOpsAsync(Id, authority.Revision, int.MaxValue, MaxCatchupReadOps, CancellationToken.None).ConfigureAwait(false);
                if (missed.Count > 0 && missed[0].Revision != authority.Revision + 1)
                {
                    // The ops after this session's revision are gone from the log: read the document whole.
                    _authority = null;
                    return TryLoad(batch);
                }

                foreach (var op in missed)
                {
                    authority.AcceptCommitted(op.Op);
                    _authorship = AuthorshipHistory.Apply(_authorship, op);
                    CountStored(op.Op);
                    BroadcastStored(op);
                }

                if (missed.Count > 0)
                {
                    LogCaughtUp(Id, authority.Revision, missed.Count);
                    _metrics.RecordLearned(missed.Count);
                }

                if (missed.Count < MaxCatchupReadOps)
                {
                    break;
                }
            }

            Volatile.Write(ref _knownRevision, authority.Revision);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogLoadFailed(e, Id);
            _authority = null;
            FailAll(batch, new CollabException(ErrorCodes.Unavailable, "The document could not be read; retry later."));
            return false;
        }
    }

    /// <summary>
    /// After a reload (a conflict, a failed write), broadcasts the stored ops between what this
    /// process's clients were last sent and the loaded revision: committed by other processes, or
    /// by a write whose answer was lost, they would otherwise never reach them.
    /// </summary>
    private void BroadcastMissed(int loadedRevision)
    {
        // Only a shared store: LiteDB's readers may see a failed write's ops, which were never durable.
        int known = Volatile.Read(ref _knownRevision);
        while (_store.IsShared && known >= 0 && known < loadedRevision)
        {
            var missed = _store.ReadOps(Id, known, loadedRevision, MaxCatchupReadOps);
            if (missed.Count == 0)
            {
                break;
            }

            foreach (var op in missed)
            {
                BroadcastStored(op);
            }

            known = missed[^1].Revision;
        }

        Volatile.Write(ref _knownRevision, loadedRevision);
    }

    /// <summary>
    /// Broadcasts an op read from the store rather than committed by this batch. It skips the
    /// connection that submitted it here, if any: a write whose answer was lost may still have
    /// committed, and its sender, whose retry will be answered as a duplicate, must not also
    /// receive it as someone else's op. (A client that moved here from another process is in
    /// "awaiting resend" and sorts this out itself, as after any reconnect.)
    /// </summary>
    private void BroadcastStored(StoredOp op)
    {
        RememberAuthor(op);
        _broadcaster.Broadcast(Id, op.Revision, op.Operation, op.PeerId, _connectionsByPeer.GetValueOrDefault(op.PeerId));
        AnnounceRestore(op);
    }

    /// <summary>After a restore's op, tells everyone with the document open (its author too) what it was.</summary>
    private void AnnounceRestore(StoredOp op)
    {
        if (op.RestoredFrom is int from)
        {
            _broadcaster.Restored(Id, op.Revision, from, op.Author);
        }
    }

    private void RememberAuthor(StoredOp op)
    {
        if (_authorsByPeer.Count >= MaxRememberedPeers)
        {
            _authorsByPeer.Clear();
        }

        _authorsByPeer[op.PeerId] = op.Author;
    }

    private void RememberConnection(SubmitRequest request)
    {
        if (request.ConnectionId is null)
        {
            return;
        }

        if (_connectionsByPeer.Count >= MaxRememberedPeers)
        {
            _connectionsByPeer.Clear();
        }

        _connectionsByPeer[request.PeerId] = request.ConnectionId;
    }

    /// <summary>Fails every caller of the batch; a close completes (the loop stops after this batch).</summary>
    private static void FailAll(List<Command> batch, Exception failure)
    {
        foreach (var command in batch)
        {
            if (command is CloseCommand)
            {
                command.Complete();
            }
            else
            {
                command.Fail(failure);
            }
        }
    }

    private void Process(Command command, List<Action> answers, List<PendingOp> committed)
    {
        var authority = _authority!;
        switch (command)
        {
            case OpenCommand open:
                var opened = new OpenedDocument(authority.Revision, authority.Document.ToString());
                answers.Add(() => open.Completion.TrySetResult(opened));
                break;
            case SubmitCommand submit:
                LoadOlderHistory();
                int committedAs = Commit(submit.Request, committed);
                answers.Add(() =>
                {
                    _metrics.RecordAckLatency(_time.GetElapsedTime(submit.ReceivedAt));
                    submit.Completion.TrySetResult(committedAs);
                });
                break;
            case RestoreCommand restore:
                LoadOlderHistory();
                var op = TextDiff.Between(authority.Document.ToString(), restore.Text);
                var request = new SubmitRequest($"restore:{Guid.NewGuid():N}", 1, authority.Revision, op, restore.Author, "server", null, restore.FromRevision);
                int restoredAs = Commit(request, committed);
                answers.Add(() => restore.Completion.TrySetResult(restoredAs));
                break;
            case AuthorshipCommand authorship:
                var answer = new AuthorshipMessage(
                    authority.Revision,
                    AuthorshipHistory.ToMessages(_authorship),
                    [.. Presence.Keys.Where(_authorsByPeer.ContainsKey).Select(peer => AuthorshipHistory.ToMessage(peer, _authorsByPeer[peer]))]);
                answers.Add(() => authorship.Completion.TrySetResult(answer));
                break;
            case RefreshCommand refresh:
                // The catch-up before the batch did the work.
                answers.Add(() => refresh.Completion.TrySetResult(true));
                break;
            case CatchupCommand catchup:
                var ops = Catchup(catchup.FromRevision, committed);
                answers.Add(() => catchup.Completion.TrySetResult(ops));
                break;
        }
    }

    private int Commit(SubmitRequest request, List<PendingOp> committed)
    {
        var authority = _authority!;

        // A retry of a committed op is answered with its revision whatever the limits say now (a
        // document that has since reached its size limit must not refuse what it already holds).
        if (!authority.IsRetry(request.ClientId, request.Seq))
        {
            _validator.Check(authority, request);
            CheckQuota(_validator.StoredBytesBound(authority, request));
        }

        var result = authority.Submit(request.ClientId, request.Seq, request.BaseRevision, request.Operation);
        if (result.Error == SubmitError.RevisionTooOld && authority.OldestBaseRevision - request.BaseRevision <= _limits.MaxResendLag)
        {
            // Behind the window, but not far: an honest client's resend after `unavailable` keeps
            // its base, and a busy document can move past the window meanwhile. The ops it missed
            // are read from the log (a retry of one of them is recognised there).
            var older = ReadOlder(request.BaseRevision, authority.OldestBaseRevision);
            try
            {
                result = authority.SubmitFromBefore(request.ClientId, request.Seq, request.BaseRevision, request.Operation, older);
            }
            catch (ArgumentException)
            {
                // The log does not hold them all (any more): too old after all.
            }
        }

        switch (result.Error)
        {
            case SubmitError.None:
                break;
            case SubmitError.RevisionTooOld:
                throw new CollabException(ErrorCodes.RevisionTooOld, result.Message!);
            default:
                throw new CollabException(ErrorCodes.InvalidOp, result.Message!);
        }

        if (!result.IsDuplicate)
        {
            CountStored(result.Op!);
            var op = new StoredOp(Id, result.Op!, request.Author, request.PeerId, _time.Now(), request.RestoredFrom);
            _authorship = AuthorshipHistory.Apply(_authorship, op);
            committed.Add(new PendingOp(op, request.ConnectionId));
            RememberConnection(request);
            RememberAuthor(op);
        }

        return result.Revision;
    }

    /// <summary>Adds a committed op (here or, on a shared store, by another process) to the history bytes the quota counts.</summary>
    private void CountStored(CommittedOp op)
    {
        long inserted = op.Submitted.Components.Sum(c => c is Insert i ? (long)i.Text.Length : 0);
        _storedBytes += _store.StoredOpBytesBound(op.Operation.Components.Count, op.Submitted.Components.Count, inserted);
    }

    /// <summary>
    /// Refuses an op that would take the document's stored history past its quota, or past what its
    /// owner's account quota leaves it (<see cref="IStorageAllowance"/>).
    /// </summary>
    private void CheckQuota(long opBytes)
    {
        long limit = _limits.MaxDocumentStoredBytes;
        if (_storedBytes + opBytes > limit)
        {
            throw new CollabException(ErrorCodes.QuotaExceeded, $"The document's history holds {_storedBytes:N0} bytes; its quota is {limit:N0}. Nothing was committed.");
        }

        long allowed = _allowance.MostStoredBytes(Id, _storedBytes);
        if (_storedBytes + opBytes > allowed)
        {
            throw new CollabException(ErrorCodes.QuotaExceeded, "The owner's account has used its storage quota (its documents' history, trash included); delete or purge some. Nothing was committed.");
        }
    }

    /// <summary>The committed ops after <paramref name="afterRevision"/> up to <paramref name="toRevision"/>, from the log.</summary>
    private List<CommittedOp> ReadOlder(int afterRevision, int toRevision)
    {
        try
        {
            return [.. _store.ReadOps(Id, afterRevision, toRevision).Select(op => op.Op)];
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogLoadFailed(e, Id);
            throw new CollabException(ErrorCodes.Unavailable, "The document's history could not be read; retry later.");
        }
    }

    private List<StoredOp> Catchup(int fromRevision, List<PendingOp> committed)
    {
        var authority = _authority!;
        if (fromRevision < 0 || fromRevision > authority.Revision)
        {
            throw new CollabException(ErrorCodes.InvalidOp, $"fromRevision {fromRevision} is outside 0…{authority.Revision}.");
        }

        if (authority.Revision - fromRevision > MaxCatchupOps)
        {
            throw new CollabException(ErrorCodes.RevisionTooOld, $"More than {MaxCatchupOps} ops behind: reload the document.");
        }

        // The store has everything durable before this batch; this batch's ops are in memory.
        // The answer is cut at MaxCatchupBytes: the client asks again from its last revision.
        int durable = authority.Revision - committed.Count;
        bool full = false;
        var ops = fromRevision < durable
            ? OpPages.Read(_store, Id, fromRevision, durable, int.MaxValue, _limits.MaxCatchupBytes, out full)
            : [];
        if (!full)
        {
            long bytes = ops.Sum(OpPages.EstimatedBytes);
            _ = OpPages.TryAddAll(ops, committed.Select(p => p.Op).Where(op => op.Revision > fromRevision), ref bytes, _limits.MaxCatchupBytes);
        }

        return ops;
    }

    /// <summary>Makes this batch's ops durable. On failure, fails every caller and drops the in-memory state, which is now ahead of the disk.</summary>
    private async Task<Persisted> PersistAsync(List<Command> batch, List<PendingOp> committed)
    {
        var authority = _authority!;
        Snapshot? snapshot = committed.Count > 0 && authority.Revision - _snapshotRevision >= _storage.SnapshotInterval
            ? new Snapshot(authority.Revision, authority.Document.ToString(), _authorship)
            : null;
        try
        {
            Volatile.Write(ref _committingRevision, authority.Revision);

            // Nothing new: answers (a retry's ack, Open) still reveal only what is durable.
            await (committed.Count == 0
                ? _store.ConfirmDurableAsync()
                : _store.AppendAsync(Id, [.. committed.Select(p => p.Op)], snapshot, _storedBytes)).ConfigureAwait(false);
        }
        catch (DocumentMissingException)
        {
            // Deleted under this session: only its callers fail, and they learn why.
            _authority = null;
            Missing = true;
            var failure = new CollabException(ErrorCodes.NotFound, $"Document {Id} was deleted.");
            foreach (var command in batch)
            {
                command.Fail(failure);
            }

            return Persisted.Failed;
        }
        catch (RevisionConflictException e)
        {
            LogCommitConflict(Id, committed[0].Op.Revision, committed.Count, e.Message);
            return Persisted.Conflict;
        }
        catch (StorageUnavailableException e)
        {
            LogCommitFailed(e, Id, committed.Count > 0 ? committed[0].Op.Revision : authority.Revision, committed.Count);
            _authority = null; // Reload from the store on the next command.
            if (!_store.IsShared)
            {
                // A shared store's reload broadcasts what was kept (BroadcastMissed); announcing here too would send it twice.
                _unannounced.AddRange(committed);
            }

            var failure = new CollabException(ErrorCodes.Unavailable, "Storage is unavailable; nothing was committed. Retry later.");
            foreach (var command in batch)
            {
                command.Fail(failure);
            }

            return Persisted.Failed;
        }

        Volatile.Write(ref _knownRevision, authority.Revision);
        if (committed.Count == 0)
        {
            return Persisted.Durable;
        }

        if (snapshot is not null)
        {
            _snapshotRevision = snapshot.Revision;
            _snapshotLacksAuthorship = false;
        }

        _metrics.RecordCommit(committed.Count);
        LogCommitted(Id, committed[^1].Op.Revision, committed.Count);
        return Persisted.Durable;
    }

    /// <summary>
    /// After a write succeeds, broadcasts the ops of failed writes that the store kept after all.
    /// A failed write can leave its ops committed in memory (the journal append or its sync failed),
    /// and healing the store makes them durable: their senders learn their revision from a retry's
    /// ack, but nobody else would ever receive them, and a client waits for revisions in order.
    /// Any success after a failure comes after that healing, so whatever the store now holds is
    /// durable; an op it does not hold was rolled back, and its sender resubmits it.
    /// </summary>
    private void AnnounceHealed(int committedFrom)
    {
        if (_unannounced.Count == 0)
        {
            return;
        }

        // Each revision once, and what the store holds (not the memory of a failed write): after
        // several failures in a row the same (clientId, seq) can have been committed in memory more
        // than once, transformed differently, and a client keeps the first op it gets for a revision.
        // Revisions this batch committed are broadcast with it.
        foreach (int revision in _unannounced.Select(p => p.Op.Revision).Where(r => r < committedFrom).Distinct().Order())
        {
            var stored = _store.ReadOps(Id, revision - 1, revision, 1);
            var kept = _unannounced.LastOrDefault(p => p.Op.Revision == revision && stored.Count == 1
                && stored[0].Op.ClientId == p.Op.Op.ClientId && stored[0].Op.Seq == p.Op.Op.Seq && stored[0].PeerId == p.Op.PeerId);
            if (kept.Op is not null)
            {
                _broadcaster.Broadcast(Id, revision, stored[0].Operation, stored[0].PeerId, kept.ConnectionId);
            }
        }

        _unannounced.Clear();
    }

    private bool TryLoad(List<Command> batch)
    {
        if (_authority is not null)
        {
            return true;
        }

        CollabException? failure = null;
        try
        {
            var document = _store.GetDocument(Id);
            if (document is null)
            {
                Missing = true;
                failure = new CollabException(ErrorCodes.NotFound, $"No document {Id}.");
            }
            else
            {
                _authority = Load(document);
                BroadcastMissed(_authority.Revision);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogLoadFailed(e, Id);
            failure = new CollabException(ErrorCodes.Unavailable, "The document could not be loaded; retry later.");
        }

        if (failure is null)
        {
            return true;
        }

        foreach (var command in batch)
        {
            if (command is CloseCommand)
            {
                _commands.Writer.TryComplete();
                command.Complete();
            }
            else
            {
                command.Fail(failure);
            }
        }

        return false;
    }

    private ServerAuthority Load(StoredDocument document)
    {
        int revision = document.Revision;
        var snapshot = _store.GetSnapshot(Id, document.SnapshotRevision)
            ?? _store.LatestSnapshot(Id, revision)
            ?? throw new InvalidOperationException($"Document {Id} has no snapshot.");

        // The text needs only the ops after the snapshot. The rest of the window that retries and
        // late submits are checked against (MaxRevisionLag ops) is read after Open is answered,
        // or by the first submit, whichever comes first: opening a long history stays fast.
        var ops = _store.ReadOps(Id, snapshot.Revision, revision);
        var text = new TextDocument(snapshot.Text);
        foreach (var op in ops)
        {
            text.Apply(op.Operation);
        }

        _metrics.RecordDocumentLoad();
        // Authorship from the same snapshot and ops; a snapshot from before authorship was kept
        // replays from an older one that has it (once: the next snapshot written carries it).
        _snapshotLacksAuthorship = snapshot.Authorship is null;
        _authorship = snapshot.Authorship is { } authorship
            ? ops.Aggregate(authorship, AuthorshipHistory.Apply)
            : AuthorshipHistory.At(_store, document, revision, CancellationToken.None);

        _snapshotRevision = snapshot.Revision;
        _storedBytes = document.StoredBytes;
        _olderHistory = (Math.Max(0, revision - _limits.MaxRevisionLag), snapshot.Revision);
        LogLoaded(Id, revision, revision - snapshot.Revision);
        return new ServerAuthority(text.ToString(), revision, _limits.MaxRevisionLag, ops.Select(op => op.Op));
    }

    /// <summary>Reads the part of the window that <see cref="Load"/> left out, if any; before any submit.</summary>
    private void LoadOlderHistory()
    {
        var (after, upTo) = _olderHistory;
        if (upTo <= after)
        {
            return;
        }

        try
        {
            _authority!.PrependHistory([.. _store.ReadOps(Id, after, upTo).Select(op => op.Op)]);
            _olderHistory = default;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogLoadFailed(e, Id);
            throw new CollabException(ErrorCodes.Unavailable, "The document's recent history could not be read; retry later.");
        }
    }

    private async Task CloseNowAsync(CloseCommand close)
    {
        // Anything that raced in after Close was accepted into the channel is refused, not lost silently.
        while (_commands.Reader.TryRead(out var late))
        {
            late.Fail(new SessionClosedException());
        }

        try
        {
            var authority = _authority;
            if (authority is not null && (authority.Revision > _snapshotRevision || _snapshotLacksAuthorship))
            {
                await _store.WriteSnapshotAsync(Id, new Snapshot(authority.Revision, authority.Document.ToString(), _authorship)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The op log is complete without it; opening replays a few more ops. Whatever the
            // failure (the storage unavailable, the document deleted meanwhile), the session closes:
            // a snapshot is derived data and never keeps a session loaded.
            LogSnapshotFailed(e, Id);
        }

        close.Complete();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Document {DocumentId} committed up to revision {Revision} ({OpCount} ops in one write)")]
    private partial void LogCommitted(string documentId, int revision, int opCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Document {DocumentId} could not commit {OpCount} ops from revision {Revision}; callers get unavailable")]
    private partial void LogCommitFailed(Exception exception, string documentId, int revision, int opCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Document {DocumentId} loaded at revision {Revision}, replaying {ReplayedOps} ops after its snapshot")]
    private partial void LogLoaded(string documentId, int revision, int replayedOps);

    [LoggerMessage(Level = LogLevel.Error, Message = "Document {DocumentId}: a {Command} failed unexpectedly; its caller gets unavailable and the document is reloaded")]
    private partial void LogCommandFailed(Exception exception, string documentId, string command);

    [LoggerMessage(Level = LogLevel.Error, Message = "Document {DocumentId} could not be loaded")]
    private partial void LogLoadFailed(Exception exception, string documentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document {DocumentId}: the snapshot at unload was not written")]
    private partial void LogSnapshotFailed(Exception exception, string documentId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Document {DocumentId}: another process committed first at revision {Revision} ({OpCount} ops not stored: {Reason}); transforming again")]
    private partial void LogCommitConflict(string documentId, int revision, int opCount, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document {DocumentId}: a refused batch could not be taken back ({Reason}); reloading it whole")]
    private partial void LogRollBackFailed(string documentId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Document {DocumentId} caught up to revision {Revision} ({OpCount} ops committed by other processes)")]
    private partial void LogCaughtUp(string documentId, int revision, int opCount);

    private enum Persisted
    {
        Durable,
        Failed,
        Conflict,
    }

    /// <summary>An op committed in memory, waiting for its write, and the connection to leave out of its broadcast.</summary>
    private readonly record struct PendingOp(StoredOp Op, string? ConnectionId);

    private abstract class Command
    {
        /// <summary>Answered or failed already (a batch processed again after a conflict skips it).</summary>
        public abstract bool IsDone { get; }

        public abstract void Fail(Exception exception);

        public abstract void Complete();
    }

    private abstract class Command<T> : Command
    {
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool IsDone => Completion.Task.IsCompleted;

        public override void Fail(Exception exception) => Completion.TrySetException(exception);

        public override void Complete() => Completion.TrySetResult(default!);
    }

    private sealed class OpenCommand : Command<OpenedDocument>;

    private sealed class RefreshCommand : Command<bool>;

    private sealed class CloseCommand : Command<bool>;

    private sealed class SubmitCommand(SubmitRequest request, long receivedAt) : Command<int>
    {
        public SubmitRequest Request { get; } = request;

        public long ReceivedAt { get; } = receivedAt;
    }

    private sealed class RestoreCommand(string text, string author, int fromRevision) : Command<int>
    {
        public string Text { get; } = text;

        public string Author { get; } = author;

        public int FromRevision { get; } = fromRevision;
    }

    private sealed class AuthorshipCommand : Command<AuthorshipMessage>;

    private sealed class CatchupCommand(int fromRevision) : Command<IReadOnlyList<StoredOp>>
    {
        public int FromRevision { get; } = fromRevision;
    }
}
