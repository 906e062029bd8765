using System.Text.Json;
using System.Text.Json.Serialization;
using CollabEdit.Ot;
using CollabEdit.Protocol;

namespace CollabEdit.Server.Hubs;

/// <summary>
/// Reads a loosely typed (<see cref="object"/>) hub argument, the op, from JSON into the same plain
/// values MessagePack gives (<see cref="long"/>, double, string, bool, null, <c>object?[]</c>), and
/// stops at <see cref="OpReadLimits"/>: an array with more components or more inserted text is
/// skipped unread and becomes an <see cref="OversizedValue"/>. SignalR's default builds a
/// <see cref="JsonElement"/> of the whole argument first, which for a 15 MB array of small integers
/// costs hundreds of MB before any limit can be checked. An escaped lone surrogate becomes an
/// <see cref="UndecodableText"/>, as in MessagePack.
/// </summary>
internal sealed class StrictObjectJsonConverter(OpReadLimits limits) : JsonConverter<object>
{
    /// <summary>Only arguments declared as <see cref="object"/>; every other type keeps its own converter.</summary>
    public override bool CanConvert(Type typeToConvert) => typeToConvert == typeof(object);

    public override object? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ReadValue(ref reader, depth: 0);

    public override void Write(Utf8JsonWriter writer, object value, JsonSerializerOptions options)
    {
        if (value.GetType() == typeof(object))
        {
            writer.WriteStartObject(); // A bare object: its runtime type would come back here.
            writer.WriteEndObject();
            return;
        }

        JsonSerializer.Serialize(writer, value, value.GetType(), options);
    }

    private object? ReadValue(ref Utf8JsonReader reader, int depth)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartArray when depth == 0:
                return ReadArray(ref reader);
            case JsonTokenType.StartArray or JsonTokenType.StartObject:
                // A nested array or an object is no component: kept only as "something else".
                reader.Skip();
                return Array.Empty<object?>();
            case JsonTokenType.Number:
                return reader.TryGetInt64(out long integer) ? (object)integer : reader.GetDouble();
            case JsonTokenType.String:
                return ReadString(ref reader);
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            default:
                return null;
        }
    }

    private object ReadArray(ref Utf8JsonReader reader)
    {
        var items = new List<object?>();
        long textLength = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            object? item = ReadValue(ref reader, depth: 1);
            textLength += item is string text ? text.Length : 0;
            if (items.Count == limits.MaxComponents || textLength > limits.MaxTextLength)
            {
                SkipToEndOfArray(ref reader);
                return new OversizedValue(items.Count == limits.MaxComponents
                    ? $"The op has more than {limits.MaxComponents} components."
                    : $"The op inserts more than {limits.MaxTextLength} UTF-16 code units.");
            }

            items.Add(item);
        }

        return items.ToArray();
    }

    private static void SkipToEndOfArray(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            reader.Skip();
        }
    }

    private static object ReadString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return UndecodableText.Instance; // An escaped lone surrogate ("\ud83d") cannot be read as a string.
        }
    }
}
