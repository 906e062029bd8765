using CollabEdit.Protocol;
using CollabEdit.Server.Tests.Storage;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace CollabEdit.Server.Tests.Access;

/// <summary>
/// On PostgreSQL an access change reaches a process as a notice on its LISTEN connection. A notice
/// sent while that connection is down is lost; when the listener is back, the process must assume
/// anything changed: drop its cached decisions and check its open connections again.
/// </summary>
public sealed class LostAccessNoticeTests
{
    [SkippableFact]
    public async Task ARevocationWhoseNoticeWasLost_TakesEffect_WhenTheListenerReconnects()
    {
        string application = $"lost-notice-{Guid.NewGuid():N}"[..30];
        string schema = new NpgsqlConnectionStringBuilder(await TestPostgres.NewSchemaAsync("lost")) { ApplicationName = application }.ConnectionString;
        try
        {
            await using var server = await RunningServer.StartAsync(postgres: schema);
            string id = await server.CreateDocumentAsync("abc");
            var editor = await server.ConnectAsAccountAsync("Eli", id);
            var revoked = new TaskCompletionSource<string>();
            editor.On<string>(HubMessages.AccessRevoked, doc => revoked.TrySetResult(doc));
            await editor.InvokeAsync<OpenResult>(HubMessages.Open, id, "Eli").WaitAsync(Timeouts.Call);
            await editor.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "e", 1L, 0, new object[] { 3, "!" }).WaitAsync(Timeouts.Call);

            // The grant goes, but no notice is sent: as if it came while this process was not listening.
            await using var database = NpgsqlDataSource.Create(schema);
            await using (var revoke = database.CreateCommand("DELETE FROM grants WHERE document_id = $1"))
            {
                revoke.Parameters.Add(new NpgsqlParameter { Value = id });
                Assert.Equal(1, await revoke.ExecuteNonQueryAsync());
            }

            // The decision cached before is still taken (nothing told the process) ...
            var stale = await editor.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "e", 2L, 1, new object[] { 4, "?" }).WaitAsync(Timeouts.Call);

            // ... until its listener's connection drops and comes back.
            await using (var kill = database.CreateCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN collabedit_access%'"))
            {
                kill.Parameters.Add(new NpgsqlParameter { Value = application });
                Assert.Equal(1L, await kill.ExecuteScalarAsync());
            }

            Assert.Equal(id, await revoked.Task.WaitAsync(Timeouts.Call));
            var refused = await Assert.ThrowsAsync<HubException>(
                () => editor.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "e", 3L, 2, new object[] { 5, "." }).WaitAsync(Timeouts.Call));
            Assert.Equal(2, stale.Revision);
            Assert.Equal(ErrorCodes.NotFound, ErrorCodes.Of(refused.Message));
            Assert.Equal("abc!?", (await server.GetDocumentAsync(id)).Text);
        }
        finally
        {
            TestPostgres.DropSchema(schema);
        }
    }
}
