using System.Security.Cryptography;

namespace CollabEdit.Server.Documents;

/// <summary>Document ids: 1–64 of <c>[A-Za-z0-9_-]</c>, so they are safe in URLs and in storage keys.</summary>
public static class DocumentIds
{
    public const int MaxLength = 64;

    public static bool IsValid(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= MaxLength && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>A new random id: 16 characters, 80 bits, not guessable.</summary>
    public static string New() =>
        Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10))[..16];
}
