using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests.Access;

/// <summary>
/// Access changes reach open connections at once: a revoked link or role closes the document on
/// them (no more ops, next call refused, told why); an upgraded role applies to the very next call.
/// Submitting, catching up or sending presence is refused on a document the connection did not open or opened as a viewer.
/// </summary>
public sealed class RevocationTests
{
    [Fact]
    public async Task RevokingALink_ClosesTheDocumentOnItsConnections_WithinASecond()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("abc");
        var response = await server.Http.PostAsJsonAsync($"/api/documents/{id}/links", new CreateLinkRequest("editor"));
        var link = (await response.Content.ReadFromJsonAsync<LinkInfo>())!;
        var guest = await server.ConnectAsAsync(null, link.Token);
        var revoked = new TaskCompletionSource<string>();
        var opsSeen = new ConcurrentQueue<int>();
        guest.On<string>(HubMessages.AccessRevoked, doc => revoked.TrySetResult(doc));
        guest.On<string, int, object>(HubMessages.Op, (_, revision, _) => opsSeen.Enqueue(revision));
        await guest.InvokeAsync<OpenResult>(HubMessages.Open, id, "Guest").WaitAsync(Timeouts.Call);
        var owner = await server.OpenAsync(id, RunningServer.OwnerName);

        var clock = Stopwatch.StartNew();
        (await server.Http.DeleteAsync($"/api/documents/{id}/links/{link.Id}")).EnsureSuccessStatusCode();
        string closed = await revoked.Task.WaitAsync(TimeSpan.FromSeconds(1));
        var elapsed = clock.Elapsed;
        owner.Splice(0, 0, "x");
        await owner.WhenSynchronizedAsync().WaitAsync(Timeouts.Call);
        var refused = await Assert.ThrowsAsync<HubException>(
            () => guest.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "g", 1L, 0, new object[] { 3, "!" }).WaitAsync(Timeouts.Call));
        var reopen = await Assert.ThrowsAsync<HubException>(() => guest.InvokeAsync<OpenResult>(HubMessages.Open, id, "Guest").WaitAsync(Timeouts.Call));

        Assert.Equal(id, closed);
        Assert.True(elapsed < TimeSpan.FromSeconds(1), $"told after {elapsed}");
        Assert.Empty(opsSeen);
        Assert.Equal(ErrorCodes.NotFound, ErrorCodes.Of(refused.Message));
        Assert.Equal(ErrorCodes.NotFound, ErrorCodes.Of(reopen.Message));
    }

    [Fact]
    public async Task RevokingAnAccountsRole_ClosesTheDocumentOnItsConnection()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("abc");
        var editor = await server.ConnectAsAccountAsync("Eve", id);
        var revoked = new TaskCompletionSource<string>();
        editor.On<string>(HubMessages.AccessRevoked, doc => revoked.TrySetResult(doc));
        await editor.InvokeAsync<OpenResult>(HubMessages.Open, id, "Eve").WaitAsync(Timeouts.Call);
        var access = await server.Http.GetFromJsonAsync<AccessList>($"/api/documents/{id}/access");

        (await server.Http.DeleteAsync($"/api/documents/{id}/access/{access!.Grants.Single().AccountId}")).EnsureSuccessStatusCode();

        Assert.Equal(id, await revoked.Task.WaitAsync(Timeouts.Call));
        var refused = await Assert.ThrowsAsync<HubException>(
            () => editor.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "e", 1L, 0, new object[] { 3, "!" }).WaitAsync(Timeouts.Call));
        Assert.Equal(ErrorCodes.NotFound, ErrorCodes.Of(refused.Message));
    }

    [Fact]
    public async Task UpgradingAViewerToEditor_AppliesToTheNextCall_AndTellsTheConnection()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("abc");
        var (token, _) = await server.SignUpAsync("vera");
        (await server.Http.PutAsJsonAsync($"/api/documents/{id}/access", new GrantRequest("vera", "viewer"))).EnsureSuccessStatusCode();
        var viewer = await server.ConnectAsAsync(token);
        var changed = new TaskCompletionSource<string>();
        viewer.On<string, string>(HubMessages.AccessChanged, (_, role) => changed.TrySetResult(role));
        var opened = await viewer.InvokeAsync<OpenResult>(HubMessages.Open, id, "Vera").WaitAsync(Timeouts.Call);
        var asViewer = await Assert.ThrowsAsync<HubException>(
            () => viewer.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "v", 1L, 0, new object[] { 3, "!" }).WaitAsync(Timeouts.Call));

        (await server.Http.PutAsJsonAsync($"/api/documents/{id}/access", new GrantRequest("vera", "editor"))).EnsureSuccessStatusCode();
        string role = await changed.Task.WaitAsync(Timeouts.Call);
        var ack = await viewer.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "v", 1L, 0, new object[] { 3, "!" }).WaitAsync(Timeouts.Call);

        Assert.Equal("viewer", opened.Role);
        Assert.Equal(ErrorCodes.Forbidden, ErrorCodes.Of(asViewer.Message));
        Assert.Equal("editor", role);
        Assert.Equal(1, ack.Revision);
    }

    [Fact]
    public async Task SubmitCatchupAndPresence_OnADocumentNotOpened_OrOpenedAsViewer_AreRefused()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("abc");
        var editor = await server.ConnectAsAccountAsync("Ed", id);
        var viewer = await server.ConnectAsAsync(null, await server.CreateLinkAsync(id, "viewer"));
        await viewer.InvokeAsync<OpenResult>(HubMessages.Open, id, "Viv").WaitAsync(Timeouts.Call);

        foreach (var connection in new[] { editor, viewer })
        {
            await RefusedAsync(ErrorCodes.Forbidden, () => connection.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "c", 1L, 0, new object[] { 3, "!" }));
            await RefusedAsync(ErrorCodes.Forbidden, () => connection.InvokeAsync<CommittedOpMessage[]>(HubMessages.Catchup, id, 0));
            await RefusedAsync(ErrorCodes.Forbidden, () => connection.InvokeAsync(HubMessages.SetPresence, id, new PresenceInput(null, null, 1, 1)));
        }

        Assert.Equal("abc", (await server.GetDocumentAsync(id)).Text);
    }

    private static async Task RefusedAsync(string code, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<HubException>(() => call().WaitAsync(Timeouts.Call));
        Assert.Equal(code, ErrorCodes.Of(error.Message));
    }
}
