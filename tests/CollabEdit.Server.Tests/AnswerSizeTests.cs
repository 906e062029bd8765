using System.Net.Http.Json;
using CollabEdit.Ot;
using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests;

/// <summary>
/// Answers that could grow with a document's history (Catchup, history pages) are cut by bytes,
/// not only by count, and the rest is had by asking again from the last revision returned.
/// </summary>
public sealed class AnswerSizeTests
{
    private const int Budget = 20_000;
    private const int InsertLength = 4_000;
    private const int Commits = 20;

    [Fact]
    public async Task Catchup_FarBehind_IsAnsweredInPagesOfBoundedBytes()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxCatchupBytes"] = $"{Budget}" });
        var (id, connection) = await CommitManyAsync(server);

        var pages = new List<CommittedOpMessage[]>();
        int from = 0;
        while (true)
        {
            var page = await connection.InvokeAsync<CommittedOpMessage[]>(HubMessages.Catchup, id, from).WaitAsync(Timeouts.Call);
            if (page.Length == 0)
            {
                break;
            }

            pages.Add(page);
            from = page[^1].Revision;
        }

        Assert.True(pages.Count > 1, $"one answer of {pages[0].Length} ops");
        Assert.Equal(Enumerable.Range(1, Commits + 1), pages.SelectMany(page => page).Select(op => op.Revision));
        Assert.All(pages, page => Assert.True(page.Length == 1 || InsertedUnits(page.Select(op => op.Op)) <= Budget, $"{page.Length} ops, {InsertedUnits(page.Select(op => op.Op))} units"));
    }

    [Fact]
    public async Task History_LongPage_IsCutByBytesAndPagingReturnsEverything()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxHistoryPageBytes"] = $"{Budget}" });
        var (id, _) = await CommitManyAsync(server);

        var first = await server.Http.GetFromJsonAsync<HistoryEntry[]>($"/api/documents/{id}/history?from=0&limit=1000").WaitAsync(Timeouts.Http);
        var all = await server.GetAllHistoryAsync(id);

        Assert.InRange(first!.Length, 1, Commits - 1);
        Assert.True(InsertedUnits(first.Select(entry => entry.Op)) <= Budget);
        Assert.Equal(Enumerable.Range(1, Commits + 1), all.Select(entry => entry.Revision));
    }

    /// <summary>
    /// Commits <see cref="Commits"/> inserts of <see cref="InsertLength"/> characters, then one op
    /// larger than the whole budget (it still comes, alone, in its own page).
    /// </summary>
    private static async Task<(string Id, HubConnection Connection)> CommitManyAsync(RunningServer server)
    {
        string id = await server.CreateDocumentAsync();
        var connection = await server.ConnectAsync();
        await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "tester").WaitAsync(Timeouts.Call);
        for (int seq = 1; seq <= Commits + 1; seq++)
        {
            int length = (seq - 1) * InsertLength;
            string text = new('x', seq <= Commits ? InsertLength : Budget + 1);
            object[] op = length == 0 ? [text] : [length, text];
            var ack = await connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "size-client", (long)seq, seq - 1, op).WaitAsync(Timeouts.Call);
            Assert.Equal(seq, ack.Revision);
        }

        return (id, connection);
    }

    private static long InsertedUnits(IEnumerable<TextOperation> ops) =>
        ops.SelectMany(op => op.Components).OfType<Insert>().Sum(insert => (long)insert.Text.Length);
}
