using CollabEdit.Traces;

namespace CollabEdit.Ot.Tests;

/// <summary>Every trace in tests/traces, replayed as operations, must end exactly at its endContent.</summary>
public sealed class TraceReplayTests
{
    public static TheoryData<string> Traces => [.. EditingTrace.Names];

    [Fact]
    public void Directory_IsTheOverrideIfSet_ElseTheRepositorysOwnCopy()
    {
        string? configured = Environment.GetEnvironmentVariable("COLLABEDIT_TRACES");

        string folder = EditingTrace.Directory;

        if (!string.IsNullOrEmpty(configured))
        {
            Assert.Equal(configured, folder);
            return;
        }

        // A clone with nothing beside it must find every trace inside itself.
        Assert.True(File.Exists(Path.Combine(folder, "..", "..", "CollabEdit.sln")), folder);
        Assert.Equal(Path.Combine("tests", "traces"), Path.GetRelativePath(Path.Combine(folder, "..", ".."), folder));
        Assert.All(EditingTrace.Names, name => Assert.True(File.Exists(Path.Combine(folder, name + ".json.gz")), name));
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public void Replay_ThroughDocumentModel_EndsAtEndContent(string name)
    {
        var trace = EditingTrace.Load(name);
        var document = new TextDocument(trace.StartContent);

        foreach (var op in trace.ToOperations())
        {
            document.Apply(op);
        }

        Assert.Equal(trace.EndContent, document.ToString());
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public void Replay_ComposedPerTransaction_ThroughServerAuthority_EndsAtEndContent(string name)
    {
        var trace = EditingTrace.Load(name);
        var server = new Sync.ServerAuthority(trace.StartContent);
        string text = trace.StartContent;
        long seq = 0;

        // One submit per transaction, its patches composed: what a client sends for a multi-cursor edit.
        foreach (var transaction in trace.Transactions)
        {
            TextOperation? composed = null;
            int length = server.Document.Length;
            foreach (var patch in transaction.Patches)
            {
                var op = TextOperation.Splice(length, patch.Position, patch.DeleteCount, patch.Insert);
                composed = composed is null ? op : TextOperation.Compose(composed, op);
                length = op.TargetLength;
            }

            if (composed is not null)
            {
                Assert.True(server.Submit("trace", ++seq, server.Revision, composed).Accepted);
            }
        }

        Assert.Equal(trace.EndContent, server.Document.ToString());
        Assert.NotEqual(text, server.Document.ToString());
    }
}
