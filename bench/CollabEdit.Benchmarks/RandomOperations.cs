using CollabEdit.Ot;

namespace CollabEdit.Benchmarks;

/// <summary>
/// Deterministic inputs for the algebra benchmarks: a seeded <see cref="Random"/> drives every
/// choice, so each run measures the same texts and the same operations.
/// </summary>
internal static class RandomOperations
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz     ";

    /// <summary>An ASCII text of <paramref name="length"/> letters and spaces.</summary>
    public static string Text(int length, int seed)
    {
        var random = new Random(seed);
        return string.Create(length, random, static (span, r) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[r.Next(Alphabet.Length)];
            }
        });
    }

    /// <summary>
    /// An operation over a text of <paramref name="baseLength"/> code units made of
    /// <paramref name="components"/> components, cycling retain, insert, delete and ending with
    /// the retain that covers the rest. Distinct kinds alternate, so canonical form keeps every
    /// component and the count is exact.
    /// </summary>
    public static TextOperation Alternating(int baseLength, int components, int seed)
    {
        if (components < 1 || components % 3 != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(components), components, "Must be 3k + 1 (k retain/insert/delete triples and a final retain).");
        }

        var random = new Random(seed);
        var builder = TextOperation.Builder();
        int triples = components / 3;

        // Keep each triple's share of the base text small enough that the final retain is never empty.
        int share = baseLength / (triples + 1);
        int consumed = 0;
        for (int t = 0; t < triples; t++)
        {
            int retain = random.Next(1, share * 3 / 4);
            int delete = random.Next(1, Math.Max(2, share / 4));
            builder.Retain(retain)
                .Insert(Text(random.Next(1, 9), random.Next()))
                .Delete(delete);
            consumed += retain + delete;
        }

        var op = builder.Retain(baseLength - consumed).Build();
        if (op.Components.Count != components || op.BaseLength != baseLength)
        {
            throw new InvalidOperationException(
                $"Alternating: built {op.Components.Count} components over {op.BaseLength} code units, wanted {components} over {baseLength}.");
        }

        return op;
    }
}
