using System.Buffers.Text;
using System.Security.Cryptography;

namespace CollabEdit.Server.Documents;

/// <summary>Document ids: 1–64 of <c>[A-Za-z0-9_-]</c>, so they are safe in URLs and in storage keys.</summary>
public static class DocumentIds
{
    public const int MaxLength = 64;

    public static bool IsValid(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>
    /// A new random id: 128 bits as 22 characters of unpadded base64url. Anyone with a document's
    /// URL can edit it, so the id is a capability and must not be guessable. Ids made before
    /// (16 hex characters) remain valid.
    /// </summary>
    public static string New() =>
        Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
}
