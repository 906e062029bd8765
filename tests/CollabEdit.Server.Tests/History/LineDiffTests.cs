using CollabEdit.Server.Documents;

namespace CollabEdit.Server.Tests.History;

/// <summary>The compare's line diff: its pieces rebuild both texts exactly, whatever the texts.</summary>
public sealed class LineDiffTests
{
    public static TheoryData<string, string> Pairs => new()
    {
        { "", "" },
        { "abc", "abc" },
        { "", "a\nb\n" },
        { "a\nb\n", "" },
        { "a\nb\nc\n", "a\nx\nc\n" },
        { "one\ntwo\nthree", "zero\none\ntwo\nthree\nfour" },
        { "same 😀\nend", "same 😀\nchanged 中\nend" },
        { "a\nb\nc\nd\ne\n", "e\nd\nc\nb\na\n" },
        { "no newline", "no newline at all" },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Between_PiecesRebuildBothTexts(string from, string to)
    {
        var pieces = LineDiff.Between(from, to, CancellationToken.None);

        Assert.Equal(from, string.Concat(pieces.Where(p => p.Kind != DiffKind.Insert).Select(p => from.Substring(p.FromOffset, p.Length))));
        Assert.Equal(to, string.Concat(pieces.Where(p => p.Kind != DiffKind.Delete).Select(p => to.Substring(p.ToOffset, p.Length))));
        Assert.All(pieces.Where(p => p.Kind == DiffKind.Equal), p => Assert.Equal(from.Substring(p.FromOffset, p.Length), to.Substring(p.ToOffset, p.Length)));
    }

    [Fact]
    public void Between_RandomLineTexts_PiecesRebuildBothTexts()
    {
        var random = new Random(14);
        string[] lines = ["a\n", "b\n", "c😀\n", "\n", "中", "d"];
        string Text() => string.Concat(Enumerable.Range(0, random.Next(12)).Select(_ => lines[random.Next(lines.Length)]));
        for (int i = 0; i < 2000; i++)
        {
            Between_PiecesRebuildBothTexts(Text(), Text());
        }
    }

    [Fact]
    public void Between_OneChangedLine_IsOneDeleteAndOneInsertOfThatLine()
    {
        var pieces = LineDiff.Between("a\nb\nc\n", "a\nx\nc\n", CancellationToken.None);

        Assert.Equal([DiffKind.Equal, DiffKind.Delete, DiffKind.Insert, DiffKind.Equal], pieces.Select(p => p.Kind));
        Assert.Equal("b\n", "a\nb\nc\n".Substring(pieces[1].FromOffset, pieces[1].Length));
        Assert.Equal("x\n", "a\nx\nc\n".Substring(pieces[2].ToOffset, pieces[2].Length));
    }

    [Fact]
    public void Between_CancelledRequest_Stops()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => LineDiff.Between("a\nb\n", "c\nd\n", cancelled.Token));
    }
}
