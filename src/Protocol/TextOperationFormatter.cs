using CollabEdit.Ot;
using MessagePack;
using MessagePack.Formatters;

namespace CollabEdit.Protocol;

/// <summary>
/// MessagePack form of <see cref="TextOperation"/>: the same array as JSON, a positive integer a
/// retain, a string an insert, a negative integer a delete. Anything else (floats, nil, booleans,
/// nested arrays or maps, zero, integers past Int32, empty strings) is rejected whole.
/// </summary>
public sealed class TextOperationFormatter : IMessagePackFormatter<TextOperation?>
{
    public static readonly TextOperationFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, TextOperation? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(value.Components.Count);
        foreach (var component in value.Components)
        {
            var token = WireFormat.TokenOf(component);
            if (token.IsText)
            {
                writer.Write(token.Text);
            }
            else
            {
                writer.Write(token.Count);
            }
        }
    }

    public TextOperation? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        if (reader.NextMessagePackType != MessagePackType.Array)
        {
            throw new MessagePackSerializationException($"TextOperation: expected an array, got {reader.NextMessagePackType}.");
        }

        int count = reader.ReadArrayHeader();
        var decoder = new WireDecoder();
        try
        {
            for (int index = 0; index < count; index++)
            {
                switch (reader.NextMessagePackType)
                {
                    case MessagePackType.Integer when reader.NextCode == MessagePackCode.UInt64:
                        ulong large = reader.ReadUInt64();
                        throw decoder.NotAnInteger(large.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    case MessagePackType.Integer:
                        decoder.Count(reader.ReadInt64());
                        break;
                    case MessagePackType.String:
                        decoder.Text(StrictUtf8.ReadString(ref reader) ?? throw decoder.UndecodableText());
                        break;
                    default:
                        throw decoder.Other(reader.NextMessagePackType.ToString());
                }
            }
        }
        catch (InvalidTextOperationException e)
        {
            throw new MessagePackSerializationException(e.Message, e);
        }

        return decoder.Build();
    }
}
