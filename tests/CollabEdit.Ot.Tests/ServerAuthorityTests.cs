using CollabEdit.Ot.Sync;
using CsCheck;

namespace CollabEdit.Ot.Tests;

public sealed class ServerAuthorityTests
{
    [Fact]
    public void Submit_AtCurrentRevision_CommitsAsNextRevision()
    {
        var server = new ServerAuthority("abc");

        var result = server.Submit("c1", 1, 0, Ops.Of(3, "d"));

        Assert.True(result.Accepted);
        Assert.Equal(1, result.Revision);
        Assert.Equal(1, server.Revision);
        Assert.Equal("abcd", server.Document.ToString());
    }

    [Fact]
    public void Submit_AgainstOldRevision_IsTransformedAgainstEachCommittedOp()
    {
        var server = new ServerAuthority("abc");
        server.Submit("c1", 1, 0, Ops.Of("X", 3));
        server.Submit("c1", 2, 1, Ops.Of(4, "Y"));

        var result = server.Submit("c2", 1, 0, Ops.Of(1, -1, 1)); // delete "b" of revision 0

        Assert.Equal(3, result.Revision);
        Assert.Equal(Ops.Of(2, -1, 2), result.Operation);
        Assert.Equal("XacY", server.Document.ToString());
    }

    [Fact]
    public void AcceptCommitted_AnotherProcessesOp_IsAppliedAsIs_AndLaterSubmitsTransformAgainstIt_AndItsRetryIsRecognised()
    {
        var here = new ServerAuthority("abc");
        var elsewhere = new ServerAuthority("abc");
        var committed = elsewhere.Submit("c1", 1, 0, Ops.Of("X", 3)).Op!;

        here.AcceptCommitted(committed);
        var late = here.Submit("c2", 1, 0, Ops.Of(3, "Y"));
        var retry = here.Submit("c1", 1, 0, Ops.Of("X", 3));

        Assert.Equal(("XabcY", 2), (here.Document.ToString(), here.Revision));
        Assert.Equal(Ops.Of(4, "Y"), late.Operation);
        Assert.Equal((true, 1), (retry.IsDuplicate, retry.Revision));
        Assert.Throws<ArgumentException>(() => here.AcceptCommitted(committed));
    }

    [Fact]
    public void SubmitFromBefore_BaseBehindTheWindow_IsTransformedThroughTheOlderOps_AndItsRetryIsRecognised()
    {
        // The same history twice: one authority keeps everything, the other only the last 2 ops.
        var full = new ServerAuthority("abc", maxHistory: 100);
        var small = new ServerAuthority("abc", maxHistory: 2);
        for (int i = 0; i < 40; i++)
        {
            full.Submit("t", i + 1, i, Ops.Of("t", 3 + i));
            small.Submit("t", i + 1, i, Ops.Of("t", 3 + i));
        }

        var older = full.History.Where(op => op.Revision <= small.OldestBaseRevision).ToList();
        Assert.Equal(SubmitError.RevisionTooOld, small.Submit("c", 1, 0, Ops.Of(3, "!")).Error);

        var result = small.SubmitFromBefore("c", 1, 0, Ops.Of(3, "!"), older);
        var expected = full.Submit("c", 1, 0, Ops.Of(3, "!"));

        Assert.Equal(expected.Revision, result.Revision);
        Assert.Equal(expected.Op!.Operation, result.Op!.Operation);
        Assert.Equal(full.Document.ToString(), small.Document.ToString());

        // Its retry is recognised: from memory now, and from the log once it has left the window.
        Assert.True(small.Submit("c", 1, 0, Ops.Of(3, "!")).IsDuplicate);
        for (int i = 0; i < 40; i++)
        {
            full.Submit("u", i + 1, full.Revision, Ops.Of("u", full.Document.Length));
            small.Submit("u", i + 1, small.Revision, Ops.Of("u", small.Document.Length));
        }

        var retry = small.SubmitFromBefore("c", 1, 0, Ops.Of(3, "!"), [.. full.History.Where(op => op.Revision <= small.OldestBaseRevision)]);
        Assert.True(retry.IsDuplicate);
        Assert.Equal(expected.Revision, retry.Revision);
    }

    [Fact]
    public void RollBackTentative_TakesBackEveryCommitSinceBegin_TextRevisionHistoryAndRetriesAsBefore()
    {
        // A window of 4 (trimmed in chunks of 16): the tentative commits push older ops out, and
        // taking them back brings those ops back too.
        var server = new ServerAuthority("héllo 👋", maxHistory: 4);
        for (int i = 0; i < 20; i++)
        {
            server.Submit("old", i + 1, server.Revision, Ops.Of(server.Document.Length, "+"));
        }

        string text = server.Document.ToString();
        var history = server.History.ToList();
        int oldest = server.OldestBaseRevision;

        server.BeginTentative();
        server.Submit("c1", 1, 20, Ops.Of(-2, server.Document.Length - 2));
        server.Submit("c2", 1, 19, Ops.Of("👋", 19 + 8));
        for (int i = 0; i < 17; i++)
        {
            server.Submit("c3", i + 1, server.Revision, Ops.Of(1, -1, server.Document.Length - 2));
        }

        server.RollBackTentative();

        Assert.Equal(20, server.Revision);
        Assert.Equal(text, server.Document.ToString());
        Assert.Equal(history, server.History);
        Assert.Equal(oldest, server.OldestBaseRevision);
        Assert.False(server.IsRetry("c1", 1));
        Assert.True(server.IsRetry("old", 20));

        // And it goes on as if nothing happened: the same submit commits as the same revision.
        var again = server.Submit("c1", 1, 20, Ops.Of(-2, server.Document.Length - 2));
        Assert.Equal(21, again.Revision);
    }

