using System.Buffers;
using System.Text;
using CollabEdit.Ot;
using MessagePack;
using MessagePack.Formatters;

namespace CollabEdit.Protocol;

/// <summary>
/// Reads loosely typed (<see cref="object"/>) arguments, such as a hub's op, without hiding
/// malformed input. MessagePack's default decodes invalid UTF-8 (for example a lone surrogate
/// written as WTF-8 by a JavaScript encoder) to U+FFFD, which would silently change an insert's
/// length; here such a string becomes <see cref="UndecodableText"/>, which validation refuses by name.
/// Integers come back as <see cref="long"/> (or <see cref="ulong"/> past Int64), floats as double.
/// An array longer than the limits (components, or UTF-16 units of text) is skipped unread and
/// comes back as an <see cref="OversizedValue"/>: its header alone would otherwise decide how much
/// is allocated, and a 15 MB message of small integers is 15 million boxed values.
/// </summary>
public sealed class StrictObjectFormatter(OpReadLimits limits) : IMessagePackFormatter<object?>
{
    public static readonly StrictObjectFormatter Instance = new(OpReadLimits.None);

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
                    return StrictUtf8.ReadString(ref reader) ?? (object)UndecodableText.Instance;
                case MessagePackType.Array:
                    return ReadArray(ref reader, options);
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

    private object ReadArray(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int count = reader.ReadArrayHeader();
        if (count > limits.MaxComponents)
        {
            SkipElements(ref reader, count);
            return new OversizedValue($"The op has {count} components; the limit is {limits.MaxComponents}.");
        }

        var items = new object?[count];
        long textLength = 0;
        for (int i = 0; i < count; i++)
        {
            if (reader.NextMessagePackType == MessagePackType.String)
            {
                var bytes = reader.ReadStringSequence();
                textLength += bytes is { } utf8 ? StrictUtf8Length(utf8) : 0;
                if (textLength > limits.MaxTextLength)
                {
                    SkipElements(ref reader, count - i - 1);
                    return new OversizedValue($"The op inserts more than {limits.MaxTextLength} UTF-16 code units.");
                }

                items[i] = StrictUtf8.Decode(bytes) ?? (object)UndecodableText.Instance;
            }
            else
            {
                items[i] = Deserialize(ref reader, options);
            }
        }

        return items;
    }

    private static void SkipElements(ref MessagePackReader reader, int count)
    {
        for (int i = 0; i < count; i++)
        {
            reader.Skip();
        }
    }

    /// <summary>The UTF-16 length of a UTF-8 string, counted without decoding it.</summary>
    private static long StrictUtf8Length(ReadOnlySequence<byte> utf8) =>
        utf8.IsSingleSegment ? Encoding.UTF8.GetCharCount(utf8.FirstSpan) : Encoding.UTF8.GetCharCount(utf8.ToArray());
}
