using System.Security.Claims;
using CollabEdit.Server.Access;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// What the server keeps per hub connection: its public peer id, who is connected (the account, or
/// the share link presented), the documents it has open, its cached access decisions and its rate limits.
/// </summary>
internal sealed class ConnectionState(string connectionId, string peerId, ClaimsPrincipal user, string? linkToken, TokenBucket rateLimit, TokenBucket calls)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, OpenDocument> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<(string DocumentId, Capability Capability), (long Version, bool Allowed)> _decisions = [];

    public string ConnectionId { get; } = connectionId;

    public string PeerId { get; } = peerId;

    public ClaimsPrincipal User { get; } = user;

    /// <summary>The share link token given when connecting (query <c>link</c>), if any: it opens one document.</summary>
    public string? LinkToken { get; } = linkToken;

    /// <summary>One bucket for submits and presence updates alike: either floods the same document group.</summary>
    public TokenBucket RateLimit { get; } = rateLimit;

    /// <summary>Every hub call of this connection, whatever its method.</summary>
    public TokenBucket Calls { get; } = calls;

    /// <summary>How many documents are open on this connection.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _open.Count;
            }
        }
    }

    public OpenDocument? Get(string documentId)
    {
        lock (_lock)
        {
            return _open.GetValueOrDefault(documentId);
        }
    }

    public bool TryAdd(OpenDocument document)
    {
        lock (_lock)
        {
            return _open.TryAdd(document.Session.Id, document);
        }
    }

    /// <summary>Replaces what is kept about an open document (a guest's new name, a changed role); null if it is not open.</summary>
    public OpenDocument? Update(string documentId, Func<OpenDocument, OpenDocument> change)
    {
        lock (_lock)
        {
            if (!_open.TryGetValue(documentId, out var document))
            {
                return null;
            }

            return _open[documentId] = change(document);
        }
    }

    /// <summary>The decision cached for this document and capability at access version <paramref name="version"/>; null if none is.</summary>
    public bool? Decision(string documentId, Capability capability, long version)
    {
        lock (_lock)
        {
            return _decisions.TryGetValue((documentId, capability), out var cached) && cached.Version == version ? cached.Allowed : null;
        }
    }

    public void Remember(string documentId, Capability capability, long version, bool allowed)
    {
        lock (_lock)
        {
            // Bounded by the documents a connection asks about; a client probing many ids is bounded by its call rate and timeout.
            if (_decisions.Count >= 1024)
            {
                _decisions.Clear();
            }

            _decisions[(documentId, capability)] = (version, allowed);
        }
    }

    public OpenDocument? Remove(string documentId)
    {
        lock (_lock)
        {
            return _open.Remove(documentId, out var document) ? document : null;
        }
    }

    public List<OpenDocument> RemoveAll()
    {
        lock (_lock)
        {
            var all = _open.Values.ToList();
            _open.Clear();
            return all;
        }
    }
}
