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

    [Theory]
    [InlineData("[0]", new object[] { 0 })]
    [InlineData("[3,\"\"]", new object[] { 3, "" })]
    [InlineData("[3000000000]", new object[] { 3_000_000_000L })]
    [InlineData("[2,-2147483648]", new object[] { 2, int.MinValue })]
    public void EveryFormat_RefusesTheSameOpWithTheSameMessage(string json, object[] values)
    {
        byte[] bytes = MessagePackSerializer.Serialize(values, MessagePack.Resolvers.ContractlessStandardResolver.Options);

        string fromJson = Innermost(Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TextOperation>(json)));
        string fromMessagePack = Innermost(Assert.ThrowsAny<MessagePackSerializationException>(
            () => MessagePackSerializer.Deserialize<TextOperation>(bytes, CollabEditResolver.Options)));
        string fromValues = Innermost(Assert.Throws<InvalidTextOperationException>(() => WireFormat.Parse(values)));

        Assert.Equal(fromJson, fromMessagePack);
        Assert.Equal(fromJson, fromValues);
        Assert.StartsWith("TextOperation: element ", fromJson, StringComparison.Ordinal);
    }

    [Fact]
    public void MessagePack_InsertThatIsNotValidUtf8_IsRefusedByName()
    {
        // fixarray(2), fixstr(3) ED A0 BD (a lone surrogate as WTF-8), positive fixint 3.
        byte[] bytes = [0x92, 0xA3, 0xED, 0xA0, 0xBD, 0x03];

        var typed = Assert.ThrowsAny<MessagePackSerializationException>(
            () => MessagePackSerializer.Deserialize<TextOperation>(bytes, CollabEditResolver.Options));
        var loose = MessagePackSerializer.Deserialize<object?[]>(bytes, CollabEditResolver.Options);
        var parsed = Assert.Throws<InvalidTextOperationException>(() => WireFormat.Parse(loose));

        Assert.Equal("TextOperation: element 0 is text that is not valid UTF-8 (such as a lone surrogate).", Innermost(typed));
        Assert.Equal(Innermost(typed), parsed.Message);
    }

    /// <summary>The codec's own message: the serializers wrap it in exceptions of their own.</summary>
    private static string Innermost(Exception e) => e.InnerException is null ? e.Message : Innermost(e.InnerException);

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
