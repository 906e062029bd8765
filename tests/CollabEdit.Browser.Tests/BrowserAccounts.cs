using System.Collections.Concurrent;
using CollabEdit.Server.Tests;
using Microsoft.Playwright;

namespace CollabEdit.Browser.Tests;

/// <summary>
/// Signs a browser context in the way a person does (the server's cookie lands in the context):
/// as the server's owner, or as an account with a given display name that the owner made an
/// editor of a document.
/// </summary>
internal static class BrowserAccounts
{
    private static readonly ConcurrentDictionary<Uri, Task<string>> OwnerTokens = new();

    /// <summary>Signs the context in as the server's first account (<see cref="RunningServer.OwnerName"/>), which owns the documents tests create.</summary>
    public static async Task SignInAsOwnerAsync(IBrowserContext context, Uri server)
    {
        var response = await context.APIRequest.PostAsync(new Uri(server, "/api/account/signin").ToString(), new()
        {
            DataObject = new { userName = RunningServer.OwnerName, password = RunningServer.Password },
        });
        Assert.True(response.Ok, $"sign-in as the owner: {response.Status} {await response.TextAsync()}");
    }

    /// <summary>Signs the context in as the account shown as <paramref name="displayName"/> (signed up on first use), an editor of <paramref name="documentId"/>.</summary>
    public static async Task SignInAsync(IBrowserContext context, Uri server, string displayName, string documentId)
    {
        string userName = RunningServer.UserNameOf(displayName);
        var signUp = await context.APIRequest.PostAsync(new Uri(server, "/api/account/signup").ToString(), new()
        {
            DataObject = new { userName, email = $"{userName}@example.invalid", password = RunningServer.Password, displayName },
        });
        if (!signUp.Ok)
        {
            var signIn = await context.APIRequest.PostAsync(new Uri(server, "/api/account/signin").ToString(), new()
            {
                DataObject = new { userName, password = RunningServer.Password },
            });
            Assert.True(signIn.Ok, $"sign-in as {displayName}: {signIn.Status} {await signIn.TextAsync()}");
        }

        using var owner = new HttpClient { BaseAddress = server, Timeout = Timeouts.Http };
        owner.DefaultRequestHeaders.Authorization = new("Bearer", await OwnerTokens.GetOrAdd(server, _ => OwnerTokenAsync(server)));
        var granted = await owner.PutAsync(
            $"/api/documents/{documentId}/access",
            new StringContent($$"""{"user":"{{userName}}","role":"editor"}""", System.Text.Encoding.UTF8, "application/json"));

        // The owner's own documents need no grant (and refuse one).
        Assert.True(granted.IsSuccessStatusCode || displayName == RunningServer.OwnerName, $"granting {displayName}: {granted.StatusCode}");
    }

    private static async Task<string> OwnerTokenAsync(Uri server)
    {
        using var http = new HttpClient { BaseAddress = server, Timeout = Timeouts.Http };
        return await RunningServer.TokenAsync(http, RunningServer.OwnerName);
    }
}
