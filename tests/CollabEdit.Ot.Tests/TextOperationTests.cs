namespace CollabEdit.Ot.Tests;

public sealed class TextOperationTests
{
    [Fact]
    public void Builder_MergesNeighboursAndDropsEmpties()
    {
        var op = TextOperation.Builder().Retain(2).Retain(0).Retain(3).Insert("a").Insert("").Insert("b").Delete(1).Delete(2).Build();

        Assert.Equal(Ops.Of(5, "ab", -3), op);
        Assert.Equal(3, op.Components.Count);
    }

    [Fact]
    public void Builder_PutsInsertBeforeAdjacentDelete()
    {
        var op = TextOperation.Builder().Retain(1).Delete(2).Insert("x").Build();

        Assert.Equal(new OpComponent[] { new Retain(1), new Insert("x"), new Delete(2) }, op.Components);
    }

    [Fact]
    public void Builder_MergesInsertIntoTheOneBeforeADelete()
    {
        var op = TextOperation.Builder().Insert("a").Delete(2).Insert("b").Build();

        Assert.Equal(Ops.Of("ab", -2), op);
    }

    [Fact]
    public void Lengths_CountRetainsDeletesAndInserts()
    {
        var op = Ops.Of(5, "hello", -3, 2);

        Assert.Equal(10, op.BaseLength);
        Assert.Equal(12, op.TargetLength);
    }

    [Fact]
    public void Apply_DesignExample()
    {
        Assert.Equal("01234hello89", Ops.Of(5, "hello", -3, 2).Apply("0123456789"));
    }

    [Fact]
    public void Apply_OnEmptyDocument()
    {
        Assert.Equal("hi", Ops.Of("hi").Apply(""));
        Assert.Equal("", TextOperation.Identity(0).Apply(""));
        Assert.True(TextOperation.Identity(0).IsNoop);
    }

    [Fact]
    public void Apply_EditAtTheVeryEnd()
    {
        Assert.Equal("abc!", Ops.Of(3, "!").Apply("abc"));
        Assert.Equal("ab", Ops.Of(2, -1).Apply("abc"));
    }

