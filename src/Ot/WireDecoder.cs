namespace CollabEdit.Ot;

/// <summary>
/// Builds an op from the tokens of its wire form, in order, and owns the form's rules: a
/// non-zero integer within ±Int32.MaxValue is a retain (positive) or a delete (negative), a
/// non-empty string is an insert, and anything else is malformed. Each format (JSON, MessagePack,
/// BSON, loosely typed values) reads only its own tokens and hands them here, so all of them
/// accept and refuse the same ops with the same messages.
/// </summary>
/// <remarks>
/// The refusing methods return the exception for the caller to throw, so a format's reading
/// loop shows where it stops. Every failure is an <see cref="InvalidTextOperationException"/>
/// naming the element.
/// </remarks>
public sealed class WireDecoder
{
    private readonly TextOperationBuilder _builder = TextOperation.Builder();
    private int _index;

    /// <summary>An integer token: a retain or a delete.</summary>
    public void Count(long value)
    {
        if (value == 0 || value > int.MaxValue || value < -int.MaxValue)
        {
            throw NotAnInteger(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        try
        {
            _ = value > 0 ? _builder.Retain((int)value) : _builder.Delete((int)-value);
        }
        catch (InvalidTextOperationException e)
        {
            throw Nested(e);
        }

        _index++;
    }

    /// <summary>A string token: an insert.</summary>
    public void Text(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            throw Invalid("is an empty insert");
        }

        try
        {
            _builder.Insert(text);
        }
        catch (InvalidTextOperationException e)
        {
            throw Nested(e);
        }

        _index++;
    }

    /// <summary>A number that is not a usable count (zero, a fraction, past Int32), shown as the format prints it.</summary>
    public InvalidTextOperationException NotAnInteger(string shown) => Invalid($"must be a non-zero 32-bit integer, got {shown}");

    /// <summary>A string token whose bytes are not valid UTF-8.</summary>
    public InvalidTextOperationException UndecodableText() => Invalid("is text that is not valid UTF-8 (such as a lone surrogate)");

    /// <summary>A token of any other kind (null, a boolean, a nested array or map), described by the format.</summary>
    public InvalidTextOperationException Other(string description) => Invalid($"must be an integer or a string, got {description}");

    /// <summary>The op the tokens so far make, in canonical form.</summary>
    public TextOperation Build() => _builder.Build();

    private InvalidTextOperationException Invalid(string problem) => new($"TextOperation: element {_index} {problem}.");

    private InvalidTextOperationException Nested(InvalidTextOperationException inner) => new($"TextOperation: element {_index}: {inner.Message}");
}
