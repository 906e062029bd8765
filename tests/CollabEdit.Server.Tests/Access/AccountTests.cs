using System.Net;
using System.Net.Http.Json;
using CollabEdit.Server.Access;
using CollabEdit.Server.Api;
using CollabEdit.Server.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CollabEdit.Server.Tests.Access;

/// <summary>Accounts over the real server: the first is the administrator, sign-up can close, sign-in locks out, the cookie and the hub's query token behave.</summary>
public sealed class AccountTests
{
    [Fact]
    public async Task FirstAccount_IsTheAdministrator_AndOwnsDocumentsFromBeforeAccounts()
    {
        await using var server = await RunningServer.StartAsync();
        var (_, other) = await server.SignUpAsync("second");

        // A document with no owner row, as every document made before accounts existed.
        var now = DateTimeOffset.UtcNow;
        await server.App.Services.GetRequiredService<IDocumentStorage>().CreateDocumentAsync(new StoredDocument("old-document", "Old", 0, now, now), "from before");

        var me = await server.Http.GetFromJsonAsync<AccountInfo>("/api/account/me");
        var second = await other.GetFromJsonAsync<AccountInfo>("/api/account/me");
        var list = await server.Http.GetFromJsonAsync<DocumentSummary[]>("/api/documents");
        Assert.True(me!.IsAdministrator);
        Assert.False(second!.IsAdministrator);
        Assert.Contains(list!, d => d.Id == "old-document" && d.Role == RoleNames.Owner);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/api/documents/old-document")).StatusCode);
    }

    [Fact]
    public async Task SignUpClosed_RefusesNewAccounts_ButNotTheFirst()
    {
        // RunningServer signs its owner up first: with sign-up closed, that still works.
        await using var server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["Auth:AllowSignUp"] = "false" });

        var response = await server.NewHttpClient().PostAsJsonAsync("/api/account/signup", new SignUpRequest("late", "late@example.invalid", RunningServer.Password, null));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(server.OwnerToken));
    }

    [Fact]
    public async Task RepeatedWrongPasswords_LockTheAccountOut_EvenForTheRightOne()
    {
        await using var server = await RunningServer.StartAsync();
        var http = server.NewHttpClient();
        var wrong = new List<HttpStatusCode>();
        for (int i = 0; i < 5; i++)
        {
            wrong.Add((await http.PostAsJsonAsync("/api/account/signin", new SignInRequest(RunningServer.OwnerName, "not the password"))).StatusCode);
        }

        var right = await http.PostAsJsonAsync("/api/account/signin", new SignInRequest(RunningServer.OwnerName, RunningServer.Password));

        // The fifth failure (MaxFailedSignIns) is the one that locks.
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 4), HttpStatusCode.TooManyRequests], wrong);
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
    }

    [Fact]
    public async Task SignIn_SetsAnHttpOnlySameSiteLaxCookie_ThatSignsTheBrowserIn()
    {
        await using var server = await RunningServer.StartAsync();
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.BaseUri };

        var signedIn = await browser.PostAsJsonAsync("/api/account/signin", new SignInRequest(RunningServer.OwnerName, RunningServer.Password));
        var me = await browser.GetAsync("/api/account/me");

        string setCookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("CollabEdit=", StringComparison.Ordinal));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public void OverHttps_TheCookieIsNamedHostPrefixed_SecureForTheWholeSite()
    {
        var context = new DefaultHttpContext();
        context.Request.IsHttps = true;

        new HostPrefixCookieManager().AppendResponseCookie(context, "CollabEdit", "value", new CookieOptions { Path = "/app", HttpOnly = true, SameSite = SameSiteMode.Lax });

        string setCookie = context.Response.Headers.SetCookie.ToString();
        Assert.StartsWith("__Host-CollabEdit=value", setCookie, StringComparison.Ordinal);
        Assert.Contains("path=/;", setCookie, StringComparison.Ordinal);
        Assert.Contains("secure", setCookie, StringComparison.Ordinal);
        Assert.DoesNotContain("domain", setCookie, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CrossSitePostAndDelete_CarryingTheCookie_AreRefused()
    {
        await using var server = await RunningServer.StartAsync();
        string id = await server.CreateDocumentAsync("keep me");
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.BaseUri };
        (await browser.PostAsJsonAsync("/api/account/signin", new SignInRequest(RunningServer.OwnerName, RunningServer.Password))).EnsureSuccessStatusCode();
        string self = server.BaseUri.GetLeftPart(UriPartial.Authority);

        var fromEvilOrigin = await SendAsync(browser, HttpMethod.Post, "/api/documents", ("Origin", "https://evil.example"));
        var fromEvilFetch = await SendAsync(browser, HttpMethod.Delete, $"/api/documents/{id}", ("Sec-Fetch-Site", "cross-site"), ("Origin", "https://evil.example"));
        var fromNowhere = await SendAsync(browser, HttpMethod.Delete, $"/api/documents/{id}");
        var stillThere = await browser.GetAsync($"/api/documents/{id}");
        var fromItsOwnPage = await SendAsync(browser, HttpMethod.Post, "/api/documents", ("Sec-Fetch-Site", "same-origin"), ("Origin", self));

        Assert.Equal(HttpStatusCode.Forbidden, fromEvilOrigin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, fromEvilFetch.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, fromNowhere.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
        Assert.Equal(HttpStatusCode.Created, fromItsOwnPage.StatusCode);
    }

    [Fact]
    public async Task HubTokenInTheQuery_IsAcceptedOnTheHubOnly_AndNeverLogged()
    {
        var logs = new CapturedLogs();
        await using var server = await RunningServer.StartAsync(services: services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);

            // Everything at Trace, the request lines' own category included: the token still appears nowhere.
            services.Configure<LoggerFilterOptions>(filters =>
            {
                filters.MinLevel = LogLevel.Trace;
                filters.Rules.Add(new LoggerFilterRule(null, null, LogLevel.Trace, null));
                filters.Rules.Add(new LoggerFilterRule(null, "Microsoft.AspNetCore", LogLevel.Trace, null));
            });
        });
        string id = await server.CreateDocumentAsync("abc");

        using var hub = await RawHubClient.ConnectAsync(server, queryToken: server.OwnerToken);
        await hub.SendAsync($$"""{"type":1,"invocationId":"1","target":"Open","arguments":["{{id}}","me"]}""");
        var records = await hub.ReadRecordsUntilAsync(r => r.Contains("\"invocationId\":\"1\"", StringComparison.Ordinal));
        var rest = await server.NewHttpClient().GetAsync($"/api/documents?{AuthSchemes.HubTokenParameter}={Uri.EscapeDataString(server.OwnerToken)}");

        Assert.Contains("\"revision\":0", records[^1], StringComparison.Ordinal);
        Assert.DoesNotContain("error", records[^1], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, rest.StatusCode);
        Assert.NotEmpty(logs.Entries);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains(server.OwnerToken, StringComparison.Ordinal));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path) { Content = method == HttpMethod.Post ? JsonContent.Create(new CreateDocumentRequest("x", "")) : null };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return await http.SendAsync(request).WaitAsync(Timeouts.Http);
    }
}
