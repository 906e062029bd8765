using CollabEdit.Ot.Sync;
using CsCheck;

namespace CollabEdit.Ot.Tests;

/// <summary>
/// Authorship spans moved with every committed op. The oracle is the naive model: one author per
/// UTF-16 unit, each inserted unit belonging to the op that inserted it. CsCheck prints the seed of
/// any failure; keep a counterexample as a named fact below.
/// </summary>
public sealed class AuthorshipTests
{
    private static readonly string[] Authors = ["ann", "bob", "cy"];

    [Fact]
    public void Apply_InsertInsideAnotherAuthorsRun_SplitsIt()
    {
        var spans = Authorship.Of(4, "ann", 1);

        var after = spans.Apply(TextOperation.Builder().Retain(2).Insert("xy").Retain(2).Build(), "bob", 2);

        Assert.Equal([new AuthorSpan(2, "ann", 1), new AuthorSpan(2, "bob", 2), new AuthorSpan(2, "ann", 1)], after.Spans);
    }

    [Fact]
    public void Apply_DeleteBetweenRunsOfOneAuthor_CoalescesThemKeepingTheNewerStamp()
    {
        var spans = Authorship.FromSpans([new(2, "ann", 1), new(1, "bob", 2), new(2, "ann", 3)]);

        var after = spans.Apply(TextOperation.Builder().Retain(2).Delete(1).Retain(2).Build(), "cy", 4);

        Assert.Equal([new AuthorSpan(4, "ann", 3)], after.Spans);
    }

    [Fact]
    public void Apply_WrongBaseLength_IsMalformed()
    {
        var spans = Authorship.Of(3, "ann", 1);

        Assert.Throws<InvalidTextOperationException>(() => spans.Apply(TextOperation.Identity(4), "bob", 2));
    }

    [Fact]
    public void Slice_CutsTheSpansAtBothEnds()
    {
        var spans = Authorship.FromSpans([new(2, "ann", 1), new(3, "bob", 2), new(2, "cy", 3)]);

        Assert.Equal([new AuthorSpan(1, "ann", 1), new AuthorSpan(3, "bob", 2), new AuthorSpan(1, "cy", 3)], spans.Slice(1, 5));
    }

    /// <summary>
    /// Clients edit concurrently against older revisions (the authority transforms their ops) and
    /// now and then restore an old revision (a prefix/suffix diff committed by the restorer): after
    /// every commit each unit's author is the author of the op that inserted it, the spans are
    /// coalesced, none is empty, and they sum to the text's length.
    /// </summary>
    [Fact]
    public void Apply_ConcurrentOpsAndRestores_EveryUnitBelongsToItsInserter()
    {
        var step = Gen.Select(Gen.Int[0, Authors.Length - 1], Gen.Int[0, 4], Generators.Choices, Gen.Int[0, 9], Gen.Int[0, 1000]);
        Gen.Select(Generators.Text, step.Array[1, 24]).Sample((initial, steps) =>
        {
            var server = new ServerAuthority(initial);
            var texts = new List<string> { initial };
            var spans = Authorship.Of(initial.Length, "creator", 0);
            var model = Enumerable.Repeat("creator", initial.Length).ToList();
            long seq = 0;
            foreach (var (client, behind, choices, kind, target) in steps)
            {
                string author = Authors[client];
                int baseRevision = Math.Max(0, server.Revision - behind);
                var op = kind == 0
                    ? Restore(server.Document.ToString(), texts[target % texts.Count])
                    : Generators.OpFor(texts[baseRevision], choices);
                var result = server.Submit(author, ++seq, kind == 0 ? server.Revision : baseRevision, op);
                Assert.True(result.Accepted, result.Message);

                var committed = result.Operation!;
                spans = spans.Apply(committed, author, server.Revision);
                model = ApplyToModel(model, committed, author);
                texts.Add(server.Document.ToString());

                Assert.Equal(server.Document.Length, spans.Length);
                Assert.Equal(spans.Length, spans.Spans.Sum(s => s.Length));
                Assert.All(spans.Spans, s => Assert.True(s.Length > 0));
                Assert.All(spans.Spans.Zip(spans.Spans.Skip(1)), pair => Assert.NotEqual(pair.First.Author, pair.Second.Author));
                Assert.Equal(model, spans.Spans.SelectMany(s => Enumerable.Repeat(s.Author, s.Length)));
            }
        }, iter: Properties.Iterations / 10);
    }

    /// <summary>What the server's restore commits: keep the common prefix and suffix, replace the middle (never inside a surrogate pair).</summary>
    private static TextOperation Restore(string from, string to)
    {
        int prefix = 0;
        int max = Math.Min(from.Length, to.Length);
        while (prefix < max && from[prefix] == to[prefix])
        {
            prefix++;
        }

        int suffix = 0;
        while (suffix < max - prefix && from[^(suffix + 1)] == to[^(suffix + 1)])
        {
            suffix++;
        }

        if (prefix > 0 && char.IsHighSurrogate(from[prefix - 1]))
        {
            prefix--;
        }

        if (suffix > 0 && char.IsLowSurrogate(from[^suffix]))
        {
            suffix--;
        }

        return TextOperation.Builder().Retain(prefix).Insert(to[prefix..^suffix]).Delete(from.Length - prefix - suffix).Retain(suffix).Build();
    }

    private static List<string> ApplyToModel(List<string> authors, TextOperation op, string author)
    {
        var result = new List<string>();
        int position = 0;
        foreach (var component in op.Components)
        {
            switch (component)
            {
                case Retain retain:
                    result.AddRange(authors.GetRange(position, retain.Count));
                    position += retain.Count;
                    break;
                case Delete delete:
                    position += delete.Count;
                    break;
                case Insert insert:
                    result.AddRange(Enumerable.Repeat(author, insert.Text.Length));
                    break;
            }
        }

        return result;
    }
}
