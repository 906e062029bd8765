namespace CollabEdit.Ot;

/// <summary>
/// The array wire form as plain values, for boundaries that receive an op loosely (a hub
/// argument bound as <see cref="object"/>) and must validate it themselves: a positive integer
/// is a retain, a non-empty string an insert, a negative integer a delete.
/// </summary>
public static class WireFormat
{
    /// <summary>
    /// Parses the values of a wire array. Integers of any CLR integer type are accepted when they
    /// are non-zero and fit Int32; everything else (floats, null, booleans, nested arrays) throws
    /// <see cref="InvalidTextOperationException"/> naming the element.
    /// </summary>
    public static TextOperation Parse(IEnumerable<object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var builder = TextOperation.Builder();
        int index = 0;
        foreach (object? value in values)
        {
            switch (value)
            {
                case string { Length: 0 }:
                    throw Invalid(index, "is an empty insert");
                case string text:
                    Wrap(index, () => builder.Insert(text));
                    break;
                case sbyte or byte or short or ushort or int or uint or long or ulong:
                    long count = value is ulong u ? (u > long.MaxValue ? long.MaxValue : (long)u) : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
                    if (count == 0 || count > int.MaxValue || count < -int.MaxValue)
                    {
                        throw Invalid(index, $"must be a non-zero 32-bit integer, got {value}");
                    }

                    Wrap(index, () => count > 0 ? builder.Retain((int)count) : builder.Delete((int)-count));
                    break;
                default:
                    throw Invalid(index, $"must be an integer or a string, got {Describe(value)}");
            }

            index++;
        }

        return builder.Build();
    }

    /// <summary>The wire values of <paramref name="op"/>: ints and strings.</summary>
    public static object[] ToValues(TextOperation op)
    {
        ArgumentNullException.ThrowIfNull(op);
        var values = new object[op.Components.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = op.Components[i] switch
            {
                Retain r => r.Count,
                Insert ins => ins.Text,
                Delete d => -d.Count,
                _ => throw new InvalidOperationException("Unknown component."),
            };
        }

        return values;
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        float or double or decimal => $"the number {value}",
        System.Collections.IEnumerable => "a nested array or object",
        // Anything else describes itself (a decoder's marker for a string it could not read, say).
        _ => value.ToString() ?? value.GetType().Name,
    };

    private static void Wrap(int index, Func<TextOperationBuilder> add)
    {
        try
        {
            add();
        }
        catch (InvalidTextOperationException e)
        {
            throw Invalid(index, e.Message);
        }
    }

    private static InvalidTextOperationException Invalid(int index, string problem) =>
        new($"Parse: element {index} {problem}.");
}
