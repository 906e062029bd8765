using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CollabEdit.Protocol;
using MessagePack;
using MessagePack.Formatters;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests;

/// <summary>
/// An op far past the limits, sent whole in one message just under MaxMessageBytes, is refused
/// while it is read: the server does not build millions of values first. Measured as the bytes the
/// process allocates for the call (client and in-process server together); the old reader
/// allocated 350–560 MB for these.
/// Counted process-wide, so it runs alone: no other test allocates meanwhile.
/// </summary>
[Collection(AllocationMeasuring.Name)]
public sealed class OversizedOpTests
{
    private const int Components = 7_000_000;
    private const long AllocationBound = 200L * 1024 * 1024;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Submit_MillionsOfComponents_IsTooLargeWithoutMaterialisingThem(bool json)
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("abc");
        var connection = await server.ConnectAsync(json);
        await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "tester").WaitAsync(Timeouts.Call);
        var op = new RawOp(json);

        long before = GC.GetTotalAllocatedBytes(precise: true);
        var error = await Assert.ThrowsAsync<HubException>(() =>
            connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "client", 1L, 0, op).WaitAsync(Timeouts.Converge));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(ErrorCodes.TooLarge, ErrorCodes.Of(error.Message));
        Assert.True(allocated < AllocationBound, $"{allocated / (1024 * 1024)} MB allocated for one refused op");
        var ack = await connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "client", 2L, 0, new object[] { 3, "!" }).WaitAsync(Timeouts.Call);
        Assert.Equal(1, ack.Revision);
        Assert.Equal("abc!", (await server.GetDocumentAsync(id)).Text);
    }

    /// <summary>
    /// The op [1, 1, 1, …] with <see cref="Components"/> retains, written straight from bytes
    /// built once: positive fixints in MessagePack (1 byte each), "1," in JSON (2 bytes each).
    /// </summary>
    [MessagePackFormatter(typeof(RawOpFormatter))]
    [JsonConverter(typeof(RawOpConverter))]
    internal sealed class RawOp(bool json)
    {
        public byte[] Bytes { get; } = json ? JsonBytes() : MessagePackBytes();

        private static byte[] MessagePackBytes()
        {
            var bytes = new byte[5 + Components];
            bytes[0] = 0xdd; // array 32
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), Components);
            bytes.AsSpan(5).Fill(0x01);
            return bytes;
        }

        private static byte[] JsonBytes()
        {
            var text = new StringBuilder(2 + (2 * Components));
            text.Append('[').Insert(1, "1,", Components - 1).Append("1]");
            return Encoding.ASCII.GetBytes(text.ToString());
        }
    }

    internal sealed class RawOpFormatter : IMessagePackFormatter<RawOp>
    {
        public void Serialize(ref MessagePackWriter writer, RawOp value, MessagePackSerializerOptions options) => writer.WriteRaw(value.Bytes);

        public RawOp Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => throw new NotSupportedException();
    }

    internal sealed class RawOpConverter : JsonConverter<RawOp>
    {
        public override RawOp Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, RawOp value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Bytes, skipInputValidation: true);
    }
}

/// <summary>Tests that measure the process's allocations run with no other test beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasuring
{
    public const string Name = "allocation measuring";
}
