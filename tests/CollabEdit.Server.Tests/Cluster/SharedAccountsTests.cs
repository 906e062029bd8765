using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using CollabEdit.Client;
using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;

namespace CollabEdit.Server.Tests.Cluster;

/// <summary>
/// Several processes on one database share the accounts, grants and token keys: a sign-in on one
/// works on all, an access change made through one reaches the others' connections, and the
/// first account is the only administrator however the sign-ups race.
/// </summary>
public sealed class SharedAccountsTests
{
    [SkippableFact]
    public async Task SignUpOnOneProcess_TheTokenWorksOnAnother_AndARevocationThereClosesTheDocumentWithinASecond()
    {
        await using var cluster = await PostgresCluster.StartAsync(processes: 2);
        string id = await cluster.CreateDocumentAsync(0, "shared");
        using var a = cluster.Http(0);
        string token = await AccountTokens.SignUpAsync(a, "eve", RunningServer.Password).WaitAsync(Timeouts.Http);
        (await a.PutAsJsonAsync($"/api/documents/{id}/access", new GrantRequest("eve", "editor")).WaitAsync(Timeouts.Http)).EnsureSuccessStatusCode();

        // The token and the grant, both made on process 0, are good on process 1.
        using var b = new HttpClient { BaseAddress = cluster.Processes[1].BaseUri, Timeout = Timeouts.Http };
        b.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync($"/api/documents/{id}").WaitAsync(Timeouts.Http)).StatusCode);
        var editor = await CollabConnection.ConnectAsync(cluster.Processes[1].BaseUri, accessToken: token).WaitAsync(Timeouts.Call);
        try
        {
            var revoked = new TaskCompletionSource<string>();
            editor.On<string>(HubMessages.AccessRevoked, doc => revoked.TrySetResult(doc));
            await editor.InvokeAsync<OpenResult>(HubMessages.Open, id, "Eve").WaitAsync(Timeouts.Call);

            var access = await a.GetFromJsonAsync<AccessList>($"/api/documents/{id}/access").WaitAsync(Timeouts.Http);
            var clock = Stopwatch.StartNew();
            (await a.DeleteAsync($"/api/documents/{id}/access/{access!.Grants.Single().AccountId}").WaitAsync(Timeouts.Http)).EnsureSuccessStatusCode();
            string closed = await revoked.Task.WaitAsync(Timeouts.Call);
            var elapsed = clock.Elapsed;

            Assert.Equal(id, closed);
            Assert.True(elapsed < TimeSpan.FromSeconds(1), $"told after {elapsed}");
            Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/api/documents/{id}").WaitAsync(Timeouts.Http)).StatusCode);
        }
        finally
        {
            await editor.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task SigningOutOnOneProcess_ClosesTheSessionsHubConnectionOnAnother_AndItsTokenIsRefusedThere()
    {
        await using var cluster = await PostgresCluster.StartAsync(processes: 2);
        using var a = cluster.Http(0);
        string token = await AccountTokens.SignUpAsync(a, "sam", RunningServer.Password).WaitAsync(Timeouts.Http);
        var connection = await CollabConnection.ConnectAsync(cluster.Processes[1].BaseUri, accessToken: token).WaitAsync(Timeouts.Call);
        try
        {
            var closed = new TaskCompletionSource();
            connection.Closed += _ =>
            {
                closed.TrySetResult();
                return Task.CompletedTask;
            };

            using var signOut = new HttpRequestMessage(HttpMethod.Post, "/api/account/signout");
            signOut.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await a.SendAsync(signOut).WaitAsync(Timeouts.Http)).EnsureSuccessStatusCode();

            // Told through collabedit_access: the idle connection is closed, not left until its next call.
            await closed.Task.WaitAsync(Timeouts.Call);
            using var b = new HttpClient { BaseAddress = cluster.Processes[1].BaseUri, Timeout = Timeouts.Http };
            b.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Assert.Equal(HttpStatusCode.Unauthorized, (await b.GetAsync("/api/account/me").WaitAsync(Timeouts.Http)).StatusCode);
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task FirstSignUpsRacingOnTwoProcesses_MakeExactlyOneAdministrator()
    {
        await using var cluster = await PostgresCluster.StartAsync(processes: 2, signUpOwner: false);
        using var a = new HttpClient { BaseAddress = cluster.Processes[0].BaseUri, Timeout = Timeouts.Http };
        using var b = new HttpClient { BaseAddress = cluster.Processes[1].BaseUri, Timeout = Timeouts.Http };

        await Task.WhenAll(
            Enumerable.Range(0, 4).Select(i => AccountTokens.SignUpAsync(a, $"ann{i}", RunningServer.Password))
                .Concat(Enumerable.Range(0, 4).Select(i => AccountTokens.SignUpAsync(b, $"bob{i}", RunningServer.Password)))).WaitAsync(Timeouts.Converge);

        await using var dataSource = NpgsqlDataSource.Create(cluster.ConnectionString);
        await using var count = dataSource.CreateCommand("SELECT count(*) FILTER (WHERE is_administrator), count(*) FROM accounts");
        await using var reader = await count.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(1L, reader.GetInt64(0));
        Assert.Equal(8L, reader.GetInt64(1));
    }
}
