using System.Text.Json;
using System.Text.Json.Nodes;

namespace CollabEdit.Ot.Tests;

/// <summary>The engine passes every case of tests/vectors/ot.json, the file the JS engine also checks.</summary>
public sealed class VectorTests
{
    private static readonly Lazy<JsonArray> Cases = new(Load);

    public static TheoryData<int> CaseIndexes => [.. Enumerable.Range(0, Cases.Value.Count)];

    [Fact]
    public void File_HasEnoughCasesOfEveryKind()
    {
        var kinds = Cases.Value.GroupBy(c => (string)c!["kind"]!).ToDictionary(g => g.Key, g => g.Count());

        Assert.True(Cases.Value.Count >= 200, $"only {Cases.Value.Count} cases");
        foreach (string kind in new[] { "apply", "compose", "transform", "invert", "transform-index", "apply-invalid", "parse-invalid", "canonical" })
        {
            Assert.True(kinds.GetValueOrDefault(kind) > 0, $"no {kind} case");
        }
    }

    [Fact]
    public void File_IsWhatTheGeneratorMakes()
    {
        // Catches a hand edit or a generator change without a rewrite of the file.
        Assert.Equal(VectorFile.Generate().ToJsonString(), Cases.Value.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(CaseIndexes))]
    public void Case_Passes(int index)
    {
        var c = Cases.Value[index]!.AsObject();
        string kind = (string)c["kind"]!;
        switch (kind)
        {
            case "apply":
                Assert.Equal((string)c["expected"]!, Op(c["op"]).Apply((string)c["text"]!));
                break;
            case "apply-invalid":
                Assert.Throws<InvalidTextOperationException>(() => Op(c["op"]).Apply((string)c["text"]!));
                break;
            case "compose":
                Assert.Equal(Op(c["expected"]), TextOperation.Compose(Op(c["a"]), Op(c["b"])));
                break;
            case "transform":
                var (aPrime, bPrime) = TextOperation.Transform(Op(c["a"]), Op(c["b"]));
                Assert.Equal(Op(c["aPrime"]), aPrime);
                Assert.Equal(Op(c["bPrime"]), bPrime);
                Assert.Equal((string)c["expected"]!, aPrime.Apply(Op(c["b"]).Apply((string)c["text"]!)));
                break;
            case "invert":
                Assert.Equal(Op(c["expected"]), Op(c["op"]).Invert((string)c["text"]!));
                break;
            case "transform-index":
                Assert.Equal((int)c["expected"]!, Op(c["op"]).TransformIndex((int)c["index"]!, (bool)c["ownEdit"]!));
                break;
            case "parse-invalid":
                Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TextOperation>((string)c["json"]!));
                break;
            case "canonical":
                Assert.Equal(Op(c["expected"]), JsonSerializer.Deserialize<TextOperation>((string)c["json"]!));
                Assert.Equal(c["expected"]!.ToJsonString(), JsonSerializer.Serialize(JsonSerializer.Deserialize<TextOperation>((string)c["json"]!)));
                break;
            default:
                Assert.Fail($"unknown kind {kind}");
                break;
        }
    }

    private static TextOperation Op(JsonNode? node) => node.Deserialize<TextOperation>()!;

    private static JsonArray Load()
    {
        if (Environment.GetEnvironmentVariable("COLLABEDIT_WRITE_VECTORS") == "1")
        {
            VectorFile.Write(VectorFile.Generate());
        }

        return JsonNode.Parse(File.ReadAllText(VectorFile.Path))!["cases"]!.AsArray();
    }
}
