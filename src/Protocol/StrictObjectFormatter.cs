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
/// </summary>
public sealed class StrictObjectFormatter : IMessagePackFormatter<object?>
{
    public static readonly StrictObjectFormatter Instance = new();

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
}
