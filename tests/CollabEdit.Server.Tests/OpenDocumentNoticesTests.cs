using CollabEdit.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests;

/// <summary>
/// What the server tells a connection about a document it has open, beyond ops and presence: that
/// the document was deleted, and that a rename in place changes whose name later edits carry.
/// </summary>
public sealed class OpenDocumentNoticesTests
{
    [Fact]
    public async Task DeletingADocument_TellsEveryConnectionThatHasItOpen()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("keep me");
        string other = await server.CreateDocumentAsync("unrelated");
        var reader = await server.ConnectAsync();
        var bystander = await server.ConnectAsync(json: true);
        var deleted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bystanderHeard = false;
        reader.On<string>(HubMessages.DocumentDeleted, doc => deleted.TrySetResult(doc));
        bystander.On<string>(HubMessages.DocumentDeleted, _ => bystanderHeard = true);
        await reader.InvokeAsync<OpenResult>(HubMessages.Open, id, "reader").WaitAsync(Timeouts.Call);
        await bystander.InvokeAsync<OpenResult>(HubMessages.Open, other, "bystander").WaitAsync(Timeouts.Call);

        var response = await server.Http.DeleteAsync($"/api/documents/{id}").WaitAsync(Timeouts.Http);

        response.EnsureSuccessStatusCode();
        Assert.Equal(id, await deleted.Task.WaitAsync(Timeouts.Call));
        var error = await Assert.ThrowsAsync<HubException>(() =>
            reader.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "c", 1L, 0, new object[] { 7, "!" }).WaitAsync(Timeouts.Call));
        Assert.Contains(ErrorCodes.NotFound + ":", error.Message, StringComparison.Ordinal);
        Assert.False(bystanderHeard);
    }

    [Fact]
    public async Task RenamingThroughPresence_CreditsAGuestsLaterEditsToTheNewName()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("");
        var connection = await server.ConnectAsAsync(null, await server.CreateLinkAsync(id, "editor"));
        await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "Otter 1").WaitAsync(Timeouts.Call);
        await connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "c", 1L, 0, new object[] { "a" }).WaitAsync(Timeouts.Call);

        await connection.InvokeAsync(HubMessages.SetPresence, id, new PresenceInput("Ann", "#1f6feb", 1, 1, 1)).WaitAsync(Timeouts.Call);
        await connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "c", 2L, 1, new object[] { 1, "b" }).WaitAsync(Timeouts.Call);

        var history = await server.GetAllHistoryAsync(id);
        Assert.Equal(["Otter 1 (guest)", "Ann (guest)"], history.Select(h => h.Author));
        Assert.All(history, h => Assert.True(h.Guest));
    }

    [Fact]
    public async Task AnAccount_CannotTakeAnotherName_ThroughOpenOrPresence()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("");
        var connection = await server.ConnectAsAccountAsync("Bob", id);
        var opened = await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "Ann").WaitAsync(Timeouts.Call);
        await connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "c", 1L, 0, new object[] { "a" }).WaitAsync(Timeouts.Call);

        await connection.InvokeAsync(HubMessages.SetPresence, id, new PresenceInput("Ann", "#1f6feb", 1, 1, 1)).WaitAsync(Timeouts.Call);
        await connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "c", 2L, 1, new object[] { 1, "b" }).WaitAsync(Timeouts.Call);

        var history = await server.GetAllHistoryAsync(id);
        Assert.Equal("Bob", opened.Name);
        Assert.Equal(["Bob", "Bob"], history.Select(h => h.Author));
        Assert.All(history, h => Assert.False(h.Guest));
        Assert.All(history, h => Assert.NotNull(h.AuthorId));
    }
}
