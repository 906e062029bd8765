using System.Text.Json;
using System.Text.Json.Serialization;

namespace CollabEdit.Ot.Json;

/// <summary>
/// Reads and writes the wire form: a JSON array where a positive integer is a retain, a string
/// an insert and a negative integer a delete, e.g. <c>[5,"hello",-3,2]</c>. Anything else
/// (floats, zero, null, booleans, nested arrays or objects, integers past Int32, empty strings)
/// is rejected whole with a <see cref="JsonException"/>.
/// </summary>
public sealed class TextOperationJsonConverter : JsonConverter<TextOperation>
{
    /// <inheritdoc/>
    public override TextOperation Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"TextOperation: expected an array, got {reader.TokenType}.");
        }

        var builder = TextOperation.Builder();
        int index = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.EndArray:
                    return builder.Build();
                case JsonTokenType.Number when reader.TryGetInt32(out int count) && count != 0:
                    Add(builder, count, index);
                    break;
                case JsonTokenType.Number:
                    throw new JsonException(
                        $"TextOperation: element {index} must be a non-zero 32-bit integer, got {reader.GetDouble()}.");
                case JsonTokenType.String:
                    string text = reader.GetString()!;
                    if (text.Length == 0)
                    {
                        throw new JsonException($"TextOperation: element {index} is an empty insert.");
                    }

                    AddInsert(builder, text, index);
                    break;
                default:
                    throw new JsonException(
                        $"TextOperation: element {index} must be an integer or a string, got {reader.TokenType}.");
            }

            index++;
        }

        throw new JsonException("TextOperation: the array is not closed.");
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, TextOperation value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var component in value.Components)
        {
            switch (component)
            {
                case Retain r:
                    writer.WriteNumberValue(r.Count);
                    break;
                case Insert i:
                    writer.WriteStringValue(i.Text);
                    break;
                case Delete d:
                    writer.WriteNumberValue(-d.Count);
                    break;
            }
        }

        writer.WriteEndArray();
    }

    private static void Add(TextOperationBuilder builder, int count, int index)
    {
        try
        {
            // int.MinValue has no positive counterpart: -count would overflow.
            if (count == int.MinValue)
            {
                throw new InvalidTextOperationException($"Delete: the count {count} is out of range.");
            }

            _ = count > 0 ? builder.Retain(count) : builder.Delete(-count);
        }
        catch (InvalidTextOperationException e)
        {
            throw new JsonException($"TextOperation: element {index}: {e.Message}", e);
        }
    }

    private static void AddInsert(TextOperationBuilder builder, string text, int index)
    {
        try
        {
            builder.Insert(text);
        }
        catch (InvalidTextOperationException e)
        {
            throw new JsonException($"TextOperation: element {index}: {e.Message}", e);
        }
    }
}
