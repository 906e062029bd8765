using System.Net;
using System.Net.Http.Json;
using CollabEdit.Server.Api;

namespace CollabEdit.Server.Tests.Access;

/// <summary>A named version carries the server's author, like an op: the caller's account, or a guest via link under the name given; it survives a restart.</summary>
public sealed class VersionAuthorTests
{
    [Fact]
    public async Task NamedVersions_CarryTheServersAuthor_AccountOrGuest_AcrossARestart()
    {
        string dataPath = RunningServer.NewDataPath();
        string id;
        string ednaId;
        await using (var server = await RunningServer.StartAsync(dataPath))
        {
            server.KeepData = true;
            id = await server.CreateDocumentAsync("abc");
            await server.ConnectAsAccountAsync("Edna", id);
            var (_, edna) = await server.SignUpAsync(RunningServer.UserNameOf("Edna"));
            ednaId = (await edna.GetFromJsonAsync<AccountInfo>("/api/account/me"))!.Id;
            string link = await server.CreateLinkAsync(id, "editor");

            var byOwner = await server.Http.PostAsJsonAsync($"/api/documents/{id}/versions", new CreateVersionRequest("Owner's", 0));

            // An account cannot take another name; a guest goes by the one it gives, marked as a guest.
            var byEdna = await edna.PostAsJsonAsync($"/api/documents/{id}/versions", new CreateVersionRequest("Edna's", 0, GuestName: RunningServer.OwnerName));
            using var asGuest = new HttpRequestMessage(HttpMethod.Post, $"/api/documents/{id}/versions")
            {
                Content = JsonContent.Create(new CreateVersionRequest("Gus's", 0, GuestName: "Gus")),
            };
            asGuest.Headers.Add(DocumentAccessFilter.LinkHeader, link);
            var byGuest = await server.NewHttpClient().SendAsync(asGuest);

            Assert.Equal(HttpStatusCode.Created, byOwner.StatusCode);
            Assert.Equal("Edna", (await byEdna.Content.ReadFromJsonAsync<VersionInfo>())!.Author);
            Assert.Equal("Gus (guest)", (await byGuest.Content.ReadFromJsonAsync<VersionInfo>())!.Author);
        }

        await using var restarted = await RunningServer.StartAsync(dataPath);
        var versions = await restarted.Http.GetFromJsonAsync<VersionInfo[]>($"/api/documents/{id}/versions");

        string ownerId = (await restarted.Http.GetFromJsonAsync<AccountInfo>("/api/account/me"))!.Id;
        Assert.Equal(
            [("Edna's", "Edna", ednaId, false), ("Gus's", "Gus (guest)", (string?)null, true), ("Owner's", "owner", ownerId, false)],
            versions!.Select(v => (v.Name, v.Author, v.AuthorId, v.Guest)).OrderBy(v => v.Name, StringComparer.Ordinal));
    }
}
