using System.Text;
using System.Text.Json;
using CollabEdit.Protocol;
using CollabEdit.Server.Storage.Postgres;

namespace CollabEdit.Server.Tests.Storage;

/// <summary>The presence relay's NOTIFY payloads: under PostgreSQL's 8000-byte limit however many peers wait, and nothing lost in the split.</summary>
public sealed class PresenceNoticeTests
{
    [Fact]
    public void Payloads_ManyPeersWithLongNames_AreSplitUnderTheLimit_AndReadBackWhole()
    {
        // Names of 64 characters outside ASCII (3 UTF-8 bytes each, one emoji of 4), leaves among them.
        string name = new string('é', 31) + new string('字', 31) + "👋";
        var entries = Enumerable.Range(0, 300)
            .Select(i => new PresenceNoticeEntry(
                $"doc-{i % 7}",
                $"peer{i:D8}",
                i % 10 == 0 ? null : new PeerPresence($"peer{i:D8}", name, "#1d4ed8", i, i + 1, 1000 + i)))
            .ToList();

        var payloads = PostgresPresenceRelay.Payloads("0123456789abcdef", entries).ToList();

        Assert.True(payloads.Count > 1);
        Assert.All(payloads, p => Assert.True(Encoding.UTF8.GetByteCount(p) <= PostgresPresenceRelay.MaxPayloadBytes, $"{Encoding.UTF8.GetByteCount(p)} bytes"));
        var read = payloads.Select(p => JsonSerializer.Deserialize<PresenceNotice>(p, PostgresPresenceRelay.Json)!).ToList();
        Assert.All(read, notice => Assert.Equal("0123456789abcdef", notice.Process));
        Assert.Equal(entries, read.SelectMany(notice => notice.Peers));
    }
}
