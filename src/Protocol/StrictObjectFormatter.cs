using System.Buffers;
using System.Text;
using MessagePack;
using MessagePack.Formatters;

namespace CollabEdit.Protocol;

/// <summary>
/// Reads loosely typed (<see cref="object"/>) arguments, such as a hub's op, without hiding
/// malformed input. MessagePack's default decodes invalid UTF-8 (for example a lone surrogate
/// written as WTF-8 by a JavaScript encoder) to U+FFFD, which would silently change an insert's
/// length; here such a string becomes an <see cref="InvalidString"/> that validation rejects.
/// Integers come back as <see cref="long"/> (or <see cref="ulong"/> past Int64), floats as double.
/// </summary>
public sealed class StrictObjectFormatter : IMessagePackFormatter<object?>
{
    public static readonly StrictObjectFormatter Instance = new();

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public void Serialize(ref MessagePackWriter writer, object? value, MessagePackSerializerOptions options) =>
        PrimitiveObjectFormatter.Instance.Serialize(ref writer, value, options);

    public object? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        try
        {
            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Nil:
                    reader.ReadNil();
                    return null;
                case MessagePackType.Boolean:
                    return reader.ReadBoolean();
                case MessagePackType.Integer:
                    return reader.NextCode == MessagePackCode.UInt64 ? reader.ReadUInt64() : reader.ReadInt64();
                case MessagePackType.Float:
                    return reader.ReadDouble();
                case MessagePackType.String:
                    return ReadString(ref reader);
                case MessagePackType.Array:
                    int count = reader.ReadArrayHeader();
                    var items = new object?[count];
                    for (int i = 0; i < count; i++)
                    {
                        items[i] = Deserialize(ref reader, options);
                    }

                    return items;
                default:
                    // Maps, binary, extensions: no op component is one; keep them as what they are.
                    return PrimitiveObjectFormatter.Instance.Deserialize(ref reader, options);
            }
        }
        finally
        {
            reader.Depth--;
        }
    }

    private static object ReadString(ref MessagePackReader reader)
    {
        var bytes = reader.ReadStringSequence();
        if (bytes is null)
        {
            return InvalidString.Instance;
        }

        try
        {
            return StrictUtf8.GetString(bytes.Value.IsSingleSegment ? bytes.Value.FirstSpan : bytes.Value.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return InvalidString.Instance;
        }
    }
}

/// <summary>A MessagePack string that was not valid UTF-8 (e.g. an encoded lone surrogate).</summary>
public sealed class InvalidString
{
    public static readonly InvalidString Instance = new();

    private InvalidString()
    {
    }

    /// <summary>How op validation names it, e.g. "element 0 must be an integer or a string, got text that is not valid UTF-8 …".</summary>
    public override string ToString() => "text that is not valid UTF-8 (such as a lone surrogate)";
}
