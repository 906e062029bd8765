using System.Collections.Concurrent;
using System.Net;
using CollabEdit.Protocol;
using CollabEdit.Server.Documents;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Server.Tests;

/// <summary>
/// Deleting a document while clients open and edit it: no session outlives the delete, and a
/// write that can no longer apply fails alone, never the other documents' writes it was batched with.
/// </summary>
public sealed class DeleteRaceTests
{
    private const int Races = 120;
    private const int Bystanders = 3;
    private const int RacersPerDocument = 3;

    [Fact]
    public async Task DeletesRacingOpens_LeaveNoSession_AndNeverFailOtherDocumentsWrites()
    {
        // Generous limits: the test floods on purpose and must not be refused for it.
        var settings = new Dictionary<string, string>
        {
            ["SubmitsPerSecond"] = "100000",
            ["CallsPerSecond"] = "100000",
            ["CallsPerSecondPerAddress"] = "100000",
            ["RequestsPerSecondPerAddress"] = "100000",
            ["DocumentCreatesPerSecondPerAddress"] = "100000",
            ["Auth:ChangesPerSecondPerAccount"] = "100000", // every create and delete is the owner's
        };
        await using var server = await RunningServer.StartAsync(settings: settings);
        var registry = server.App.Services.GetRequiredService<DocumentRegistry>();

        // Bystanders edit their own documents, one submit after another, the whole time.
        using var stop = new CancellationTokenSource();
        var bystanderErrors = new ConcurrentBag<string>();
        var bystanderAcks = new int[Bystanders];
        var bystanders = new List<Task>();
        for (int b = 0; b < Bystanders; b++)
        {
            string id = await server.CreateDocumentAsync("bystander");
            var connection = await server.ConnectAsync();
            await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, $"bystander{b}").WaitAsync(Timeouts.Call);
            int index = b;
            bystanders.Add(Task.Run(() => EditUntilStoppedAsync(connection, id, index, bystanderAcks, bystanderErrors, stop.Token)));
        }

        var racers = new List<HubConnection>();
        for (int r = 0; r < RacersPerDocument; r++)
        {
            racers.Add(await server.ConnectAsync());
        }

        var deleted = new List<string>();
        var racerErrors = new ConcurrentBag<string>();
        for (int race = 0; race < Races; race++)
        {
            string id = await server.CreateDocumentAsync("doomed");
            deleted.Add(id);
            var opening = racers.Select(c => Task.Run(() => OpenAndEditAsync(c, id, racerErrors))).ToList();
            var delete = server.Http.DeleteAsync($"/api/documents/{id}");
            Assert.Equal(HttpStatusCode.NoContent, (await delete.WaitAsync(Timeouts.Http)).StatusCode);
            await Task.WhenAll(opening).WaitAsync(Timeouts.Call);
        }

        await stop.CancelAsync();
        await Task.WhenAll(bystanders).WaitAsync(Timeouts.Call);

        Assert.Empty(bystanderErrors);
        Assert.All(bystanderAcks, acks => Assert.True(acks > 0));
        Assert.All(racerErrors, code => Assert.Contains(code, new[] { ErrorCodes.NotFound, ErrorCodes.Forbidden }));

        // Only the bystanders' documents are loaded: no session was left on a deleted one.
        await Eventually.TrueAsync(() => registry.Count == Bystanders, $"only the {Bystanders} bystanders' documents are loaded (now {registry.Count})");
    }

    private static async Task EditUntilStoppedAsync(HubConnection connection, string id, int index, int[] acks, ConcurrentBag<string> errors, CancellationToken stop)
    {
        int revision = 0;
        int length = "bystander".Length;
        for (long seq = 1; !stop.IsCancellationRequested; seq++)
        {
            try
            {
                revision = (await connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, $"bystander{index}", seq, revision, new object[] { length, "x" })
                    .WaitAsync(Timeouts.Call)).Revision;
                length++;
                acks[index]++;
            }
            catch (HubException e)
            {
                errors.Add(e.Message);
                return;
            }
        }
    }

    /// <summary>Opens the doomed document and submits to it until it is gone; returns the codes it was refused with.</summary>
    private static async Task OpenAndEditAsync(HubConnection connection, string id, ConcurrentBag<string> errors)
    {
        try
        {
            var opened = await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "racer").WaitAsync(Timeouts.Call);
            string clientId = Guid.NewGuid().ToString("N");

            // Always against the opened revision: the server transforms it past the other racers' ops.
            for (long seq = 1; seq <= 20; seq++)
            {
                await connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, clientId, seq, opened.Revision, new object[] { "r", opened.Text.Length })
                    .WaitAsync(Timeouts.Call);
            }
        }
        catch (HubException e)
        {
            errors.Add(ErrorCodes.Of(e.Message) ?? e.Message);
        }
        finally
        {
            await connection.InvokeAsync(HubMessages.Close, id).WaitAsync(Timeouts.Call);
        }
    }
}
