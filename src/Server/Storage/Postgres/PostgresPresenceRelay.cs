using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CollabEdit.Protocol;
using CollabEdit.Server.Hubs;
using Npgsql;

namespace CollabEdit.Server.Storage.Postgres;

/// <summary>
/// Presence across processes on one database (docs/design.md, "Presence across processes"). Each
/// process NOTIFYs <see cref="PostgresSchema.PresenceChannel"/> with its peers' presence, already
/// throttled per peer by <see cref="PresenceThrottle"/> and coalesced here per peer (latest wins)
/// into one notification every <see cref="FlushInterval"/> (more only when one would pass
/// PostgreSQL's 8000-byte payload limit). It LISTENs to the others and hands their peers to its
/// own connections like local ones. Presence carries the revision it was taken at, which is the
/// same on every process (the database orders each document), so receivers map it through later
/// ops exactly as they do a local peer's.
/// <para>
/// Notifications can be lost (a dropped listening connection, a paused process) and a process can
/// die without saying goodbye, so every process sends its peers' presence again every
/// <see cref="RefreshInterval"/>, and a remote peer not heard of for <see cref="Expiry"/> is
/// dropped (its PeerLeft sent), as a leave would.
/// </para>
/// </summary>
internal sealed partial class PostgresPresenceRelay(
    NpgsqlDataSource dataSource,
    ConnectionOutboxes outboxes,
    TimeProvider time,
    ILogger<PostgresPresenceRelay> log) : BackgroundService, IPresenceRelay
{
    /// <summary>PostgreSQL refuses a NOTIFY payload of 8000 bytes or more.</summary>
    public const int MaxPayloadBytes = 7900;

    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(10);

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // This process, so that its own notifications (every listener gets them) are skipped.
    private readonly string _process = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    // What waits to be sent: the latest per peer, null for a leave.
    private readonly ConcurrentDictionary<(string DocumentId, string PeerId), PeerPresence?> _outgoing = new();

    // This process's peers as last sent, for the periodic refresh.
    private readonly ConcurrentDictionary<(string DocumentId, string PeerId), PeerPresence> _local = new();

    // True from a failed send until one succeeds (the send loop's own).
    private bool _sendFailing;

    // Other processes' peers, with when they were last heard of.
    private readonly ConcurrentDictionary<(string DocumentId, string PeerId), RemotePeer> _remote = new();

    public void Published(string documentId, PeerPresence presence)
    {
        _local[(documentId, presence.PeerId)] = presence;
        _outgoing[(documentId, presence.PeerId)] = presence;
    }

    public void Left(string documentId, string peerId)
    {
        if (_local.TryRemove((documentId, peerId), out _))
        {
            _outgoing[(documentId, peerId)] = null;
        }
    }

    public IReadOnlyList<PeerPresence> Remote(string documentId) =>
        [.. _remote.Where(r => r.Key.DocumentId == documentId).Select(r => r.Value.Presence)];

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(SendLoopAsync(stoppingToken), ListenLoopAsync(stoppingToken));

    private async Task SendLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval, time);
        long lastRefresh = time.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (time.GetElapsedTime(lastRefresh) >= RefreshInterval)
                {
                    lastRefresh = time.GetTimestamp();
                    foreach (var (key, presence) in _local)
                    {
                        _outgoing.TryAdd(key, presence);
                    }

                    ExpireRemote();
                }

                await FlushAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Sends what waits, in as few notifications as the payload limit allows. A failure drops it (the refresh sends it again).</summary>
    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_outgoing.IsEmpty)
        {
            return;
        }

        var batch = new List<PresenceNoticeEntry>();
        foreach (var key in _outgoing.Keys)
        {
            if (_outgoing.TryRemove(key, out var presence))
            {
                batch.Add(new PresenceNoticeEntry(key.DocumentId, key.PeerId, presence));
            }
        }

        try
        {
            foreach (string payload in Payloads(_process, batch))
            {
                await using var notify = dataSource.CreateCommand("SELECT pg_notify($1, $2)");
                notify.Parameters.Add(new NpgsqlParameter { Value = PostgresSchema.PresenceChannel });
                notify.Parameters.Add(new NpgsqlParameter { Value = payload });
                await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            _sendFailing = false;
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
        {
            // Once per outage, not every 50 ms while the database is away.
            if (!_sendFailing)
            {
                _sendFailing = true;
                LogSendFailed(e);
            }
        }
    }

    /// <summary>The entries as JSON notices from <paramref name="process"/> of at most <see cref="MaxPayloadBytes"/> UTF-8 bytes each (one entry is far smaller).</summary>
    internal static IEnumerable<string> Payloads(string process, IReadOnlyList<PresenceNoticeEntry> entries)
    {
        int overhead = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(new PresenceNotice(process, []), Json));
        var part = new List<PresenceNoticeEntry>();
        int bytes = overhead;
        foreach (var entry in entries)
        {
            int size = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(entry, Json)) + 1;
            if (part.Count > 0 && bytes + size > MaxPayloadBytes)
            {
                yield return JsonSerializer.Serialize(new PresenceNotice(process, part), Json);
                part = [];
                bytes = overhead;
            }

            part.Add(entry);
            bytes += size;
        }

        if (part.Count > 0)
        {
            yield return JsonSerializer.Serialize(new PresenceNotice(process, part), Json);
        }
    }

    private async Task ListenLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
                connection.Notification += (_, e) => OnNotification(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresSchema.PresenceChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }

                while (true)
                {
                    await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                LogListenFailed(e);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void OnNotification(string payload)
    {
        PresenceNotice? notice;
        try
        {
            notice = JsonSerializer.Deserialize<PresenceNotice>(payload, Json);
        }
        catch (JsonException)
        {
            return; // Not ours (another version's); nothing to do with it.
        }

        if (notice is null || notice.Process == _process)
        {
            return;
        }

        long now = time.GetTimestamp();
        foreach (var entry in notice.Peers ?? [])
        {
            var key = (entry.DocumentId, entry.PeerId);
            if (entry.Presence is null)
            {
                if (_remote.TryRemove(key, out _))
                {
                    outboxes.SendPeerLeft(entry.DocumentId, entry.PeerId);
                }

                continue;
            }

            var presence = entry.Presence with { PeerId = entry.PeerId };
            bool changed = !_remote.TryGetValue(key, out var known) || known.Presence != presence;
            _remote[key] = new RemotePeer(presence, notice.Process, now);
            if (changed)
            {
                // No local connection is the sender: every one of this document's is told.
                outboxes.SendPresence(entry.DocumentId, exceptConnectionId: "", presence);
            }
        }
    }

    /// <summary>Drops the remote peers not heard of for <see cref="Expiry"/> (their process died or lost its database).</summary>
    private void ExpireRemote()
    {
        foreach (var (key, peer) in _remote)
        {
            if (time.GetElapsedTime(peer.HeardAt) >= Expiry && _remote.TryRemove(new KeyValuePair<(string, string), RemotePeer>(key, peer)))
            {
                LogExpired(key.DocumentId, key.PeerId, peer.Process);
                outboxes.SendPeerLeft(key.DocumentId, key.PeerId);
            }
        }
    }

    /// <summary>A peer of another process, and when it was last heard of (a timestamp of the relay's clock).</summary>
    private sealed record RemotePeer(PeerPresence Presence, string Process, long HeardAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending presence to other processes failed; it is sent again with each refresh (said once until a send succeeds)")]
    private partial void LogSendFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for other processes' presence failed; listening again in a second")]
    private partial void LogListenFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Document {DocumentId}: peer {PeerId} of process {Process} not heard of for a while; it left")]
    private partial void LogExpired(string documentId, string peerId, string process);
}
