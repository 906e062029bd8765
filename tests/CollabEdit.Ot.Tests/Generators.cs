using CsCheck;

namespace CollabEdit.Ot.Tests;

/// <summary>
/// Generators that build a text first and then ops valid for it. Texts include the empty text,
/// accents, CJK, emoji (surrogate pairs) and an emoji with a skin-tone modifier (two pairs).
/// Ops are derived deterministically from a list of choices, so CsCheck shrinks them well.
/// </summary>
internal static class Generators
{
    public static readonly string[] Atoms = ["a", "b", "c", " ", "\n", "é", "中", "😀", "👍🏽", "xyz", "Q"];

    public static readonly Gen<string> Text =
        Gen.Int[0, Atoms.Length - 1].Array[0, 24].Select(ix => string.Concat(ix.Select(i => Atoms[i])));

    public static readonly Gen<uint[]> Choices = Gen.UInt.Array[0, 8];

    public static readonly Gen<(string Text, TextOperation Op)> TextAndOp =
        Gen.Select(Text, Choices, (text, choices) => (text, OpFor(text, choices)));

    /// <summary>Two ops on the same text: concurrent edits.</summary>
    public static readonly Gen<(string Text, TextOperation A, TextOperation B)> Concurrent =
        Gen.Select(Text, Choices, Choices, (text, a, b) => (text, OpFor(text, a), OpFor(text, b)));

    /// <summary>An op and a second op on the text after it: consecutive edits.</summary>
    public static readonly Gen<(string Text, TextOperation A, TextOperation B)> Consecutive =
        Gen.Select(Text, Choices, Choices, (text, a, b) =>
        {
            var first = OpFor(text, a);
            return (text, first, OpFor(first.Apply(text), b));
        });

    /// <summary>
    /// A valid op for <paramref name="text"/>: each choice picks retain, insert or delete and a
    /// size; retains and deletes never end inside a surrogate pair; the rest is retained.
    /// </summary>
    public static TextOperation OpFor(string text, IReadOnlyList<uint> choices)
    {
        var builder = TextOperation.Builder();
        int pos = 0;
        foreach (uint choice in choices)
        {
            uint size = choice / 3;
            switch (choice % 3)
            {
                case 0:
                    pos += Advance(text, pos, (int)(size % 6) + 1, n => builder.Retain(n));
                    break;
                case 1:
                    builder.Insert(InsertText(size));
                    break;
                default:
                    pos += Advance(text, pos, (int)(size % 4) + 1, n => builder.Delete(n));
                    break;
            }
        }

        builder.Retain(text.Length - pos);
        return builder.Build();
    }

    /// <summary>A text made of atoms picked by <paramref name="seed"/>'s digits in base Atoms.Length.</summary>
    public static string InsertText(uint seed)
    {
        int count = (int)(seed % 3) + 1;
        seed /= 3;
        var parts = new string[count];
        for (int i = 0; i < count; i++)
        {
            parts[i] = Atoms[seed % (uint)Atoms.Length];
            seed /= (uint)Atoms.Length;
        }

        return string.Concat(parts);
    }

    private static int Advance(string text, int pos, int wanted, Func<int, TextOperationBuilder> add)
    {
        int n = Math.Min(wanted, text.Length - pos);
        if (n > 0 && pos + n < text.Length && char.IsLowSurrogate(text[pos + n]))
        {
            n++; // Never stop between the halves of a pair.
        }

        add(n);
        return n;
    }
}
