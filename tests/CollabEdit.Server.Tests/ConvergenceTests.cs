using CollabEdit.Client;
using CollabEdit.Ot;

namespace CollabEdit.Server.Tests;

/// <summary>Several real clients editing one document at once, over WebSockets with MessagePack.</summary>
public sealed class ConvergenceTests
{
    [Theory]
    [InlineData(2, 1)]
    [InlineData(5, 2)]
    public async Task ClientsEditingAtRandom_ConvergeWithRestTextAndHistoryReplay(int clients, int seed)
    {
        await using var server = await RunningServer.StartAsync();
        const string initial = "shared 😀 start\n";
        string id = await server.CreateDocumentAsync(initial);
        var documents = new List<CollabDocument>();
        for (int i = 0; i < clients; i++)
        {
            documents.Add(await server.OpenAsync(id, $"user{i}", json: i == 1));
        }

        // Each client types from its own thread; positions collide often (small text, position 0 and end).
        await Task.WhenAll(documents.Select((document, i) => Task.Run(async () =>
        {
            var random = new Random(seed * 100 + i);
            for (int edit = 0; edit < 150; edit++)
            {
                EditAtRandom(document, random);
                if (random.Next(4) == 0)
                {
                    await Task.Delay(random.Next(3));
                }
            }
        }))).WaitAsync(Timeouts.Converge);

        await Eventually.SynchronizedAsync(documents);
        var details = await server.GetDocumentAsync(id);
        await Eventually.AllAsync(documents, d => d.Revision == details.Revision);

        foreach (var document in documents)
        {
            Assert.Equal(details.Text, document.Text);
        }

        var history = await server.GetAllHistoryAsync(id);
        Assert.Equal(details.Revision, history.Length);
        Assert.Equal(details.Text, Replay.Apply(initial, history));
        Assert.Equal(clients, history.Select(h => h.Author).Distinct().Count());
    }

    internal static void EditAtRandom(CollabDocument document, Random random) =>
        document.Edit(text => RandomEdit(text, random));

    private static TextOperation RandomEdit(string text, Random random)
    {
        int kind = random.Next(10);
        int position = random.Next(3) switch
        {
            0 => 0,
            1 => text.Length,
            _ => random.Next(text.Length + 1),
        };
        if (position > 0 && position < text.Length && char.IsLowSurrogate(text[position]))
        {
            position--;
        }

        if (kind < 6 || text.Length == 0)
        {
            string[] inserts = ["a", "b", "xy", "😀", "é", " ", "\n"];
            return TextOperation.Splice(text.Length, position, 0, inserts[random.Next(inserts.Length)]);
        }
        else
        {
            int count = Math.Min(random.Next(1, 4), text.Length - position);
            if (count == 0)
            {
                position = 0;
                count = 1;
            }

            if (position + count < text.Length && char.IsLowSurrogate(text[position + count]))
            {
                count++;
            }

            return TextOperation.Splice(text.Length, position, count, "");
        }
    }
}
