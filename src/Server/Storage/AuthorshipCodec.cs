using System.Text.Json;
using CollabEdit.Ot;

namespace CollabEdit.Server.Storage;

/// <summary>
/// The stored form of a snapshot's authorship, the same in LiteDB and PostgreSQL: JSON
/// <c>{"a":[author, …],"s":[length, authorIndex, stamp, …]}</c>, each author string once (a
/// document has few authors and many spans).
/// </summary>
internal static class AuthorshipCodec
{
    public static string Encode(Authorship authorship)
    {
        var authors = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var spans = new long[authorship.Spans.Count * 3];
        int i = 0;
        foreach (var span in authorship.Spans)
        {
            if (!index.TryGetValue(span.Author, out int author))
            {
                index[span.Author] = author = authors.Count;
                authors.Add(span.Author);
            }

            spans[i++] = span.Length;
            spans[i++] = author;
            spans[i++] = span.Stamp;
        }

        return JsonSerializer.Serialize(new Stored(authors, spans));
    }

    public static Authorship Decode(string json)
    {
        var stored = JsonSerializer.Deserialize<Stored>(json) ?? throw new InvalidDataException("A snapshot's authorship is null.");
        if (stored.s.Length % 3 != 0)
        {
            throw new InvalidDataException("A snapshot's authorship spans are not triples.");
        }

        var spans = new AuthorSpan[stored.s.Length / 3];
        for (int i = 0; i < spans.Length; i++)
        {
            spans[i] = new AuthorSpan(checked((int)stored.s[3 * i]), stored.a[checked((int)stored.s[(3 * i) + 1])], stored.s[(3 * i) + 2]);
        }

        return Authorship.FromSpans(spans);
    }

#pragma warning disable IDE1006, SA1300 // Short JSON names: this is stored with every snapshot.
    private sealed record Stored(List<string> a, long[] s);
#pragma warning restore IDE1006, SA1300
}
