using System.Net;
using System.Net.Http.Json;
using CollabEdit.Server.Access;
using CollabEdit.Server.Api;
using CollabEdit.Server.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Server.Tests.Access;

/// <summary>Delete moves a document to its owner's trash: restorable, purgeable, purged after the retention period; renamed titles and the audit log follow it.</summary>
public sealed class TrashTests
{
    [Fact]
    public async Task Delete_MovesToTheOwnersTrash_WhichRestoresIt()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("keep", "Notes");

        (await server.Http.DeleteAsync($"/api/documents/{id}")).EnsureSuccessStatusCode();
        var gone = await server.Http.GetAsync($"/api/documents/{id}");
        var trash = await server.Http.GetFromJsonAsync<TrashedDocument[]>("/api/trash");
        (await server.Http.PostAsync($"/api/trash/{id}/restore", null)).EnsureSuccessStatusCode();
        var back = await server.GetDocumentAsync(id);

        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal([id], trash!.Select(t => t.Id));
        Assert.Equal("keep", back.Text);
    }

    [Fact]
    public async Task Purge_AndTheRetentionPeriod_DeleteTheDocumentForGood()
    {
        await using var server = await RunningServer.StartAsync();
        string purged = await server.CreateDocumentAsync("purge me");
        string expired = await server.CreateDocumentAsync("expire me");
        string kept = await server.CreateDocumentAsync("keep me");
        foreach (string id in new[] { purged, expired, kept })
        {
            (await server.Http.DeleteAsync($"/api/documents/{id}")).EnsureSuccessStatusCode();
        }

        (await server.Http.DeleteAsync($"/api/trash/{purged}")).EnsureSuccessStatusCode();
        (await server.Http.PostAsync($"/api/trash/{kept}/restore", null)).EnsureSuccessStatusCode();
        int swept = await server.App.Services.GetRequiredService<Trash>().PurgeOlderThanAsync(DateTimeOffset.UtcNow.AddDays(31));

        var documents = server.App.Services.GetRequiredService<IDocumentStorage>();
        Assert.Equal(1, swept);
        Assert.Null(documents.GetDocument(purged));
        Assert.Null(documents.GetDocument(expired));
        Assert.NotNull(documents.GetDocument(kept));
        Assert.Empty((await server.Http.GetFromJsonAsync<TrashedDocument[]>("/api/trash"))!);
    }

    [Fact]
    public async Task TheDocumentCap_CountsTheTrash_UntilItIsPurged()
    {
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Auth:MaxDocumentsPerAccount"] = "2" });
        string first = await server.CreateDocumentAsync("1");
        await server.CreateDocumentAsync("2");
        (await server.Http.DeleteAsync($"/api/documents/{first}")).EnsureSuccessStatusCode();

        var overCap = await server.Http.PostAsJsonAsync("/api/documents", new CreateDocumentRequest("3", ""));
        (await server.Http.DeleteAsync($"/api/trash/{first}")).EnsureSuccessStatusCode();
        var afterPurge = await server.Http.PostAsJsonAsync("/api/documents", new CreateDocumentRequest("3", ""));

        Assert.Equal(HttpStatusCode.Forbidden, overCap.StatusCode);
        Assert.Equal(HttpStatusCode.Created, afterPurge.StatusCode);
    }

    [Fact]
    public async Task RenameGrantAndDelete_AreInTheAuditLog_AndTheNewTitleIsListed()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("text", "Old title");
        await server.SignUpAsync("erin");
        (await server.Http.PutAsJsonAsync($"/api/documents/{id}/access", new GrantRequest("erin", "editor"))).EnsureSuccessStatusCode();
        (await server.Http.PatchAsJsonAsync($"/api/documents/{id}", new RenameRequest("New title"))).EnsureSuccessStatusCode();

        var listed = await server.Http.GetFromJsonAsync<DocumentSummary[]>("/api/documents");
        var audit = await server.Http.GetFromJsonAsync<AuditLine[]>($"/api/documents/{id}/audit");

        Assert.Equal("New title", listed!.Single(d => d.Id == id).Title);
        Assert.Equal(["granted", "renamed"], audit!.Select(a => a.Action));
        Assert.All(audit!, a => Assert.Equal(RunningServer.OwnerName, a.Actor));
    }
}
