using System.Text.Json;
using CollabEdit.Protocol;
using MessagePack;

namespace CollabEdit.Ot.Tests;

public sealed class WireFormatTests
{
    [Fact]
    public void Json_DesignExample_ReadsAndWrites()
    {
        var op = JsonSerializer.Deserialize<TextOperation>("[5, \"hello\", -3, 2]");

        Assert.Equal(new OpComponent[] { new Retain(5), new Insert("hello"), new Delete(3), new Retain(2) }, op!.Components);
        Assert.Equal("[5,\"hello\",-3,2]", JsonSerializer.Serialize(op));
    }

    [Fact]
    public void Json_EmptyArray_IsTheEmptyOp()
    {
        Assert.Equal(TextOperation.Identity(0), JsonSerializer.Deserialize<TextOperation>("[]"));
    }

    [Theory]
    [InlineData("[1.5]")]
    [InlineData("[1.0]")]
    [InlineData("[0]")]
    [InlineData("[-0]")]
    [InlineData("[null]")]
    [InlineData("[true]")]
    [InlineData("[false]")]
    [InlineData("[[1]]")]
    [InlineData("[{\"retain\":1}]")]
    [InlineData("[\"\"]")]
    [InlineData("[2147483648]")]
    [InlineData("[-2147483648]")]
    [InlineData("[1e3]")]
    [InlineData("{\"ops\":[1]}")]
    [InlineData("\"abc\"")]
    [InlineData("[\"\\ud83d\"]")]
    [InlineData("[2147483647, 1]")]
    public void Json_Malformed_IsRejectedWhole(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TextOperation>(json));
    }

    [Fact]
    public void Json_NonCanonicalInput_IsCanonicalised()
    {
        Assert.Equal(Ops.Of(3, "ab", -2), JsonSerializer.Deserialize<TextOperation>("[1, 2, \"a\", -2, \"b\"]"));
    }

    [Fact]
    public void MessagePack_DesignExample_RoundTrips()
    {
        var op = Ops.Of(5, "hello", -3, 2);

        byte[] bytes = MessagePackSerializer.Serialize(op, CollabEditResolver.Options);

        Assert.Equal("[5,\"hello\",-3,2]", MessagePackSerializer.ConvertToJson(bytes));
        Assert.Equal(op, MessagePackSerializer.Deserialize<TextOperation>(bytes, CollabEditResolver.Options));
    }

    public static TheoryData<string, object?[]> MalformedMessagePack => new()
    {
        { "float", [1.5] },
        { "double that is whole", [2.0] },
        { "zero", [0] },
        { "null", [null] },
        { "boolean", [true] },
        { "nested array", [new object[] { 1 }] },
        { "map", [new Dictionary<string, int> { ["retain"] = 1 }] },
        { "past Int32", [2147483648L] },
        { "past Int64", [ulong.MaxValue] },
        { "Int32.MinValue", [int.MinValue] },
        { "empty insert", [""] },
        { "binary", [new byte[] { 1, 2 }] },
    };

    [Theory]
    [MemberData(nameof(MalformedMessagePack))]
    public void MessagePack_Malformed_IsRejectedWhole(string what, object?[] values)
    {
        byte[] bytes = MessagePackSerializer.Serialize(values, MessagePack.Resolvers.ContractlessStandardResolver.Options);

        var e = Assert.ThrowsAny<MessagePackSerializationException>(
            () => MessagePackSerializer.Deserialize<TextOperation>(bytes, CollabEditResolver.Options));
        Assert.False(string.IsNullOrEmpty(e.Message), what);
    }

    [Fact]
    public void MessagePack_NotAnArray_IsRejected()
    {
        byte[] bytes = MessagePackSerializer.Serialize("abc");

        Assert.ThrowsAny<MessagePackSerializationException>(
            () => MessagePackSerializer.Deserialize<TextOperation>(bytes, CollabEditResolver.Options));
    }

    [Fact]
    public void Parse_LoneSurrogate_IsRejected()
    {
        var e = Assert.Throws<InvalidTextOperationException>(() => WireFormat.Parse(["a", "\uDE00"]));

        Assert.Contains("element 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AcceptsEveryIntegerType()
    {
        var op = WireFormat.Parse([(byte)2, (sbyte)-1, (short)3, "x", (ushort)1, 2L, (uint)1, (ulong)1]);

        Assert.Equal(Ops.Of(2, -1, 3, "x", 5), op);
    }

    public static TheoryData<string, object?[]> MalformedValues => new()
    {
        { "float", [1.5f] },
        { "double", [2.0] },
        { "decimal", [1m] },
        { "zero", [0] },
        { "null", [null] },
        { "boolean", [false] },
        { "nested", [new object[] { 1 }] },
        { "past Int32", [2147483648L] },
        { "past Int64", [ulong.MaxValue] },
        { "empty insert", [""] },
        { "overflowing sum", [int.MaxValue, 1] },
    };

    [Theory]
    [MemberData(nameof(MalformedValues))]
    public void Parse_Malformed_NamesTheElement(string what, object?[] values)
    {
        var e = Assert.Throws<InvalidTextOperationException>(() => WireFormat.Parse(values));

        Assert.Contains("element", e.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(what));
    }
}