    [Fact]
    public void Apply_WrongBaseLength_NamesFunctionAndBothLengths()
    {
        var e = Assert.Throws<InvalidTextOperationException>(() => Ops.Of(5, "x").Apply("abc"));

        Assert.Contains("Apply", e.Message, StringComparison.Ordinal);
        Assert.Contains("5", e.Message, StringComparison.Ordinal);
        Assert.Contains("3", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Apply_BoundaryInsideSurrogatePair_IsRejected(int split)
    {
        // "a😀b": the emoji occupies units 1 and 2; position 2 is between its halves.
        string text = "a😀b";
        var retainIntoPair = Ops.Of(split == 1 ? 2 : 3, "x", split == 1 ? 2 : 1);
        var deleteHalf = Ops.Of(1, -1, 2);

        var e = Assert.Throws<InvalidTextOperationException>(() => (split == 1 ? retainIntoPair : deleteHalf).Apply(text));
        Assert.Contains("surrogate pair", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_WholeEmojiEdits_AreFine()
    {
        Assert.Equal("ab", Ops.Of(1, -2, 1).Apply("a😀b"));
        Assert.Equal("a👍🏽😀b", Ops.Of(1, "👍🏽", 3).Apply("a😀b"));
    }

    [Theory]
    [InlineData("D83D")]
    [InlineData("DE00")]
    [InlineData("0061 DE00 D83D")]
    [InlineData("D83D 0061")]
    public void Insert_LoneSurrogate_IsRejected(string codeUnits)
    {
        // Code units as hex: xunit's theory serialisation would mangle a lone surrogate string.
        string text = string.Concat(codeUnits.Split(' ').Select(u => (char)Convert.ToUInt16(u, 16)));

        var e = Assert.Throws<InvalidTextOperationException>(() => new Insert(text));
        Assert.Contains("lone surrogate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Components_RejectNonPositiveCountsAndEmptyInserts()
    {
        Assert.Throws<InvalidTextOperationException>(() => new Retain(0));
        Assert.Throws<InvalidTextOperationException>(() => new Delete(-1));
        Assert.Throws<InvalidTextOperationException>(() => new Insert(""));
        Assert.Throws<InvalidTextOperationException>(() => TextOperation.Builder().Retain(-2));
        Assert.Throws<InvalidTextOperationException>(() => TextOperation.Builder().Delete(-2));
    }

    [Fact]
    public void Builder_LengthPastInt32_IsInvalidNotOverflow()
    {
        Assert.Throws<InvalidTextOperationException>(() => TextOperation.Builder().Retain(int.MaxValue).Retain(1));
        Assert.Throws<InvalidTextOperationException>(() => TextOperation.Builder().Delete(int.MaxValue).Delete(1));
        Assert.Throws<InvalidTextOperationException>(() => TextOperation.Builder().Retain(int.MaxValue).Insert("x"));
        Assert.Throws<InvalidTextOperationException>(() => TextOperation.Splice(10, int.MaxValue, 5, ""));
    }

    [Fact]
    public void Compose_TypingTwoCharacters()
    {
        var a = Ops.Of(3, "x");
        var b = Ops.Of(4, "y");

        Assert.Equal(Ops.Of(3, "xy"), TextOperation.Compose(a, b));
    }

    [Fact]
    public void Compose_DeleteOfInsertedText_CancelsOut()
    {
        var a = Ops.Of(1, "hello", 2);
        var b = Ops.Of(1, -5, 2);

        Assert.True(TextOperation.Compose(a, b).IsNoop);
    }

    [Fact]
    public void Compose_LengthMismatch_NamesBothLengths()
    {
        var e = Assert.Throws<InvalidTextOperationException>(() => TextOperation.Compose(Ops.Of(3, "x"), Ops.Of(3)));
        Assert.Contains("Compose", e.Message, StringComparison.Ordinal);
        Assert.Contains("4", e.Message, StringComparison.Ordinal);
        Assert.Contains("3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Transform_InsertsAtSameIndex_FirstCommittedGoesLeft()
    {
        var first = Ops.Of(1, "A", 1);
        var second = Ops.Of(1, "B", 1);

        var (firstPrime, secondPrime) = TextOperation.Transform(first, second);

        Assert.Equal("xABy", secondPrime.Apply(first.Apply("xy")));
        Assert.Equal("xABy", firstPrime.Apply(second.Apply("xy")));
    }

    [Fact]
    public void Transform_OverlappingDeletes_DeleteTheUnionOnce()
    {
        var a = Ops.Of(1, -3, 2); // deletes "bcd" of "abcdef"
        var b = Ops.Of(2, -3, 1); // deletes "cde"

        var (aPrime, bPrime) = TextOperation.Transform(a, b);

        Assert.Equal("af", bPrime.Apply(a.Apply("abcdef")));
        Assert.Equal(Ops.Of(1, -1, 1), aPrime);
        Assert.Equal(Ops.Of(1, -1, 1), bPrime);
    }

    [Fact]
    public void Transform_InsertInsideConcurrentlyDeletedRange_Survives()
    {
        var delete = Ops.Of(1, -4, 1);     // "abcdef" → "af"
        var insert = Ops.Of(3, "XY", 3);   // "abcXYdef"

        var (deletePrime, insertPrime) = TextOperation.Transform(delete, insert);

        Assert.Equal("aXYf", insertPrime.Apply(delete.Apply("abcdef")));
        Assert.Equal("aXYf", deletePrime.Apply(insert.Apply("abcdef")));
    }

    [Fact]
    public void Transform_OnEmptyDocument()
    {
        var (aPrime, bPrime) = TextOperation.Transform(Ops.Of("a"), Ops.Of("b"));

        Assert.Equal("ab", bPrime.Apply("a"));
        Assert.Equal("ab", aPrime.Apply("b"));
    }

    [Fact]
    public void Transform_EditsAtTheVeryEnd()
    {
        var a = Ops.Of(3, "!");
        var b = Ops.Of(2, -1);

        var (aPrime, bPrime) = TextOperation.Transform(a, b);

        Assert.Equal("ab!", bPrime.Apply(a.Apply("abc")));
        Assert.Equal("ab!", aPrime.Apply(b.Apply("abc")));
    }

    [Fact]
    public void Transform_AroundEmoji()
    {
        var a = Ops.Of(1, -2, 1);        // delete the emoji of "a😀b"
        var b = Ops.Of(3, "👍🏽", 1);      // insert after it

        var (aPrime, bPrime) = TextOperation.Transform(a, b);

        Assert.Equal("a👍🏽b", bPrime.Apply(a.Apply("a😀b")));
        Assert.Equal("a👍🏽b", aPrime.Apply(b.Apply("a😀b")));
    }

    [Fact]
    public void Transform_LengthMismatch_IsRejected()
    {
        var e = Assert.Throws<InvalidTextOperationException>(() => TextOperation.Transform(Ops.Of(3), Ops.Of(4)));
        Assert.Contains("Transform", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invert_RestoresDeletedText()
    {
        var op = Ops.Of(1, "XY", -2, 1);

        var inverse = op.Invert("abcd");

        Assert.Equal(Ops.Of(1, "bc", -2, 1), inverse);
        Assert.Equal("abcd", inverse.Apply(op.Apply("abcd")));
    }

    [Theory]
    [InlineData(0, false, 0)]
    [InlineData(1, false, 1)]  // remote insert at the caret leaves it before the insert
    [InlineData(1, true, 3)]   // own insert at the caret moves it after
    [InlineData(2, false, 4)]
    [InlineData(4, false, 5)]  // inside the deleted range "de": moves to its start
    [InlineData(5, false, 5)]
    [InlineData(6, false, 6)]
    public void TransformIndex_Cases(int index, bool ownEdit, int expected)
    {
        var op = Ops.Of(1, "XY", 2, -2, 1); // "abcdef" → "aXYbcf"

        Assert.Equal(expected, op.TransformIndex(index, ownEdit));
    }

    [Fact]
    public void TransformIndex_OutOfRange_IsRejected()
    {
        Assert.Throws<InvalidTextOperationException>(() => Ops.Of(3).TransformIndex(4, ownEdit: false));
        Assert.Throws<InvalidTextOperationException>(() => Ops.Of(3).TransformIndex(-1, ownEdit: false));
    }

    [Fact]
    public void TransformSelection_MovesBothEnds()
    {
        var op = Ops.Of("12", 6);

        Assert.Equal(new Selection(3, 6), op.TransformSelection(new Selection(1, 4), ownEdit: false));
        Assert.Equal(Selection.Caret(2), op.TransformSelection(Selection.Caret(0), ownEdit: true));
    }

    [Fact]
    public void Splice_BuildsCanonicalOp()
    {
        Assert.Equal(Ops.Of(2, "xy", -1, 3), TextOperation.Splice(6, 2, 1, "xy"));
        Assert.Throws<InvalidTextOperationException>(() => TextOperation.Splice(3, 2, 2, ""));
    }

    [Fact]
    public void Equality_IsByComponents()
    {
        Assert.Equal(Ops.Of(1, "a"), TextOperation.Builder().Retain(1).Insert("a").Build());
        Assert.Equal(Ops.Of(1, "a").GetHashCode(), TextOperation.Builder().Retain(1).Insert("a").Build().GetHashCode());
        Assert.NotEqual(Ops.Of(1, "a"), Ops.Of("a", 1));
    }

    [Fact]
    public void ToString_IsTheWireForm()
    {
        Assert.Equal("[5,\"hello\",-3,2]", Ops.Of(5, "hello", -3, 2).ToString());
    }
}