    [Fact]
    public void Submit_ConcurrentInsertsAtSamePosition_FirstCommittedGoesLeft()
    {
        var server = new ServerAuthority("xy");
        server.Submit("first", 1, 0, Ops.Of(1, "A", 1));

        server.Submit("second", 1, 0, Ops.Of(1, "B", 1));

        Assert.Equal("xABy", server.Document.ToString());
    }

    [Fact]
    public void Submit_SameClientAndSeqAgain_IsAppliedOnceAndGetsFirstRevision()
    {
        var server = new ServerAuthority("");
        server.Submit("c1", 1, 0, Ops.Of("a"));
        server.Submit("c2", 1, 1, Ops.Of(1, "b"));

        var retry = server.Submit("c1", 1, 0, Ops.Of("a"));

        Assert.True(retry.Accepted);
        Assert.True(retry.IsDuplicate);
        Assert.Equal(1, retry.Revision);
        Assert.Equal("ab", server.Document.ToString());
        Assert.Equal(2, server.Revision);
    }

    [Fact]
    public void Submit_SameSeqWithDifferentOp_IsRejected()
    {
        var server = new ServerAuthority("");
        server.Submit("c1", 1, 0, Ops.Of("a"));

        var result = server.Submit("c1", 1, 0, Ops.Of("b"));

        Assert.Equal(SubmitError.SeqReused, result.Error);
        Assert.Equal("a", server.Document.ToString());
    }

