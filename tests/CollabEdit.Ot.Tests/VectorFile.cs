using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CollabEdit.Ot.Tests;

/// <summary>
/// tests/vectors/ot.json: cases with expected results that the C# engine and the browser's
/// JavaScript engine must both pass. Generated here from fixed seeds (set
/// COLLABEDIT_WRITE_VECTORS=1 and run the vector tests to rewrite it) and checked by both.
/// </summary>
internal static class VectorFile
{
    public static string Path
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "CollabEdit.sln")))
                {
                    return System.IO.Path.Combine(dir.FullName, "tests", "vectors", "ot.json");
                }
            }

            throw new DirectoryNotFoundException("CollabEdit.sln not found above the test folder.");
        }
    }

    public static JsonSerializerOptions WriteOptions { get; } = new()
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonArray Generate()
    {
        var random = new Random(20261123);
        var cases = new JsonArray();
        void Add(string kind, string name, JsonObject body)
        {
            body.Insert(0, "kind", kind);
            body.Insert(1, "name", name);
            cases.Add(body);
        }

        JsonNode Wire(TextOperation op) => JsonSerializer.SerializeToNode(op)!;
        string RandomText() => string.Concat(Enumerable.Range(0, random.Next(0, 16)).Select(_ => Generators.Atoms[random.Next(Generators.Atoms.Length)]));
        uint[] Choices() => [.. Enumerable.Range(0, random.Next(0, 7)).Select(_ => (uint)random.Next())];

        // Hand-picked classics first: the traps every OT implementation must get right.
        var classics = new (string Name, string Text, TextOperation A, TextOperation B)[]
        {
            ("inserts at the same position", "xy", Ops.Of(1, "A", 1), Ops.Of(1, "B", 1)),
            ("overlapping deletes", "abcdef", Ops.Of(1, -3, 2), Ops.Of(2, -3, 1)),
            ("insert inside a deleted range", "abcdef", Ops.Of(1, -4, 1), Ops.Of(3, "XY", 3)),
            ("empty document", "", Ops.Of("a"), Ops.Of("b")),
            ("edits at the very end", "abc", Ops.Of(3, "!"), Ops.Of(2, -1)),
            ("emoji deleted and inserted after", "a😀b", Ops.Of(1, -2, 1), Ops.Of(3, "👍🏽", 1)),
            ("same delete on both sides", "abc", Ops.Of(1, -1, 1), Ops.Of(1, -1, 1)),
            ("design example against a delete", "0123456789", Ops.Of(5, "hello", -3, 2), Ops.Of(-5, 5)),
        };
        foreach (var (name, text, a, b) in classics)
        {
            var (aPrime, bPrime) = TextOperation.Transform(a, b);
            Add("transform", name, new JsonObject
            {
                ["text"] = text, ["a"] = Wire(a), ["b"] = Wire(b),
                ["aPrime"] = Wire(aPrime), ["bPrime"] = Wire(bPrime), ["expected"] = bPrime.Apply(a.Apply(text)),
            });
        }

        for (int i = 0; i < 60; i++)
        {
            string text = RandomText();
            var op = Generators.OpFor(text, Choices());
            Add("apply", $"apply {i}", new JsonObject { ["text"] = text, ["op"] = Wire(op), ["expected"] = op.Apply(text) });
        }

        for (int i = 0; i < 50; i++)
        {
            string text = RandomText();
            var a = Generators.OpFor(text, Choices());
            var b = Generators.OpFor(a.Apply(text), Choices());
            Add("compose", $"compose {i}", new JsonObject
            {
                ["text"] = text, ["a"] = Wire(a), ["b"] = Wire(b), ["expected"] = Wire(TextOperation.Compose(a, b)),
            });
        }

        for (int i = 0; i < 60; i++)
        {
            string text = RandomText();
            var a = Generators.OpFor(text, Choices());
            var b = Generators.OpFor(text, Choices());
            var (aPrime, bPrime) = TextOperation.Transform(a, b);
            Add("transform", $"transform {i}", new JsonObject
            {
                ["text"] = text, ["a"] = Wire(a), ["b"] = Wire(b),
                ["aPrime"] = Wire(aPrime), ["bPrime"] = Wire(bPrime), ["expected"] = bPrime.Apply(a.Apply(text)),
            });
        }

        for (int i = 0; i < 40; i++)
        {
            string text = RandomText();
            var op = Generators.OpFor(text, Choices());
            Add("invert", $"invert {i}", new JsonObject { ["text"] = text, ["op"] = Wire(op), ["expected"] = Wire(op.Invert(text)) });
        }

        for (int i = 0; i < 50; i++)
        {
            string text = RandomText();
            var op = Generators.OpFor(text, Choices());
            int index = random.Next(text.Length + 1);
            bool own = i % 2 == 0;
            Add("transform-index", $"transform-index {i}", new JsonObject
            {
                ["text"] = text, ["op"] = Wire(op), ["index"] = index, ["ownEdit"] = own, ["expected"] = op.TransformIndex(index, own),
            });
        }

        foreach (var (name, text, wire) in new (string, string, string)[]
        {
            ("base length too short", "abc", "[2,\"x\"]"),
            ("base length too long", "abc", "[4]"),
            ("retain ends inside a surrogate pair", "a😀b", "[2,\"x\",2]"),
            ("delete takes half a surrogate pair", "a😀b", "[1,-1,2]"),
            ("insert between the halves of a pair", "😀", "[1,\"x\",1]"),
            ("op on empty text retains", "", "[1]"),
        })
        {
            Add("apply-invalid", name, new JsonObject { ["text"] = text, ["op"] = JsonNode.Parse(wire) });
        }

        foreach (var (name, json) in new (string, string)[]
        {
            ("float", "[1.5]"), ("whole float", "[1.0]"), ("zero", "[0]"), ("null", "[null]"), ("true", "[true]"),
            ("nested array", "[[1]]"), ("object", "[{\"retain\":1}]"), ("empty insert", "[\"\"]"),
            ("past Int32", "[2147483648]"), ("Int32.MinValue", "[-2147483648]"), ("exponent", "[1e3]"),
            ("not an array", "{\"ops\":[1]}"), ("a string", "\"abc\""), ("lone high surrogate", "[\"\\ud83d\"]"),
            ("lone low surrogate", "[\"a\\ude00\"]"), ("length overflows Int32", "[2147483647,1]"),
        })
        {
            Add("parse-invalid", name, new JsonObject { ["json"] = json });
        }

        foreach (var (name, json, canonical) in new (string, string, string)[]
        {
            ("neighbours merged", "[1,2,\"a\",\"b\",-1,-2]", "[3,\"ab\",-3]"),
            ("insert moved before delete", "[1,-2,\"x\",1]", "[1,\"x\",-2,1]"),
            ("insert merged across a delete", "[\"a\",-2,\"b\"]", "[\"ab\",-2]"),
        })
        {
            Add("canonical", name, new JsonObject { ["json"] = json, ["expected"] = JsonNode.Parse(canonical) });
        }

        return cases;
    }

    public static void Write(JsonArray cases)
    {
        var root = new JsonObject
        {
            ["description"] = "Shared OT test vectors: generated by tests/CollabEdit.Ot.Tests (VectorFile.cs), checked by the C# and the JavaScript engines. Ops are in the array wire form; lengths count UTF-16 code units.",
            ["cases"] = cases,
        };
        string json = root.ToJsonString(VectorFile.WriteOptions).Replace("},{", "},\n{", StringComparison.Ordinal);
        File.WriteAllText(Path, json + "\n");
    }
}
