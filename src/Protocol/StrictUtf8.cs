using System.Buffers;
using System.Text;
using MessagePack;

namespace CollabEdit.Protocol;

/// <summary>
/// Reads MessagePack strings without hiding malformed input. MessagePack's default decodes
/// invalid UTF-8 (for example a lone surrogate written as WTF-8 by a JavaScript encoder) to
/// U+FFFD, which would silently change an insert's text and length.
/// </summary>
internal static class StrictUtf8
{
    private static readonly UTF8Encoding Encoding = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The next string token, or null if its bytes are not valid UTF-8 (or it is nil).</summary>
    public static string? ReadString(ref MessagePackReader reader) => Decode(reader.ReadStringSequence());

    /// <summary>A string token's bytes as text, or null if they are not valid UTF-8 (or nil).</summary>
    public static string? Decode(ReadOnlySequence<byte>? bytes)
    {
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return Encoding.GetString(bytes.Value.IsSingleSegment ? bytes.Value.FirstSpan : bytes.Value.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