    [Fact]
    public void Submit_StaleDuplicateOfEarlierSeq_GetsItsRevision()
    {
        // The old connection's submit of seq 1 arrives after the client resent it and sent seq 2.
        var server = new ServerAuthority("");
        server.Submit("c1", 1, 0, Ops.Of("a"));
        server.Submit("c1", 2, 1, Ops.Of(1, "b"));

        var stale = server.Submit("c1", 1, 0, Ops.Of("a"));

        Assert.True(stale.IsDuplicate);
        Assert.Equal(1, stale.Revision);
        Assert.Equal("ab", server.Document.ToString());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    public void Submit_BaseRevisionOutsideHistory_IsFutureRevision(int baseRevision)
    {
        var server = new ServerAuthority("abc");
        server.Submit("c1", 1, 0, Ops.Of(3, "d"));

        var result = server.Submit("c2", 1, baseRevision, Ops.Of(4, "e"));

        Assert.Equal(SubmitError.FutureRevision, result.Error);
        Assert.Equal("abcd", server.Document.ToString());
    }

    [Fact]
    public void Submit_BaseRevisionOlderThanKeptHistory_IsRevisionTooOld()
    {
        var server = new ServerAuthority("", maxHistory: 2);
        for (int i = 0; i < 40; i++)
        {
            server.Submit("c1", i + 1, i, TextOperation.Splice(i, i, 0, "x"));
        }

        var result = server.Submit("c2", 1, 0, Ops.Of("y"));

        Assert.Equal(SubmitError.RevisionTooOld, result.Error);
        Assert.True(server.OldestBaseRevision > 0);
        Assert.True(server.Submit("c2", 1, server.OldestBaseRevision, TextOperation.Splice(server.OldestBaseRevision, 0, 0, "y")).Accepted);
    }

    [Fact]
    public void Submit_WrongBaseLength_IsInvalidAndChangesNothing()
    {
        var server = new ServerAuthority("abc");

        var result = server.Submit("c1", 1, 0, Ops.Of(5, "x"));

        Assert.Equal(SubmitError.InvalidOperation, result.Error);
        Assert.Contains("5", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Revision);
        Assert.Equal("abc", server.Document.ToString());
    }

    [Fact]
    public void Submit_SplittingSurrogatePair_IsInvalid()
    {
        var server = new ServerAuthority("😀");

        var result = server.Submit("c1", 1, 0, Ops.Of(1, "x", 1));

        Assert.Equal(SubmitError.InvalidOperation, result.Error);
        Assert.Equal("😀", server.Document.ToString());
    }

    [Fact]
    public void Constructor_WithRecentOps_RecognisesRetriesAfterReload()
    {
        var original = new ServerAuthority("");
        original.Submit("c1", 1, 0, Ops.Of("a"));
        original.Submit("c2", 7, 1, Ops.Of(1, "b"));

        var reloaded = new ServerAuthority(original.Document.ToString(), original.Revision, recent: original.History);

        Assert.Equal(2, reloaded.Submit("c2", 7, 1, Ops.Of(1, "b")).Revision);
        Assert.Equal("ab", reloaded.Document.ToString());
        var late = reloaded.Submit("c3", 1, 0, Ops.Of("z"));
        Assert.Equal("abz", reloaded.Document.ToString()); // committed earlier, so "a" and "b" stay left
        Assert.Equal(3, late.Revision);
    }

    [Fact]
    public void PrependHistory_AnySplitOfTheWindow_BehavesLikeTheWholeWindow() =>
        Gen.Select(Gen.Int[0, 60], Gen.Int[1, 20], Gen.Int[0, 1000], Gen.UInt.Array[4, 4].Array[0, 60])
            .Sample((split, maxHistory, probeSeed, choices) =>
            {
                // A history of submits from three clients, some against older revisions.
                var original = new ServerAuthority("start 😀", maxHistory: 1000);
                var random = new Random(probeSeed);
                var texts = new List<string> { original.Document.ToString() };
                for (int i = 0; i < choices.Length; i++)
                {
                    int baseRevision = Math.Max(0, original.Revision - random.Next(3));
                    var op = Generators.OpFor(texts[baseRevision], choices[i]);
                    Assert.True(original.Submit($"c{i % 3}", i, baseRevision, op).Accepted);
                    texts.Add(original.Document.ToString());
                }

                var history = original.History.Skip(Math.Max(0, original.History.Count - maxHistory)).ToList();
                int cut = Math.Min(split, history.Count);
                string text = original.Document.ToString();
                var whole = new ServerAuthority(text, original.Revision, maxHistory, history);
                var parts = new ServerAuthority(text, original.Revision, maxHistory, history.Skip(cut));
                parts.PrependHistory(history.Take(cut).ToList());

                Assert.Equal(whole.History, parts.History);
                Assert.Equal(whole.OldestBaseRevision, parts.OldestBaseRevision);

                // Every kept commit's retry, and a late submit from every base, get the same answer.
                foreach (var committed in history)
                {
                    var retry = parts.Submit(committed.ClientId, committed.Seq, committed.BaseRevision, committed.Submitted);
                    Assert.True(retry.IsDuplicate);
                    Assert.Equal(committed.Revision, retry.Revision);
                }

                for (int b = whole.OldestBaseRevision; b <= whole.Revision; b++)
                {
                    var probeWhole = new ServerAuthority(text, whole.Revision, maxHistory, whole.History);
                    var probeParts = new ServerAuthority(text, original.Revision, maxHistory, history.Skip(cut));
                    probeParts.PrependHistory(history.Take(cut).ToList());
                    var op = Generators.OpFor(texts[b], [(uint)random.Next(), (uint)random.Next(), (uint)random.Next()]);
                    var a = probeWhole.Submit("late", 1, b, op);
                    var c = probeParts.Submit("late", 1, b, op);
                    Assert.Equal((a.Error, a.Revision, a.Operation), (c.Error, c.Revision, c.Operation));
                    Assert.Equal(probeWhole.Document.ToString(), probeParts.Document.ToString());
                }
            }, iter: Math.Min(Properties.Iterations, 500));

    [Fact]
    public void PrependHistory_KeepsOnlyTheWindow_AndRefusesOpsThatDoNotEndAtTheKeptOnes()
    {
        var original = new ServerAuthority("");
        for (int i = 0; i < 10; i++)
        {
            original.Submit("c1", i + 1, i, TextOperation.Splice(i, i, 0, "x"));
        }

        var all = original.History;
        var reloaded = new ServerAuthority(original.Document.ToString(), 10, maxHistory: 4, recent: all.Skip(8));

        Assert.Throws<ArgumentException>(() => reloaded.PrependHistory([.. all.Take(7)])); // ends at 7, not 8
        Assert.Throws<ArgumentException>(() => reloaded.PrependHistory([all[5], all[7]])); // a gap
        Assert.Equal(8, reloaded.OldestBaseRevision);

        reloaded.PrependHistory([.. all.Take(8)]);

        Assert.Equal([7, 8, 9, 10], reloaded.History.Select(op => op.Revision)); // 4 = maxHistory
        Assert.Equal(6, reloaded.OldestBaseRevision);
        Assert.Equal(7, reloaded.Submit("c1", 7, 6, TextOperation.Splice(6, 6, 0, "x")).Revision); // a retry
        Assert.Equal(SubmitError.RevisionTooOld, reloaded.Submit("c2", 1, 5, TextOperation.Splice(5, 5, 0, "y")).Error);
    }

    [Fact]
    public void Since_ReturnsKeptOpsAfterRevision()
    {
        var server = new ServerAuthority("");
        server.Submit("c1", 1, 0, Ops.Of("a"));
        server.Submit("c1", 2, 1, Ops.Of(1, "b"));

        Assert.Equal([2], server.Since(1).Select(op => op.Revision));
        Assert.Empty(server.Since(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => server.Since(3).ToList());
    }
}
