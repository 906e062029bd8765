using CollabEdit.Protocol;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Diagnostics;
using CollabEdit.Server.Storage;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Documents;

/// <summary>
/// The open documents: one <see cref="DocumentSession"/> each, created on first use. Connections
/// and requests hold leases; a document nobody holds is unloaded once idle (after a snapshot).
/// The lock guards only the map and the lease counts, never I/O.
/// </summary>
public sealed partial class DocumentRegistry(
    IDocumentStorage store,
    IOpBroadcaster broadcaster,
    IOptions<EditLimits> limits,
    IOptions<StorageOptions> storage,
    IOptions<IdleUnloadOptions> unloading,
    TimeProvider time,
    CollabEditMetrics metrics,
    IStorageAllowance allowance,
    ILoggerFactory loggers) : ICommittedElsewhere, IAsyncDisposable
{
    private readonly Dictionary<string, DocumentSession> _sessions = new(StringComparer.Ordinal);

    // Documents being deleted: no session is made for them until the delete has finished.
    private readonly HashSet<string> _deleting = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly ILogger<DocumentRegistry> _log = loggers.CreateLogger<DocumentRegistry>();
    private readonly ILoggerFactory _loggers = loggers;

    /// <summary>How many documents are loaded.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    /// <summary>True when the document exists in storage (a cheap check before loading a session).</summary>
    public bool Exists(string documentId) => store.GetDocument(documentId) is not null;

    /// <summary>The session of <paramref name="documentId"/>, loaded if needed, with a lease the caller must <see cref="Release"/>.</summary>
    public DocumentSession Acquire(string documentId)
    {
        lock (_lock)
        {
            if (_deleting.Contains(documentId))
            {
                throw new CollabException(ErrorCodes.NotFound, $"Document {documentId} is being deleted.");
            }

            if (!_sessions.TryGetValue(documentId, out var session))
            {
                session = new DocumentSession(documentId, store, broadcaster, limits.Value, storage.Value, time, metrics, allowance, _loggers.CreateLogger<DocumentSession>());
                _sessions.Add(documentId, session);
                metrics.DocumentOpened();
            }

            session.Leases++;
            return session;
        }
    }

    public void Release(DocumentSession session)
    {
        bool drop;
        lock (_lock)
        {
            session.Leases--;
            session.LastActivity = time.GetUtcNow();

            // A session whose document turned out not to exist (deleted) holds nothing: gone at once.
            drop = session.Leases <= 0 && session.Missing
                && _sessions.TryGetValue(session.Id, out var current) && ReferenceEquals(current, session)
                && _sessions.Remove(session.Id);
        }

        if (drop)
        {
            _ = CloseAsync(session);
        }
    }

    /// <summary>
    /// Gives back a lease taken for an Open that was then refused (the document went to the trash
    /// meanwhile): a session nobody else holds is dropped at once rather than left for the idle sweep.
    /// </summary>
    public void ReleaseRefused(DocumentSession session)
    {
        bool drop;
        lock (_lock)
        {
            session.Leases--;
            drop = session.Leases <= 0
                && _sessions.TryGetValue(session.Id, out var current) && ReferenceEquals(current, session)
                && _sessions.Remove(session.Id);
        }

        if (drop)
        {
            _ = CloseAsync(session);
        }
    }

    /// <summary>
    /// Deletes a document with <paramref name="delete"/> (the store's delete) so that no session
    /// outlives it: the loaded session is closed first, and none is made until the delete has
    /// finished (an Open racing it is refused with <c>not-found</c>).
    /// </summary>
    public async Task DeleteAsync(string documentId, Func<Task> delete)
    {
        DocumentSession? session;
        lock (_lock)
        {
            _deleting.Add(documentId);
            if (_sessions.Remove(documentId, out session))
            {
                session.Leases = 0;
            }
        }

        try
        {
            if (session is not null)
            {
                await CloseAsync(session).ConfigureAwait(false);
            }

            await delete().ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                _deleting.Remove(documentId);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the document's session under a lease, retrying on a fresh
    /// session (up to three times) if the one found was being unloaded.
    /// </summary>
    public async Task<T> RunAsync<T>(string documentId, Func<DocumentSession, Task<T>> action)
    {
        for (int attempt = 0; ; attempt++)
        {
            var session = Acquire(documentId);
            try
            {
                return await action(session).ConfigureAwait(false);
            }
            catch (SessionClosedException) when (attempt < 3)
            {
                // Unloaded under us: the next Acquire makes a new session.
            }
            finally
            {
                Release(session);
            }
        }
    }

    /// <summary>
    /// Keeps the loaded texts within <see cref="IdleUnloadOptions.MaxLoadedDocumentUnits"/> by
    /// unloading the least recently used documents nobody holds; false if they still do not fit
    /// (every loaded document is in use), and the caller refuses what would load more.
    /// </summary>
    public async Task<bool> FitLoadedAsync()
    {
        long budget = unloading.Value.MaxLoadedDocumentUnits;
        List<DocumentSession> unload = [];
        bool fits;
        lock (_lock)
        {
            long total = _sessions.Values.Sum(s => (long)s.LoadedLength);
            if (total > budget)
            {
                foreach (var idle in _sessions.Values.Where(s => s.Leases == 0).OrderBy(s => s.LastActivity).ToList())
                {
                    _sessions.Remove(idle.Id);
                    unload.Add(idle);
                    total -= idle.LoadedLength;
                    if (total <= budget)
                    {
                        break;
                    }
                }
            }

            fits = total <= budget;
        }

        foreach (var session in unload)
        {
            await CloseAsync(session).ConfigureAwait(false);
        }

        return fits;
    }

    /// <summary>Unloads every document nobody holds that has been idle for <paramref name="idleFor"/>.</summary>
    public async Task UnloadIdleAsync(TimeSpan idleFor)
    {
        var now = time.GetUtcNow();
        List<DocumentSession> idle;
        lock (_lock)
        {
            idle = [.. _sessions.Values.Where(s => s.Leases == 0 && now - s.LastActivity >= idleFor)];
            foreach (var session in idle)
            {
                _sessions.Remove(session.Id);
            }
        }

        foreach (var session in idle)
        {
            await CloseAsync(session).ConfigureAwait(false);
        }
    }

    /// <summary>A loaded session that is behind <paramref name="revision"/> reads what it missed and broadcasts it.</summary>
    public void Committed(string documentId, int revision)
    {
        DocumentSession? session;
        lock (_lock)
        {
            _ = _sessions.TryGetValue(documentId, out session);
        }

        if (session is not null && Math.Max(session.KnownRevision, session.CommittingRevision) < revision)
        {
            session.Refresh();
        }
    }

    /// <summary>
    /// Another process deleted the document: the session loaded here (if any) is closed at once,
    /// as <see cref="DeleteAsync"/> does, and whoever has it open here is told it is gone. The
    /// process that deleted it removed its own session before the delete committed, so its own
    /// notification finds nothing here and its clients are not told twice.
    /// </summary>
    public void Deleted(string documentId)
    {
        lock (_lock)
        {
            if (!_sessions.ContainsKey(documentId))
            {
                return;
            }
        }

        _ = Task.Run(async () =>
        {
            await DeleteAsync(documentId, static () => Task.CompletedTask).ConfigureAwait(false);
            broadcaster.DocumentDeleted(documentId);
        });
    }

    public IReadOnlyList<(string DocumentId, int Revision)> Loaded()
    {
        lock (_lock)
        {
            return [.. _sessions.Values.Select(s => (s.Id, s.KnownRevision))];
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<DocumentSession> all;
        lock (_lock)
        {
            all = [.. _sessions.Values];
            _sessions.Clear();
        }

        foreach (var session in all)
        {
            await CloseAsync(session).ConfigureAwait(false);
        }
    }

    private async Task CloseAsync(DocumentSession session)
    {
        try
        {
            await session.CloseAsync().ConfigureAwait(false);
            await session.Completion.ConfigureAwait(false);
        }
        catch (Exception e) when (e is SessionClosedException or CollabException)
        {
            // Already closed, or it never loaded: nothing to save.
        }
        finally
        {
            metrics.DocumentClosed();
            LogUnloaded(_log, session.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Document {DocumentId} unloaded")]
    private static partial void LogUnloaded(ILogger logger, string documentId);
}
