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
            switch (component)
            {
                case Retain r:
                    writer.Write(r.Count);
                    break;
                case Insert i:
                    writer.Write(i.Text);
                    break;
                case Delete d:
                    writer.Write(-d.Count);
                    break;
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
        var builder = TextOperation.Builder();
        for (int index = 0; index < count; index++)
        {
            try
            {
                switch (reader.NextMessagePackType)
                {
                    case MessagePackType.Integer:
                        AddCount(builder, ReadInt32(ref reader, index), index);
                        break;
                    case MessagePackType.String:
                        string? text = reader.ReadString();
                        if (string.IsNullOrEmpty(text))
                        {
                            throw Invalid(index, "is an empty insert");
                        }

                        builder.Insert(text);
                        break;
                    default:
                        throw Invalid(index, $"must be an integer or a string, got {reader.NextMessagePackType}");
                }
            }
            catch (InvalidTextOperationException e)
            {
                throw new MessagePackSerializationException($"TextOperation: element {index}: {e.Message}", e);
            }
        }

        return builder.Build();
    }

    private static int ReadInt32(ref MessagePackReader reader, int index)
    {
        long value;
        try
        {
            value = reader.ReadInt64();
        }
        catch (OverflowException)
        {
            throw Invalid(index, "is an integer past Int32");
        }

        if (value == 0 || value > int.MaxValue || value < -int.MaxValue)
        {
            throw Invalid(index, $"must be a non-zero 32-bit integer, got {value}");
        }

        return (int)value;
    }

    private static void AddCount(TextOperationBuilder builder, int count, int index)
    {
        _ = count > 0 ? builder.Retain(count) : builder.Delete(-count);
    }

    private static MessagePackSerializationException Invalid(int index, string problem) =>
        new($"TextOperation: element {index} {problem}.");
}
