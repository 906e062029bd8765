using CollabEdit.Ot;
using CollabEdit.Ot.Sync;
using CollabEdit.Server.Storage;

namespace CollabEdit.Server.Tests.Storage;

/// <summary>
/// What every <see cref="IDocumentStorage"/> must do, whatever keeps the data. A backend runs this
/// suite unchanged by subclassing it and saying how to open, restart and crash its storage (see
/// <see cref="LiteDbStorageContractTests"/>).
/// </summary>
public abstract class DocumentStorageContract
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    /// <summary>A new, empty storage, owned by the test class (disposed with it).</summary>
    protected abstract IDocumentStorage Open();

    /// <summary>Stops <paramref name="storage"/> cleanly and opens the same data again.</summary>
    protected abstract IDocumentStorage Restart(IDocumentStorage storage);

    /// <summary>Opens the data as a crash of <paramref name="storage"/> right now (kill -9, no clean stop) would leave it.</summary>
    protected abstract IDocumentStorage CrashAndReopen(IDocumentStorage storage);

    [SkippableFact]
    public async Task ReadOps_EveryRangeAndLimit_AnswersTheSameBeforeAndAfterARestart()
    {
        var storage = Open();
        var ops = await CreateWithOpsAsync(storage, "ranges", count: 150, groupOf: 7);
        AssertReads(storage, "ranges", ops);

        var restarted = Restart(storage);

        AssertReads(restarted, "ranges", ops);
        Assert.Equal(ops, restarted.ReadOps("ranges", 0, ops.Count));
    }

    [SkippableFact]
    public async Task Crash_EveryAcknowledgedOpIsThereOnce_AndAnotherRestartAddsNone()
    {
        var storage = Open();
        var ops = await CreateWithOpsAsync(storage, "crashed", count: 100, groupOf: 3);

        var recovered = CrashAndReopen(storage);

        AssertReads(recovered, "crashed", ops);
        Assert.Equal(100, recovered.GetDocument("crashed")!.Revision);
        var again = Restart(recovered);
        AssertReads(again, "crashed", ops);
    }

    [SkippableFact]
    public async Task StoredOps_KeepWhatRecognisesARetry_AcrossARestart()
    {
        var storage = Open();
        await storage.CreateDocumentAsync(new StoredDocument("retry", "Retry", 0, Created, Created), "ab");
        var sent = TextOperation.Splice(2, 0, 0, "x");
        var committed = TextOperation.Splice(2, 2, 0, "x");
        var op = new StoredOp("retry", new CommittedOp(1, committed, "client-7", 42, 0, sent), "Ann", "peer-1", Created.AddSeconds(1));
        await storage.AppendAsync("retry", [op], null);

        var read = Restart(storage).ReadOps("retry", 0, 1).Single();

        // A reloaded session recognises a retry by (clientId, seq), the base and the op as sent.
        Assert.Equal(("client-7", 42L, 0, sent), (read.Op.ClientId, read.Op.Seq, read.Op.BaseRevision, read.Op.Submitted));
        Assert.Equal((1, committed, "Ann", "peer-1", Created.AddSeconds(1)), (read.Revision, read.Operation, read.Author, read.PeerId, read.Timestamp));
    }

    [SkippableFact]
    public async Task Documents_TheirRevisionAndLastUpdateFollowAppends_AndListNewestFirst()
    {
        var storage = Open();
        await storage.CreateDocumentAsync(new StoredDocument("older", "Older", 0, Created, Created), "");
        await storage.CreateDocumentAsync(new StoredDocument("newer", "Newer", 0, Created, Created), "");
        await storage.AppendAsync("newer", Ops("newer", after: 0, count: 3), null);

        AssertDocuments(storage);
        AssertDocuments(Restart(storage));

        static void AssertDocuments(IDocumentStorage view)
        {
            var newer = view.GetDocument("newer")!;
            Assert.Equal(("Newer", 3, Created, Created.AddSeconds(3)), (newer.Title, newer.Revision, newer.CreatedAt, newer.UpdatedAt));
            Assert.Equal(0, view.GetDocument("older")!.Revision);
            Assert.Null(view.GetDocument("missing"));
            Assert.Equal(["newer", "older"], view.ListDocuments().Select(d => d.Id));
        }
    }

    [SkippableFact]
    public async Task Snapshots_AndTextAtEveryRevision_SurviveARestart()
    {
        var storage = Open();
        await storage.CreateDocumentAsync(new StoredDocument("snap", "Snap", 0, Created, Created), "");
        await storage.AppendAsync("snap", Ops("snap", after: 0, count: 5), new Snapshot(5, "xxxxx"));
        await storage.AppendAsync("snap", Ops("snap", after: 5, count: 3), null);
        await storage.WriteSnapshotAsync("snap", new Snapshot(8, "xxxxxxxx"));

        var restarted = Restart(storage);

        Assert.Equal(new Snapshot(5, "xxxxx"), restarted.GetSnapshot("snap", 5));
        Assert.Null(restarted.GetSnapshot("snap", 6));
        Assert.Equal(new Snapshot(5, "xxxxx"), restarted.LatestSnapshot("snap", 7));
        Assert.Equal(new Snapshot(0, "", Authorship.Empty), restarted.LatestSnapshot("snap", 4));
        Assert.All(Enumerable.Range(0, 9), revision => Assert.Equal(new string('x', revision), restarted.TextAt("snap", revision)));
    }

    [SkippableFact]
    public async Task Snapshots_KeepTheirAuthorship_AndTheNewestAuthoredOneIsFound_AcrossARestart()
    {
        var storage = Open();
        var created = Authorship.Of(2, "account:a1:Ann", 10);
        await storage.CreateDocumentAsync(new StoredDocument("authored", "Authored", 0, Created, Created), "ab", created);
        var atFive = Authorship.FromSpans([new(2, "account:a1:Ann", 10), new(5, "guest:Bob 😀", 20), new(1, "", 0)]);
        await storage.AppendAsync("authored", Ops("authored", after: 0, count: 5), new Snapshot(5, "abxxxxxx", atFive));
        await storage.AppendAsync("authored", Ops("authored", after: 5, count: 3), null);
        await storage.WriteSnapshotAsync("authored", new Snapshot(8, "a text without authorship"));

        var restarted = Restart(storage);

        Assert.Equal(new Snapshot(0, "ab", created), restarted.GetSnapshot("authored", 0));
        Assert.Equal(new Snapshot(5, "abxxxxxx", atFive), restarted.GetSnapshot("authored", 5));
        Assert.Null(restarted.GetSnapshot("authored", 8)!.Authorship);
        Assert.Equal(5, restarted.LatestAuthoredSnapshot("authored", 8)!.Revision);
        Assert.Equal(0, restarted.LatestAuthoredSnapshot("authored", 4)!.Revision);
    }

    [SkippableFact]
    public async Task Snapshots_CreatedWithoutAnAuthor_CreditTheTextToNobody_AndARewriteAddsAuthorship()
    {
        var storage = Open();
        await storage.CreateDocumentAsync(new StoredDocument("nobody", "Nobody", 0, Created, Created), "abc");
        await storage.AppendAsync("nobody", Ops("nobody", after: 0, count: 2), new Snapshot(2, "abcxx"));
        var atTwo = Authorship.FromSpans([new(3, "", Created.ToUnixTimeMilliseconds()), new(2, "Ann", 30)]);

        await storage.WriteSnapshotAsync("nobody", new Snapshot(2, "abcxx", atTwo));
        var restarted = Restart(storage);

        Assert.Equal(Authorship.Of(3, "", Created.ToUnixTimeMilliseconds()), restarted.GetSnapshot("nobody", 0)!.Authorship);
        Assert.Equal(atTwo, restarted.GetSnapshot("nobody", 2)!.Authorship);
    }

    [SkippableFact]
    public async Task StoredOps_KeepTheRevisionARestoreBroughtBack_AcrossARestart()
    {
        var storage = Open();
        await storage.CreateDocumentAsync(new StoredDocument("restored", "Restored", 0, Created, Created), "");
        var ops = Ops("restored", after: 0, count: 3);
        ops[2] = ops[2] with { RestoredFrom = 1 };
        await storage.AppendAsync("restored", ops, null);

        var read = Restart(storage).ReadOps("restored", 0, 3);

        Assert.Equal([null, null, 1], read.Select(op => op.RestoredFrom));
    }

    [SkippableFact]
    public async Task NamedVersions_AreListedByRevision_AcrossARestart()
    {
        var storage = Open();
        await storage.CreateDocumentAsync(new StoredDocument("named", "Named", 0, Created, Created), "");
        await storage.AppendAsync("named", Ops("named", after: 0, count: 4), null);
        await storage.AddVersionAsync("named", new NamedVersion("Final", 4, Created.AddMinutes(2)));
        await storage.AddVersionAsync("named", new NamedVersion("Draft", 1, Created.AddMinutes(1)));

        var restarted = Restart(storage);

        Assert.Equal(
            [new NamedVersion("Draft", 1, Created.AddMinutes(1)), new NamedVersion("Final", 4, Created.AddMinutes(2))],
            restarted.ListVersions("named"));
        Assert.Empty(restarted.ListVersions("other"));
    }

    [SkippableFact]
    public async Task Delete_RemovesTheDocumentWithEverythingOfIt_AndNeitherARestartNorACrashBringsItBack()
    {
        var storage = Open();
        await CreateWithOpsAsync(storage, "kept", count: 10, groupOf: 1);
        await CreateWithOpsAsync(storage, "gone", count: 40, groupOf: 1);
        await storage.AddVersionAsync("gone", new NamedVersion("v", 2, Created));

        await storage.DeleteDocumentAsync("gone");

        foreach (var view in new[] { storage, CrashAndReopen(storage) })
        {
            Assert.Null(view.GetDocument("gone"));
            Assert.Empty(view.ReadOps("gone", 0, int.MaxValue - 1));
            Assert.Null(view.LatestSnapshot("gone", int.MaxValue));
            Assert.Empty(view.ListVersions("gone"));
            Assert.Equal(["kept"], view.ListDocuments().Select(d => d.Id));
            Assert.Equal(10, view.ReadOps("kept", 0, 10).Count);
        }
    }

    /// <summary>Ops that each add an "x" at the end of a document of <paramref name="after"/> x's.</summary>
    protected static List<StoredOp> Ops(string documentId, int after, int count) =>
        [.. Enumerable.Range(after + 1, count).Select(revision =>
        {
            var op = TextOperation.Splice(revision - 1, revision - 1, 0, "x");
            return new StoredOp(documentId, new CommittedOp(revision, op, "client-1", revision, revision - 1, op), "Ann", "peer-1", Created.AddSeconds(revision));
        })];

    /// <summary>Creates an empty document and appends <paramref name="count"/> ops in groups of <paramref name="groupOf"/>.</summary>
    private static async Task<List<StoredOp>> CreateWithOpsAsync(IDocumentStorage storage, string documentId, int count, int groupOf)
    {
        await storage.CreateDocumentAsync(new StoredDocument(documentId, documentId, 0, Created, Created), "");
        var ops = Ops(documentId, 0, count);
        foreach (var group in ops.Chunk(groupOf))
        {
            await storage.AppendAsync(documentId, group, null);
        }

        return ops;
    }

    /// <summary>Every range and limit of <see cref="IDocumentStorage.ReadOps"/> answers exactly the expected ops, each once.</summary>
    internal static void AssertReads(IDocumentStorage storage, string documentId, IReadOnlyList<StoredOp> expected)
    {
        int last = expected.Count;
        for (int after = 0; after <= last; after += 7)
        {
            for (int to = after; to <= last + 1; to += 5)
            {
                foreach (int limit in new[] { 1, 3, int.MaxValue })
                {
                    var read = storage.ReadOps(documentId, after, to, limit);
                    var want = expected.Where(op => op.Revision > after && op.Revision <= to).Take(limit).ToList();
                    Assert.Equal(want.Select(op => op.Revision), read.Select(op => op.Revision));
                    Assert.Equal(want.Select(op => op.Operation), read.Select(op => op.Operation));
                }
            }
        }

        Assert.Equal(expected.Select(op => op.Revision), storage.ReadOps(documentId, 0, last).Select(op => op.Revision));
    }
}
