namespace CollabEdit.Ot;

/// <summary>
/// The op's wire form, <c>[5,"hello",-3,2]</c>, shared by every format: <see cref="TokenOf"/>
/// encodes a component, <see cref="WireDecoder"/> decodes tokens. Also the form as plain values,
/// for boundaries that receive an op loosely (a hub argument bound as <see cref="object"/>) and
/// must validate it themselves.
/// </summary>
public static class WireFormat
{
    /// <summary>The token a component is written as: an insert's text, a retain's count, a delete's negated count.</summary>
    public static WireToken TokenOf(OpComponent component) => component switch
    {
        Retain r => new WireToken(r.Count, null),
        Insert i => new WireToken(0, i.Text),
        Delete d => new WireToken(-d.Count, null),
        _ => throw new InvalidOperationException("Unknown component."),
    };

    /// <summary>
    /// Parses the values of a wire array. Integers of any CLR integer type are accepted when they
    /// are non-zero and fit Int32; everything else (floats, null, booleans, nested arrays) throws
    /// <see cref="InvalidTextOperationException"/> naming the element.
    /// </summary>
    public static TextOperation Parse(IEnumerable<object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var decoder = new WireDecoder();
        foreach (object? value in values)
        {
            switch (value)
            {
                case string text:
                    decoder.Text(text);
                    break;
                case ulong u when u > long.MaxValue:
                    throw decoder.NotAnInteger(u.ToString(System.Globalization.CultureInfo.InvariantCulture));
                case sbyte or byte or short or ushort or int or uint or long or ulong:
                    decoder.Count(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                case UndecodableText:
                    throw decoder.UndecodableText();
                default:
                    throw decoder.Other(Describe(value));
            }
        }

        return decoder.Build();
    }

    /// <summary>The wire values of <paramref name="op"/>: ints and strings.</summary>
    public static object[] ToValues(TextOperation op)
    {
        ArgumentNullException.ThrowIfNull(op);
        var values = new object[op.Components.Count];
        for (int i = 0; i < values.Length; i++)
        {
            var token = TokenOf(op.Components[i]);
            values[i] = token.IsText ? token.Text! : token.Count;
        }

        return values;
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        float or double or decimal => $"the number {value}",
        System.Collections.IEnumerable => "a nested array or object",
        _ => value.GetType().Name,
    };
}
