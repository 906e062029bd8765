namespace CollabEdit.Ot.Tests;

public sealed class TextDocumentTests
{
    [Fact]
    public void Apply_EditsInPlace()
    {
        var document = new TextDocument("0123456789");

        document.Apply(Ops.Of(5, "hello", -3, 2));

        Assert.Equal("01234hello89", document.ToString());
        Assert.Equal(12, document.Length);
    }

    [Fact]
    public void Apply_ManyEditsAcrossTheText_GrowsAndMovesTheGap()
    {
        var document = new TextDocument();
        string expected = "";
        for (int i = 0; i < 500; i++)
        {
            int position = (i * 7919) % (expected.Length + 1);
            var op = TextOperation.Splice(expected.Length, position, 0, $"<{i}>");
            expected = op.Apply(expected);
            document.Apply(op);
        }

        Assert.Equal(expected, document.ToString());
        Assert.Equal(expected[100..150], document.Substring(100, 50));
        Assert.Equal(expected[42], document[42]);
    }

    [Fact]
    public void Apply_WrongLength_ChangesNothing()
    {
        var document = new TextDocument("abc");

        var e = Assert.Throws<InvalidTextOperationException>(() => document.Apply(Ops.Of(4, "x")));

        Assert.Contains("4", e.Message, StringComparison.Ordinal);
        Assert.Equal("abc", document.ToString());
    }

    [Fact]
    public void Apply_SplitSurrogatePairLate_ChangesNothing()
    {
        // The first insert is fine; the delete later in the op splits the emoji. Nothing may change.
        var document = new TextDocument("ab😀");

        Assert.Throws<InvalidTextOperationException>(() => document.Apply(Ops.Of("X", 3, -1)));

        Assert.Equal("ab😀", document.ToString());
    }

    [Fact]
    public void Indexer_OutOfRange_Throws()
    {
        var document = new TextDocument("ab");

        Assert.Throws<ArgumentOutOfRangeException>(() => document[2]);
    }
}
