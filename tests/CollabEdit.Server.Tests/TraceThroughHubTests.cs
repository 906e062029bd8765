using CollabEdit.Traces;

namespace CollabEdit.Server.Tests;

/// <summary>A real editing trace typed through the hub by one client.</summary>
public sealed class TraceThroughHubTests
{
    [Fact]
    public async Task SephBlog1_ReplayedThroughHub_EndsAtEndContent_LiveAndAfterRestart()
    {
        var trace = EditingTrace.Load("seph-blog1");
        string dataPath = RunningServer.NewDataPath();
        string id;
        await using (var server = await RunningServer.StartAsync(dataPath))
        {
            server.KeepData = true;
            id = await server.CreateDocumentAsync(trace.StartContent);
            var client = await server.OpenAsync(id, "Seph");
            int edits = 0;
            foreach (var patch in trace.Patches)
            {
                client.Splice(patch.Position, patch.DeleteCount, patch.Insert);

                // Let acks through now and then, so the run has many commits, not one giant op.
                if (++edits % 100 == 0)
                {
                    await client.WhenSynchronizedAsync().WaitAsync(Timeouts.Converge);
                }
            }

            await client.WhenSynchronizedAsync().WaitAsync(Timeouts.Converge);
            Assert.Equal(trace.EndContent, client.Text);
            Assert.Equal(trace.EndContent, (await server.GetDocumentAsync(id)).Text);
        }

        await using (var restarted = await RunningServer.StartAsync(dataPath))
        {
            var details = await restarted.GetDocumentAsync(id);
            Assert.Equal(trace.EndContent, details.Text);
            Assert.Equal(trace.EndContent, Replay.Apply(trace.StartContent, await restarted.GetAllHistoryAsync(id)));
            var reopened = await restarted.OpenAsync(id);
            Assert.Equal(trace.EndContent, reopened.Text);
        }
    }
}
