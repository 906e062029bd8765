using System.Text.Json;
using System.Text.Json.Serialization;
using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using CollabEdit.Server.Storage;
using CollabEdit.Server.Documents;
using MessagePack;
using MessagePack.Formatters;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Server.Tests;

/// <summary>
/// Bad input to the hub, over real WebSockets: every refused call answers with its error code,
/// changes nothing (REST text and revision as before), shows the client no stack trace, and leaves
/// the connection usable.
/// </summary>
public sealed class HubValidationTests
{
    private const string ClientId = "validation-client";

    public static TheoryData<string, bool> MalformedOps()
    {
        var data = new TheoryData<string, bool>();
        foreach (bool json in new[] { false, true })
        {
            foreach (string shape in MalformedOp.Keys)
            {
                data.Add(shape, json);
            }
        }

        return data;
    }

    public static TheoryData<string> InvalidDocumentIds() => ["bad id!", new string('a', DocumentIds.MaxLength + 1), ""];

    /// <summary>Ops for the 3-unit document "abc" that are malformed in the wire form itself.</summary>
    private static readonly Dictionary<string, object> MalformedOp = new()
    {
        ["float"] = new object?[] { 1.5, 1.5 },
        ["zero"] = new object?[] { 0, 3 },
        ["null element"] = new object?[] { 3, null },
        ["nested array"] = new object?[] { new object[] { 3 } },
        ["boolean"] = new object?[] { 3, true },
        ["string instead of array"] = "not an array",
        ["map"] = new Dictionary<string, int> { ["retain"] = 3 },
        ["integer past Int32"] = new object?[] { (long)int.MaxValue + 1 },
        ["negative integer past Int32"] = new object?[] { 3, -((long)int.MaxValue + 2) },
        ["empty insert"] = new object?[] { 3, "" },

        // MessagePack bin 0x03: bytes are not an array of components, though they read as a list of small integers.
        ["binary"] = new byte[] { 3 },
    };

    /// <summary>Calls SignalR cannot bind to the method's parameters: wrong types or counts.</summary>
    private static readonly Dictionary<string, Func<string, object?[]>> MisboundCalls = new()
    {
        ["Submit seq as a string"] = id => [HubMessages.Submit, id, ClientId, "one", 0, new object[] { 3, "x" }],
        ["Submit base revision as an array"] = id => [HubMessages.Submit, id, ClientId, 1L, new object[] { 0 }, new object[] { 3, "x" }],
        ["Submit without its op"] = id => [HubMessages.Submit, id, ClientId, 1L, 0],
        ["Submit with an extra argument"] = id => [HubMessages.Submit, id, ClientId, 1L, 0, new object[] { 3, "x" }, "extra"],
        ["Catchup revision as a string"] = id => [HubMessages.Catchup, id, "zero"],
        ["Catchup without arguments"] = _ => [HubMessages.Catchup],
        ["SetPresence presence as a string"] = id => [HubMessages.SetPresence, id, "here"],
        ["Open id as an array"] = _ => [HubMessages.Open, new object[] { 42 }, "tester"],
        ["Close id as a map"] = _ => [HubMessages.Close, new Dictionary<string, int> { ["id"] = 1 }],
    };

    public static TheoryData<string, bool> MisboundCallNames()
    {
        var data = new TheoryData<string, bool>();
        foreach (bool json in new[] { false, true })
        {
            foreach (string call in MisboundCalls.Keys)
            {
                data.Add(call, json);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedOps))]
    public async Task Submit_MalformedOp_IsInvalidOpAndChangesNothing(string shape, bool json)
    {
        await using var server = await RunningServer.StartAsync();
        var (id, connection, before) = await OpenNewDocumentAsync(server, "abc", json);

        await RejectedAsync(ErrorCodes.InvalidOp, () => SubmitAsync(connection, id, 1, 0, MalformedOp[shape]));

        await AssertUnchangedAsync(server, id, before);
        await AssertUsableAsync(server, connection, id, seq: 2);
    }

