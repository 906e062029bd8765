using System.Collections.Concurrent;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Documents;
using CollabEdit.Server.Storage;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Access;

/// <summary>
/// <c>CollabEdit:Auth:MaxStoredBytesPerAccount</c>: the history bytes of the documents an account
/// owns (its trash included), counted as the per-document quota counts them, may not pass it. Submits
/// and restores past it are refused by the document's session, creates here; both as <c>quota-exceeded</c>.
/// </summary>
/// <remarks>
/// Sessions ask before every op, so each account's usage is kept here: read from storage at most every
/// <see cref="RereadAfter"/> (other processes' writes, purges) and, in between, moved by what this
/// process's sessions report as they ask. Two processes writing the same account's documents at once
/// may pass the quota by what they commit within that time. A document's owner never changes, so it is
/// remembered per document.
/// </remarks>
internal sealed class AccountStorageQuota(IAccessStorage access, IDocumentStorage documents, IOptions<AuthOptions> options, TimeProvider time) : IStorageAllowance
{
    public static readonly TimeSpan RereadAfter = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, string> _owners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Usage> _usage = new(StringComparer.Ordinal);

    public long MostStoredBytes(string documentId, long storedBytes)
    {
        long max = options.Value.MaxStoredBytesPerAccount;
        if (max <= 0 || OwnerOf(documentId) is not { } ownerId)
        {
            return long.MaxValue;
        }

        var usage = UsageOf(ownerId);
        lock (usage)
        {
            usage.Report(documentId, storedBytes);
            return max - (usage.Total - storedBytes);
        }
    }

    /// <summary>Why the account may not create a document of <paramref name="bytes"/> stored bytes; null if it may.</summary>
    public string? RefusalToCreate(string accountId, long bytes)
    {
        long max = options.Value.MaxStoredBytesPerAccount;
        if (max <= 0)
        {
            return null;
        }

        var usage = UsageOf(accountId);
        lock (usage)
        {
            return usage.Total + bytes > max
                ? $"The account's documents hold {usage.Total:N0} bytes of its {max:N0}; delete or purge some first."
                : null;
        }
    }

    private string? OwnerOf(string documentId)
    {
        if (_owners.TryGetValue(documentId, out string? owner))
        {
            return owner;
        }

        owner = access.FindOwnership(documentId)?.OwnerId ?? access.FindAdministrator()?.Id;
        if (owner is not null)
        {
            if (_owners.Count >= 100_000)
            {
                _owners.Clear();
            }

            _owners[documentId] = owner;
        }

        return owner;
    }

    private Usage UsageOf(string accountId)
    {
        var usage = _usage.GetOrAdd(accountId, _ => new Usage());
        lock (usage)
        {
            long now = time.GetTimestamp();
            if (usage.ReadAt is not { } readAt || time.GetElapsedTime(readAt, now) >= RereadAfter)
            {
                usage.Reread(access.OwnedBy(accountId).Select(o => (o.DocumentId, documents.GetDocument(o.DocumentId)?.StoredBytes ?? 0)), now);
            }
        }

        return usage;
    }

    /// <summary>One account's stored bytes, per document and in all; guarded by its own lock.</summary>
    private sealed class Usage
    {
        private readonly Dictionary<string, long> _perDocument = new(StringComparer.Ordinal);

        public long Total { get; private set; }

        public long? ReadAt { get; private set; }

        public void Reread(IEnumerable<(string DocumentId, long Bytes)> stored, long now)
        {
            var live = new Dictionary<string, long>(_perDocument, StringComparer.Ordinal);
            _perDocument.Clear();
            Total = 0;
            foreach (var (documentId, bytes) in stored)
            {
                // What a session here reported may be ahead of what storage holds yet.
                Report(documentId, Math.Max(bytes, live.GetValueOrDefault(documentId)));
            }

            ReadAt = now;
        }

        public void Report(string documentId, long bytes)
        {
            Total += bytes - _perDocument.GetValueOrDefault(documentId);
            _perDocument[documentId] = bytes;
        }
    }
}
