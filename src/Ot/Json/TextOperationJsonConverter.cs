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

        var decoder = new WireDecoder();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.EndArray:
                        return decoder.Build();
                    case JsonTokenType.Number when reader.TryGetInt64(out long count):
                        decoder.Count(count);
                        break;
                    case JsonTokenType.Number:
                        throw decoder.NotAnInteger(reader.GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture));
                    case JsonTokenType.String:
                        decoder.Text(reader.GetString()!);
                        break;
                    default:
                        throw decoder.Other(reader.TokenType.ToString());
                }
            }
        }
        catch (InvalidTextOperationException e)
        {
            throw new JsonException(e.Message, e);
        }

        throw new JsonException("TextOperation: the array is not closed.");
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, TextOperation value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var component in value.Components)
        {
            var token = WireFormat.TokenOf(component);
            if (token.IsText)
            {
                writer.WriteStringValue(token.Text);
            }
            else
            {
                writer.WriteNumberValue(token.Count);
            }
        }

        writer.WriteEndArray();
    }
}
