namespace CollabEdit.Server.Hubs;

/// <summary>What the server keeps per hub connection: its public peer id, the documents it has open, its rate limits.</summary>
internal sealed class ConnectionState(string peerId, TokenBucket rateLimit, TokenBucket calls)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, OpenDocument> _open = new(StringComparer.Ordinal);

    public string PeerId { get; } = peerId;

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

    /// <summary>Changes the name the connection's later ops on <paramref name="documentId"/> carry.</summary>
    public OpenDocument? Rename(string documentId, string name)
    {
        lock (_lock)
        {
            if (!_open.TryGetValue(documentId, out var document))
            {
                return null;
            }

            return _open[documentId] = document with { Name = name };
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
