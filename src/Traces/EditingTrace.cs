using System.IO.Compression;
using System.Text.Json;
using CollabEdit.Ot;

namespace CollabEdit.Traces;

/// <summary>
/// A keystroke-by-keystroke editing trace (josephg/editing-traces, sequential form). Positions
/// count code points; the traces shipped here are all inside the BMP, so they are UTF-16 offsets.
/// </summary>
public sealed class EditingTrace
{
    private EditingTrace(string name, string startContent, string endContent, IReadOnlyList<TraceTransaction> transactions)
    {
        Name = name;
        StartContent = startContent;
        EndContent = endContent;
        Transactions = transactions;
    }

    /// <summary>The file name without extensions, e.g. <c>automerge-paper</c>.</summary>
    public string Name { get; }

    public string StartContent { get; }

    public string EndContent { get; }

    public IReadOnlyList<TraceTransaction> Transactions { get; }

    /// <summary>Every patch in order: one edit each.</summary>
    public IEnumerable<TracePatch> Patches => Transactions.SelectMany(t => t.Patches);

    /// <summary>The trace names shipped in the repository's tests/traces.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["automerge-paper", "seph-blog1", "rustcode", "sveltecomponent", "json-crdt-patch"];

    /// <summary>
    /// The folder holding the traces: <c>COLLABEDIT_TRACES</c> if set, else the repository's own
    /// <c>tests/traces</c> (the repository is found by walking up from the app's folder to
    /// CollabEdit.sln), so a clone with nothing beside it runs the trace tests.
    /// </summary>
    public static string Directory
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable("COLLABEDIT_TRACES");
            if (!string.IsNullOrEmpty(configured))
            {
                return configured;
            }

            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CollabEdit.sln")))
                {
                    return Path.Combine(dir.FullName, "tests", "traces");
                }
            }

            throw new DirectoryNotFoundException("No CollabEdit.sln above the app's folder; set COLLABEDIT_TRACES to the traces folder.");
        }
    }

    /// <summary>Loads <c>{name}.json.gz</c> from <see cref="Directory"/>.</summary>
    public static EditingTrace Load(string name) => LoadFile(Path.Combine(Directory, name + ".json.gz"));

    /// <summary>Loads a gzipped trace file.</summary>
    public static EditingTrace LoadFile(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var json = JsonDocument.Parse(gzip);
        var root = json.RootElement;
        var transactions = new List<TraceTransaction>();
        foreach (var txn in root.GetProperty("txns").EnumerateArray())
        {
            DateTimeOffset? time = txn.TryGetProperty("time", out var t) && t.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(t.GetString(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : null;
            var patches = new List<TracePatch>();
            foreach (var patch in txn.GetProperty("patches").EnumerateArray())
            {
                patches.Add(new TracePatch(patch[0].GetInt32(), patch[1].GetInt32(), patch[2].GetString() ?? ""));
            }

            transactions.Add(new TraceTransaction(time, patches));
        }

        string name = Path.GetFileName(path);
        name = name[..name.IndexOf('.', StringComparison.Ordinal)];
        return new EditingTrace(
            name,
            root.GetProperty("startContent").GetString() ?? "",
            root.GetProperty("endContent").GetString() ?? "",
            transactions);
    }

    /// <summary>
    /// Every edit as a <see cref="TextOperation"/> over the whole text it applies to, in order
    /// (each patch is one op).
    /// </summary>
    public IReadOnlyList<TextOperation> ToOperations()
    {
        var ops = new List<TextOperation>();
        int length = StartContent.Length;
        foreach (var patch in Patches)
        {
            var op = TextOperation.Splice(length, patch.Position, patch.DeleteCount, patch.Insert);
            ops.Add(op);
            length = op.TargetLength;
        }

        return ops;
    }
}