    [Theory]
    [MemberData(nameof(MisboundCallNames))]
    public async Task Call_WithArgumentsOfWrongTypeOrCount_IsInvalidOpAndChangesNothing(string call, bool json)
    {
        // SignalR refuses these before any hub code runs; the caller still gets a documented code.
        await using var server = await RunningServer.StartAsync();
        var (id, connection, before) = await OpenNewDocumentAsync(server, "abc", json);
        object?[] invocation = MisboundCalls[call](id);

        await RejectedAsync(ErrorCodes.InvalidOp, () => connection.InvokeCoreAsync((string)invocation[0]!, typeof(object), invocation[1..]));

        await AssertUnchangedAsync(server, id, before);
        await AssertUsableAsync(server, connection, id, seq: 2);
    }

    [Fact]
    public async Task Submit_BaseLengthMismatch_IsInvalidOp()
    {
        await using var server = await RunningServer.StartAsync();
        var (id, connection, before) = await OpenNewDocumentAsync(server, "abc");

        await RejectedAsync(ErrorCodes.InvalidOp, () => SubmitAsync(connection, id, 1, 0, new object[] { 5, "x" }));

        await AssertUnchangedAsync(server, id, before);
        await AssertUsableAsync(server, connection, id, seq: 2);
    }

    [Fact]
    public async Task Submit_FutureBaseRevision_IsInvalidOp()
    {
        await using var server = await RunningServer.StartAsync();
        var (id, connection, before) = await OpenNewDocumentAsync(server, "abc");

        await RejectedAsync(ErrorCodes.InvalidOp, () => SubmitAsync(connection, id, 1, 1, new object[] { 3, "x" }));

        await AssertUnchangedAsync(server, id, before);
        await AssertUsableAsync(server, connection, id, seq: 2);
    }

    [Fact]
    public async Task Submit_NegativeBaseRevision_IsInvalidOp()
    {
        await using var server = await RunningServer.StartAsync();
        var (id, connection, before) = await OpenNewDocumentAsync(server, "abc");

        await RejectedAsync(ErrorCodes.InvalidOp, () => SubmitAsync(connection, id, 1, -1, new object[] { 3, "x" }));

        await AssertUnchangedAsync(server, id, before);
        await AssertUsableAsync(server, connection, id, seq: 2);
    }

    [Fact]
    public async Task Submit_AfterAReload_BaseAtMaxRevisionLagIsTransformed_AndOneOlderIsRevisionTooOld()
    {
        // Reloaded from a snapshot at revision 30, the session holds no ops in memory until it
        // reads the window: a base inside the lag is transformed only if that read came first.
        var settings = new Dictionary<string, string> { ["MaxRevisionLag"] = "5", ["MaxResendLag"] = "0", ["SnapshotInterval"] = "2" };
        string dataPath = RunningServer.NewDataPath();
        string id;
        await using (var first = await RunningServer.StartAsync(dataPath, settings))
        {
            first.KeepData = true;
            (id, var writer, _) = await OpenNewDocumentAsync(first, "");
            await AppendCommitsAsync(writer, id, count: 30);
        }

        await using var server = await RunningServer.StartAsync(dataPath, settings);
        var connection = await server.ConnectAsync();
        await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "tester").WaitAsync(Timeouts.Call);
        var before = await server.GetDocumentAsync(id);

        await RejectedAsync(ErrorCodes.RevisionTooOld, () => SubmitAsync(connection, id, 31, 24, new object[] { 24, "y" }));
        await AssertUnchangedAsync(server, id, before);
        var ack = await SubmitAsync(connection, id, 32, 25, new object[] { 25, "y" });

