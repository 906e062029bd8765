using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CollabEdit.Server.Tests.Access;

/// <summary>
/// Sessions end as in Google: signing out ends this session (its tokens and refresh token, on REST
/// and on open hub connections); signing out everywhere, or changing the password, ends every other
/// one; a refresh token works only while its session holds; a deleted account takes its documents
/// and the roles it was given with it.
/// </summary>
public sealed class SessionTests
{
    private const string NewPassword = "a new and longer passphrase";

    [Fact]
    public async Task SignOut_EndsThisSessionsTokens_OnRestAndTheHub_NotOtherSessions()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("abc");
        var first = await SignInAsync(server, RunningServer.OwnerName, RunningServer.Password);
        var second = await SignInAsync(server, RunningServer.OwnerName, RunningServer.Password);
        var hub = await server.ConnectAsAsync(first.AccessToken);
        var closed = new TaskCompletionSource();
        hub.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await hub.InvokeAsync<OpenResult>(HubMessages.Open, id, "me").WaitAsync(Timeouts.Call);

        var signedOut = await PostAsync(server, "/api/account/signout", first.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, signedOut.StatusCode);
        await closed.Task.WaitAsync(Timeouts.Call);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(server, first.AccessToken));
        await Assert.ThrowsAnyAsync<Exception>(() => server.ConnectAsAsync(first.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(server, first.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await MeAsync(server, second.AccessToken));
        var refreshed = await RefreshAsync(server, second.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var renewed = (await refreshed.Content.ReadFromJsonAsync<Tokens>())!;
        Assert.Equal(HttpStatusCode.OK, await MeAsync(server, renewed.AccessToken));

        // The refreshed token belongs to the same session: signing out of it ends both.
        (await PostAsync(server, "/api/account/signout", renewed.AccessToken)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(server, second.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(server, renewed.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task SignOutEverywhere_EndsEveryTokenAndCookie_AndSigningInAgainWorks()
    {
        await using var server = await RunningServer.StartAsync();
        var first = await SignInAsync(server, RunningServer.OwnerName, RunningServer.Password);
        var second = await SignInAsync(server, RunningServer.OwnerName, RunningServer.Password);
        using var browser = await CookieBrowserAsync(server, RunningServer.OwnerName, RunningServer.Password);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/account/me")).StatusCode);

        (await PostAsync(server, "/api/account/signout?everywhere=true", first.AccessToken)).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(server, first.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(server, second.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(server, server.OwnerToken));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/account/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(server, second.RefreshToken)).StatusCode);
        var again = await SignInAsync(server, RunningServer.OwnerName, RunningServer.Password);
        Assert.Equal(HttpStatusCode.OK, await MeAsync(server, again.AccessToken));
    }

    [Fact]
    public async Task SignOut_WithTheCookie_EndsThatCookie_EvenReplayed()
    {
        await using var server = await RunningServer.StartAsync();
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.BaseUri, Timeout = Timeouts.Http };
        (await browser.PostAsJsonAsync("/api/account/signin", new SignInRequest(RunningServer.OwnerName, RunningServer.Password))).EnsureSuccessStatusCode();
        string cookie = cookies.GetCookies(server.BaseUri)["CollabEdit"]!.Value;

        using var signOut = new HttpRequestMessage(HttpMethod.Post, "/api/account/signout");
        signOut.Headers.Add("Sec-Fetch-Site", "same-origin");
        var signedOut = await browser.SendAsync(signOut).WaitAsync(Timeouts.Http);

        // Someone who kept a copy of the cookie gets nowhere with it.
        using var replay = new HttpRequestMessage(HttpMethod.Get, "/api/account/me");
        replay.Headers.Add("Cookie", $"CollabEdit={cookie}");
        Assert.Equal(HttpStatusCode.NoContent, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.NewHttpClient().SendAsync(replay).WaitAsync(Timeouts.Http)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await MeAsync(server, server.OwnerToken));
    }

    [Fact]
    public async Task ChangingThePassword_KeepsThisSession_EndsTheOthers_AndTheirRefreshTokens()
    {
        await using var server = await RunningServer.StartAsync();
        await server.SignUpAsync("pat");
        var mine = await SignInAsync(server, "pat", RunningServer.Password);
        var other = await SignInAsync(server, "pat", RunningServer.Password);

        var wrong = await PostAsync(server, "/api/account/password", mine.AccessToken, new ChangePasswordRequest("not it", NewPassword));
        var changed = await PostAsync(server, "/api/account/password", mine.AccessToken, new ChangePasswordRequest(RunningServer.Password, NewPassword));

        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var renewed = (await changed.Content.ReadFromJsonAsync<Tokens>())!;
        Assert.Equal(HttpStatusCode.OK, await MeAsync(server, renewed.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(server, other.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(server, other.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(server, mine.RefreshToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInResponseAsync(server, "pat", RunningServer.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SignInResponseAsync(server, "pat", NewPassword)).StatusCode);
    }

    [Fact]
    public async Task DeletingTheAccount_NeedsThePassword_DeletesItsDocuments_AndRemovesItsRoles()
    {
        await using var server = await RunningServer.StartAsync();
        string shared = await server.CreateDocumentAsync("the owner's");
        var (token, dora) = await server.SignUpAsync("dora");
        (await server.Http.PutAsJsonAsync($"/api/documents/{shared}/access", new GrantRequest("dora", "editor"))).EnsureSuccessStatusCode();
        var created = await dora.PostAsJsonAsync("/api/documents", new CreateDocumentRequest("Dora's", "mine"));
        string owned = (await created.Content.ReadFromJsonAsync<DocumentDetails>())!.Id;
        (await dora.PostAsJsonAsync($"/api/documents/{owned}/links", new CreateLinkRequest("viewer"))).EnsureSuccessStatusCode();

        var wrong = await DeleteAccountAsync(server, token, "not it");
        var deleted = await DeleteAccountAsync(server, token, RunningServer.Password);
        var administrator = await DeleteAccountAsync(server, server.OwnerToken, RunningServer.Password);

        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, administrator.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(server, token));
        Assert.Equal(HttpStatusCode.Unauthorized, (await SignInResponseAsync(server, "dora", RunningServer.Password)).StatusCode);
        Assert.Null(server.App.Services.GetRequiredService<CollabEdit.Server.Storage.IDocumentStorage>().GetDocument(owned));
        Assert.Empty((await server.Http.GetFromJsonAsync<AccessList>($"/api/documents/{shared}/access"))!.Grants);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync($"/api/documents/{shared}")).StatusCode);
    }

    private static async Task<HttpStatusCode> MeAsync(RunningServer server, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/account/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await server.NewHttpClient().SendAsync(request).WaitAsync(Timeouts.Http)).StatusCode;
    }

    private static async Task<HttpResponseMessage> PostAsync(RunningServer server, string path, string token, object? body = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await server.NewHttpClient().SendAsync(request).WaitAsync(Timeouts.Http);
    }

    private static async Task<HttpResponseMessage> DeleteAccountAsync(RunningServer server, string token, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/api/account") { Content = JsonContent.Create(new DeleteAccountRequest(password)) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await server.NewHttpClient().SendAsync(request).WaitAsync(Timeouts.Http);
    }

    private static Task<HttpResponseMessage> RefreshAsync(RunningServer server, string refreshToken) =>
        server.NewHttpClient().PostAsJsonAsync("/api/account/refresh", new RefreshRequest(refreshToken)).WaitAsync(Timeouts.Http);

    private static Task<HttpResponseMessage> SignInResponseAsync(RunningServer server, string userName, string password) =>
        server.NewHttpClient().PostAsJsonAsync("/api/account/signin?token=true", new SignInRequest(userName, password)).WaitAsync(Timeouts.Http);

    private static async Task<Tokens> SignInAsync(RunningServer server, string userName, string password)
    {
        var response = await SignInResponseAsync(server, userName, password);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<Tokens>())!;
    }

    private static async Task<HttpClient> CookieBrowserAsync(RunningServer server, string userName, string password)
    {
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.BaseUri, Timeout = Timeouts.Http };
        (await browser.PostAsJsonAsync("/api/account/signin", new SignInRequest(userName, password))).EnsureSuccessStatusCode();
        return browser;
    }

    private sealed record Tokens(string AccessToken, string RefreshToken);
}
