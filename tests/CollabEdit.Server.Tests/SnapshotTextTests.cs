using System.Diagnostics.Metrics;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Diagnostics;
using CollabEdit.Server.Storage;
using LiteDB;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CollabEdit.Server.Tests;

/// <summary>Snapshot texts are stored compressed when long, plain when short or not valid UTF-16, and always read back exactly.</summary>
public sealed class SnapshotTextTests
{
    private static readonly string[] Pieces = ["a", "e", " ", "\n", "the ", "é", "ß", "中文", "😀", "👩‍👩‍👧", "\t", "x"];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(BsonMapping.CompressSnapshotsFrom - 1)]
    [InlineData(BsonMapping.CompressSnapshotsFrom)]
    [InlineData(70_000)]
    [InlineData(400_000)]
    public void AnyText_IsReadBackExactly_AndCompressedWhenLong(int length)
    {
        var random = new Random(length);
        var text = new System.Text.StringBuilder();
        while (text.Length < length)
        {
            text.Append(Pieces[random.Next(Pieces.Length)]);
        }

        string original = text.ToString();
        var row = new BsonDocument { ["_id"] = "d/0000000001" };
        BsonMapping.SetSnapshotText(row, original);

        Assert.Equal(original, BsonMapping.SnapshotText(row));
        Assert.Equal(original.Length >= BsonMapping.CompressSnapshotsFrom, row.ContainsKey("z"));
        Assert.NotEqual(row.ContainsKey("z"), row.ContainsKey("text"));
        if (row.TryGetValue("z", out var compressed))
        {
            Assert.True(compressed.AsBinary.Length < row["n"].AsInt32, $"{compressed.AsBinary.Length} bytes compressed for {row["n"].AsInt32} of UTF-8");
        }
    }

    [Fact]
    public void ALoneSurrogate_WhichStrictUtf8Refuses_IsLeftUncompressed()
    {
        // The hub and the REST API refuse lone surrogates, so this is the encoder's fallback only.
        string original = new string('a', BsonMapping.CompressSnapshotsFrom) + "\ud83d" + "b";
        var row = new BsonDocument { ["_id"] = "d/0000000001" };
        BsonMapping.SetSnapshotText(row, original);

        Assert.False(row.ContainsKey("z"));
        Assert.Equal(original, BsonMapping.SnapshotText(row));
    }

    [Fact]
    public async Task ALongDocument_SurvivesARestart_AndItsSnapshotRowIsCompressed()
    {
        string directory = RunningServer.NewDataPath();
        Directory.CreateDirectory(directory);
        string text = string.Concat(Enumerable.Repeat("Ein Satz, der sich wiederholt. 😀\n", 500));
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        DocumentStore Open() => new(
            DataDirectoryLock.Acquire(directory),
            directory,
            new NoWriteFaults(),
            new CollabEditMetrics(services.GetRequiredService<IMeterFactory>()),
            NullLogger<DocumentStore>.Instance,
            StorageOptions.DefaultCheckpointBytes);

        try
        {
            var created = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
            using (var store = Open())
            {
                await store.CreateDocumentAsync(new StoredDocument("long", "Long", 0, created, created), text);
                Assert.Equal(text, store.TextAt("long", 0));
            }

            using (var db = new LiteDatabase(Path.Combine(directory, "collabedit.db")))
            {
                var row = db.GetCollection("snapshots").FindById(BsonMapping.Key("long", 0));
                Assert.True(row.ContainsKey("z") && !row.ContainsKey("text"));
            }

            using var reopened = Open();
            Assert.Equal(text, reopened.TextAt("long", 0));
            Assert.Equal(text, reopened.GetSnapshot("long", 0)!.Text);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void RowsWithPlainText_AsWrittenBeforeCompression_AreRead()
    {
        var row = new BsonDocument { ["_id"] = "d/0000000001", ["text"] = new string('q', 10_000) };

        Assert.Equal(new string('q', 10_000), BsonMapping.SnapshotText(row));
    }
}