        Assert.Equal(31, ack.Revision);
        // Each later "x" was appended where "y" would go, and the first committed goes left.
        Assert.Equal(new string('x', 30) + "y", (await server.GetDocumentAsync(id)).Text);
    }

    [Fact]
    public async Task Submit_BaseLaggingFurtherThanMaxRevisionLag_IsRevisionTooOld()
    {
        // 20 commits behind with a maximum lag of 5 and none read from storage (LaggingResendTests
        // has those): all 20 ops are still in memory (history is trimmed in chunks), so only the
        // lag itself can refuse this base.
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxRevisionLag"] = "5", ["MaxResendLag"] = "0" });
        var (id, connection, _) = await OpenNewDocumentAsync(server, "");
        await AppendCommitsAsync(connection, id, count: 20);
        var before = await server.GetDocumentAsync(id);

        await RejectedAsync(ErrorCodes.RevisionTooOld, () => SubmitAsync(connection, id, 21, 0, new object[] { "x" }));

        await AssertUnchangedAsync(server, id, before);
        await AssertUsableAsync(server, connection, id, seq: 22);
    }

    [Fact]
    public async Task Submit_RetainSplittingSurrogatePair_IsInvalidOp()
    {
        await using var server = await RunningServer.StartAsync();
        var (id, connection, before) = await OpenNewDocumentAsync(server, "a😀b");

        await RejectedAsync(ErrorCodes.InvalidOp, () => SubmitAsync(connection, id, 1, 0, new object[] { 2, "x", 2 }));

        await AssertUnchangedAsync(server, id, before);
        await AssertUsableAsync(server, connection, id, seq: 2);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Submit_InsertOfLoneSurrogate_IsInvalidOp(bool json)
    {
        // The .NET serializers replace a lone surrogate with U+FFFD before sending, so the op is written
        // raw, as a browser would send it: "\ud83d" escaped in JSON, WTF-8 bytes ED A0 BD in MessagePack.
        await using var server = await RunningServer.StartAsync();
        var (id, connection, before) = await OpenNewDocumentAsync(server, "abc", json);

        var error = await Assert.ThrowsAsync<HubException>(() => SubmitAsync(connection, id, 1, 0, new LoneSurrogateInsert()));

        AssertErrorMessage(ErrorCodes.InvalidOp, error.Message);
        if (!json)
        {
            // MessagePack's strict reader marks the bytes it cannot decode; the reason says so.
            Assert.Contains("not valid UTF-8", ServerReason(error.Message), StringComparison.Ordinal);
        }

        await AssertUnchangedAsync(server, id, before);
        await AssertUsableAsync(server, connection, id, seq: 2);
    }

    [Fact]
    public async Task Open_UnknownDocument_IsNotFound()
    {
        await using var server = await RunningServer.StartAsync();
        var connection = await server.ConnectAsync();

        await RejectedAsync(ErrorCodes.NotFound, () => connection.InvokeAsync<OpenResult>(HubMessages.Open, DocumentIds.New(), "tester"));

        await AssertUsableAfterOpenAsync(server, connection);
    }

    [Theory]
    [MemberData(nameof(InvalidDocumentIds))]
    public async Task Open_InvalidDocumentId_IsNotFound(string documentId)
    {
        await using var server = await RunningServer.StartAsync();
        var connection = await server.ConnectAsync();

        await RejectedAsync(ErrorCodes.NotFound, () => connection.InvokeAsync<OpenResult>(HubMessages.Open, documentId, "tester"));

        await AssertUsableAfterOpenAsync(server, connection);
    }

    [Fact]
    public async Task Open_PastMaxOpenDocumentsPerConnection_IsTooLargeUntilOneIsClosed()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxOpenDocumentsPerConnection"] = "3" });
        string[] ids = [.. await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => server.CreateDocumentAsync("abc")))];
        var connection = await server.ConnectAsync();
        foreach (string id in ids[..3])
        {
            await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "tester").WaitAsync(Timeouts.Call);
        }

        await RejectedAsync(ErrorCodes.TooLarge, () => connection.InvokeAsync<OpenResult>(HubMessages.Open, ids[3], "tester"));
        var again = await connection.InvokeAsync<OpenResult>(HubMessages.Open, ids[0], "tester").WaitAsync(Timeouts.Call); // Already open: no new slot needed.
        await connection.InvokeAsync(HubMessages.Close, ids[0]).WaitAsync(Timeouts.Call);
        var fourth = await connection.InvokeAsync<OpenResult>(HubMessages.Open, ids[3], "tester").WaitAsync(Timeouts.Call);

        Assert.Equal("abc", again.Text);
        Assert.Equal("abc", fourth.Text);
        await AssertUsableAsync(server, connection, ids[3], seq: 1);
    }

    [Fact]
    public async Task Open_PastMaxLoadedDocumentUnits_UnloadsIdleDocumentsFirstThenIsUnavailable()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxLoadedDocumentUnits"] = "1000" });
        var registry = server.App.Services.GetRequiredService<DocumentRegistry>();
        string text = new('a', 400);
        string[] ids = [.. await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => server.CreateDocumentAsync(text)))];
        var first = await server.ConnectAsync();
        var second = await server.ConnectAsync();
        await first.InvokeAsync<OpenResult>(HubMessages.Open, ids[0], "tester").WaitAsync(Timeouts.Call);
        await first.InvokeAsync<OpenResult>(HubMessages.Open, ids[1], "tester").WaitAsync(Timeouts.Call);
        await first.InvokeAsync(HubMessages.Close, ids[0]).WaitAsync(Timeouts.Call);

        // 1,200 units with the third: the first, which nobody has open, is unloaded to make room.
        await first.InvokeAsync<OpenResult>(HubMessages.Open, ids[2], "tester").WaitAsync(Timeouts.Call);
        Assert.Equal(2, registry.Count);

        // Again 1,200, and both others are in use: refused, and nothing changed.
        await RejectedAsync(ErrorCodes.Unavailable, () => second.InvokeAsync<OpenResult>(HubMessages.Open, ids[0], "tester"));
        Assert.Equal(text, (await server.GetDocumentAsync(ids[0])).Text);
        await first.InvokeAsync(HubMessages.Close, ids[1]).WaitAsync(Timeouts.Call);
        var reopened = await second.InvokeAsync<OpenResult>(HubMessages.Open, ids[0], "tester").WaitAsync(Timeouts.Call);
        Assert.Equal(text, reopened.Text);
    }

    [Fact]
    public async Task Submit_WithoutOpen_IsForbidden()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("abc");
        var before = await server.GetDocumentAsync(id);
        var connection = await server.ConnectAsync();

        await RejectedAsync(ErrorCodes.Forbidden, () => SubmitAsync(connection, id, 1, 0, new object[] { 3, "x" }));

        await AssertUnchangedAsync(server, id, before);
        await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "tester").WaitAsync(Timeouts.Call);
        await AssertUsableAsync(server, connection, id, seq: 2);
    }

    [Fact]
    public async Task Submit_OpLongerThanMaxOpLength_IsTooLarge()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxOpLength"] = "1000" });
        var (id, connection, before) = await OpenNewDocumentAsync(server, "abc");

        await RejectedAsync(ErrorCodes.TooLarge, () => SubmitAsync(connection, id, 1, 0, new object[] { 3, new string('x', 1001) }));

        await AssertUnchangedAsync(server, id, before);
        var ack = await SubmitAsync(connection, id, 2, 0, new object[] { 3, new string('x', 1000) });
        Assert.Equal(1, ack.Revision);
    }

    [Fact]
    public async Task Submit_DeletingMoreThanMaxOpLength_IsAccepted_OnlyInsertedTextCounts()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxOpLength"] = "1000" });
        var (id, connection, _) = await OpenNewDocumentAsync(server, new string('a', 5000));

        // Select all and replace: deletes 5,000 units and inserts 1,000, the most one op may insert.
        var ack = await SubmitAsync(connection, id, 1, 0, new object[] { new string('x', 1000), -5000 });

        Assert.Equal(1, ack.Revision);
        Assert.Equal(new string('x', 1000), (await server.GetDocumentAsync(id)).Text);
    }

    [Fact]
    public async Task Submit_RetryOfACommittedOp_IsAnsweredWithItsRevision_EvenAtTheSizeLimit()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxDocumentLength"] = "10" });
        var (id, connection, _) = await OpenNewDocumentAsync(server, "");
        var first = await SubmitAsync(connection, id, 1, 0, new object[] { new string('x', 10) });

        // The ack was lost: the client resends the same op; the document is now at its limit.
        var retry = await SubmitAsync(connection, id, 1, 0, new object[] { new string('x', 10) });

        Assert.Equal(first.Revision, retry.Revision);
        Assert.Equal(new string('x', 10), (await server.GetDocumentAsync(id)).Text);
    }

    [Fact]
    public async Task Submit_OpWithMoreComponentsThanMaxOpComponents_IsTooLarge()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxOpComponents"] = "5" });
        var (id, connection, before) = await OpenNewDocumentAsync(server, "abcdef");

        // Six components, each deleting or keeping one character: tiny on the wire, but no limit on count would let an op outgrow a storage row.
        await RejectedAsync(ErrorCodes.TooLarge, () => SubmitAsync(connection, id, 1, 0, new object[] { 1, -1, 1, -1, 1, -1 }));

        await AssertUnchangedAsync(server, id, before);
        var ack = await SubmitAsync(connection, id, 2, 0, new object[] { 1, -1, 1, -1, 2 });
        Assert.Equal(1, ack.Revision);
    }

    [Fact]
    public async Task Submit_OpThatCouldOutgrowAStorageRow_IsTooLarge()
    {
        await using var server = await RunningServer.StartAsync();
        server.App.Services.GetRequiredService<DocumentStore>().MaxStoredOpBytes = 4000;
        var (id, connection, before) = await OpenNewDocumentAsync(server, new string('a', 100));

        // 200 components (a "y" after each character): about 6,900 bytes stored as transformed and as sent.
        object[] many = [.. Enumerable.Range(0, 100).SelectMany(_ => new object[] { 1, "y" })];
        await RejectedAsync(ErrorCodes.TooLarge, () => SubmitAsync(connection, id, 1, 0, many));

        await AssertUnchangedAsync(server, id, before);
        var ack = await SubmitAsync(connection, id, 2, 0, new object[] { 100, "y" });
        Assert.Equal(1, ack.Revision);
    }

    [Fact]
    public async Task Submit_PushingDocumentPastMaxDocumentLength_IsTooLarge()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxDocumentLength"] = "50" });
        var (id, connection, before) = await OpenNewDocumentAsync(server, new string('a', 40));

        await RejectedAsync(ErrorCodes.TooLarge, () => SubmitAsync(connection, id, 1, 0, new object[] { 40, new string('x', 11) }));

        await AssertUnchangedAsync(server, id, before);
        var ack = await SubmitAsync(connection, id, 2, 0, new object[] { 40, new string('x', 10) });
        Assert.Equal(1, ack.Revision);
        Assert.Equal(50, (await server.GetDocumentAsync(id)).Text.Length);
    }

    [Fact]
    public async Task Submit_FloodPastRateLimit_IsRateLimitedWithoutChangesAndRecovers()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string>
        {
            ["SubmitsPerSecond"] = "5",
            ["SubmitBurst"] = "5",
        });
        var (id, connection, _) = await OpenNewDocumentAsync(server, "");

        // 30 submits at once, all inserting "x" against revision 0: the accepted ones transform onto each other.
        var outcomes = await Task.WhenAll(Enumerable.Range(1, 30).Select(seq => TrySubmitAsync(connection, id, seq, 0, new object[] { "x" })));

        int accepted = outcomes.Count(o => o.Error is null);
        var refused = outcomes.Where(o => o.Error is not null).Select(o => o.Error!).ToList();
        Assert.NotEmpty(refused);
        Assert.InRange(accepted, 5, 29);
        Assert.All(refused, message => AssertErrorMessage(ErrorCodes.RateLimited, message));
        var after = await server.GetDocumentAsync(id);
        Assert.Equal(accepted, after.Revision);
        Assert.Equal(new string('x', accepted), after.Text);

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await AssertUsableAsync(server, connection, id, seq: 31);
    }

    [Fact]
    public async Task Submit_SameSeqWithDifferentOp_IsInvalidOp()
    {
        await using var server = await RunningServer.StartAsync();
        var (id, connection, _) = await OpenNewDocumentAsync(server, "abc");
        await SubmitAsync(connection, id, 1, 0, new object[] { 3, "x" });
        var before = await server.GetDocumentAsync(id);

        await RejectedAsync(ErrorCodes.InvalidOp, () => SubmitAsync(connection, id, 1, 0, new object[] { 3, "y" }));

        await AssertUnchangedAsync(server, id, before);
        Assert.Equal("abcx", before.Text);
        await AssertUsableAsync(server, connection, id, seq: 2);
    }

    [Fact]
    public async Task Submit_SameSeqWithSameOp_GetsFirstRevisionAndAppliesOnce()
    {
        await using var server = await RunningServer.StartAsync();
        var (id, connection, _) = await OpenNewDocumentAsync(server, "abc");
        var first = await SubmitAsync(connection, id, 1, 0, new object[] { 3, "x" });

        var retry = await SubmitAsync(connection, id, 1, 0, new object[] { 3, "x" });

        Assert.Equal(first.Revision, retry.Revision);
        var after = await server.GetDocumentAsync(id);
        Assert.Equal(1, after.Revision);
        Assert.Equal("abcx", after.Text);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    public async Task Catchup_FromRevisionOutsideHistory_IsInvalidOp(int fromRevision)
    {
        await using var server = await RunningServer.StartAsync();
        var (id, connection, _) = await OpenNewDocumentAsync(server, "abc");
        await SubmitAsync(connection, id, 1, 0, new object[] { 3, "x" });
        var before = await server.GetDocumentAsync(id);

        await RejectedAsync(ErrorCodes.InvalidOp, () => connection.InvokeAsync<CommittedOpMessage[]>(HubMessages.Catchup, id, fromRevision));

        await AssertUnchangedAsync(server, id, before);
        var ops = await connection.InvokeAsync<CommittedOpMessage[]>(HubMessages.Catchup, id, 0).WaitAsync(Timeouts.Call);
        Assert.Equal([1], ops.Select(o => o.Revision));
        await AssertUsableAsync(server, connection, id, seq: 2);
    }

    [Fact]
    public async Task Catchup_WithoutOpen_IsForbidden()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("abc");
        var connection = await server.ConnectAsync();

        await RejectedAsync(ErrorCodes.Forbidden, () => connection.InvokeAsync<CommittedOpMessage[]>(HubMessages.Catchup, id, 0));

        await AssertUsableAfterOpenAsync(server, connection);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RejectedCall_ServerTextStartsWithErrorCodeAndNamesNoException(bool json)
    {
        // The server's text is "code: reason". SignalR always wraps a HubException's text for the
        // caller ("… on the server. HubException: code: reason"); docs/protocol.md documents it
        // and ErrorCodes.Of reads the code from either form.
        await using var server = await RunningServer.StartAsync();
        var (id, connection, _) = await OpenNewDocumentAsync(server, "abc", json);

        var error = await Assert.ThrowsAsync<HubException>(() => SubmitAsync(connection, id, 1, 0, new object[] { 5 }));

        Assert.EndsWith($"on the server. HubException: {ServerReason(error.Message)}", error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{ErrorCodes.InvalidOp}: ", ServerReason(error.Message), StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.InvalidOp, ErrorCodes.Of(error.Message));
        Assert.DoesNotContain("Exception", ServerReason(error.Message), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.Message, StringComparison.Ordinal);
    }

    private static async Task<(string Id, HubConnection Connection, DocumentDetails Before)> OpenNewDocumentAsync(
        RunningServer server, string text, bool json = false)
    {
        string id = await server.CreateDocumentAsync(text);
        var before = await server.GetDocumentAsync(id);
        var connection = await server.ConnectAsync(json);
        var opened = await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "tester").WaitAsync(Timeouts.Call);
        Assert.Equal(before.Text, opened.Text);
        return (id, connection, before);
    }

    private static Task<SubmitAck> SubmitAsync(HubConnection connection, string id, long seq, int baseRevision, object op) =>
        connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, ClientId, seq, baseRevision, op).WaitAsync(Timeouts.Call);

    private static async Task<(SubmitAck? Ack, string? Error)> TrySubmitAsync(HubConnection connection, string id, long seq, int baseRevision, object op)
    {
        try
        {
            return (await SubmitAsync(connection, id, seq, baseRevision, op), null);
        }
        catch (HubException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>Commits <paramref name="count"/> inserts of "x" at the end, each on the revision before it (seq 1…count).</summary>
    private static async Task AppendCommitsAsync(HubConnection connection, string id, int count)
    {
        for (int seq = 1; seq <= count; seq++)
        {
            int length = seq - 1;
            object[] op = length == 0 ? ["x"] : [length, "x"];
            var ack = await SubmitAsync(connection, id, seq, seq - 1, op);
            Assert.Equal(seq, ack.Revision);
        }
    }

    private static async Task RejectedAsync(string code, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<HubException>(() => call().WaitAsync(Timeouts.Call));
        AssertErrorMessage(code, error.Message);
    }

    private static void AssertErrorMessage(string code, string message)
    {
        string reason = ServerReason(message);
        Assert.StartsWith($"{code}: ", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("CollabEdit.", reason, StringComparison.Ordinal); // No internal type names.
    }

    /// <summary>
    /// The server's own message: SignalR puts "An unexpected error occurred invoking 'X' on the
    /// server. HubException: " before every HubException's message. That wrapper is asserted
    /// against once, in <see cref="RejectedCall_ServerTextStartsWithErrorCodeAndNamesNoException"/>.
    /// </summary>
    private static string ServerReason(string message)
    {
        const string Marker = " on the server. HubException: ";
        int at = message.IndexOf(Marker, StringComparison.Ordinal);
        return at < 0 ? message : message[(at + Marker.Length)..];
    }

    private static async Task AssertUnchangedAsync(RunningServer server, string id, DocumentDetails before)
    {
        var after = await server.GetDocumentAsync(id);
        Assert.Equal(before.Revision, after.Revision);
        Assert.Equal(before.Text, after.Text);
    }

    /// <summary>A valid submit on the same connection, appending "!" at the current revision, commits.</summary>
    private static async Task AssertUsableAsync(RunningServer server, HubConnection connection, string id, long seq)
    {
        var current = await server.GetDocumentAsync(id);
        object[] op = current.Text.Length == 0 ? ["!"] : [current.Text.Length, "!"];

        var ack = await SubmitAsync(connection, id, seq, current.Revision, op);

        Assert.Equal(current.Revision + 1, ack.Revision);
        Assert.Equal(current.Text + "!", (await server.GetDocumentAsync(id)).Text);
    }

    /// <summary>The connection can still open a real document and submit to it.</summary>
    private static async Task AssertUsableAfterOpenAsync(RunningServer server, HubConnection connection)
    {
        string id = await server.CreateDocumentAsync("abc");
        var opened = await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "tester").WaitAsync(Timeouts.Call);
        Assert.Equal("abc", opened.Text);
        await AssertUsableAsync(server, connection, id, seq: 1);
    }

    /// <summary>The op ["\uD83D", 3] with its lone surrogate intact on the wire.</summary>
    [MessagePackFormatter(typeof(LoneSurrogateInsertFormatter))]
    [JsonConverter(typeof(LoneSurrogateInsertConverter))]
    internal sealed class LoneSurrogateInsert;

    /// <summary>fixarray(2), fixstr(3) ED A0 BD (the generalized UTF-8 of U+D83D), positive fixint 3.</summary>
    internal sealed class LoneSurrogateInsertFormatter : IMessagePackFormatter<LoneSurrogateInsert>
    {
        public void Serialize(ref MessagePackWriter writer, LoneSurrogateInsert value, MessagePackSerializerOptions options) =>
            writer.WriteRaw([0x92, 0xA3, 0xED, 0xA0, 0xBD, 0x03]);

        public LoneSurrogateInsert Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
            throw new NotSupportedException();
    }

    internal sealed class LoneSurrogateInsertConverter : JsonConverter<LoneSurrogateInsert>
    {
        public override LoneSurrogateInsert Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, LoneSurrogateInsert value, JsonSerializerOptions options) =>
            writer.WriteRawValue("""["\ud83d",3]""", skipInputValidation: true);
    }
}
