using CollabEdit.Server.Tests;
using Microsoft.Playwright;

namespace CollabEdit.Browser.Tests;

/// <summary>
/// The account menu, in real Chromium, with Carol signed in on two browsers: changing her password
/// on one signs the other out and keeps this one; "Sign out everywhere" signs out both.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccountMenuTests(BrowserFixture fixture) : IAsyncLifetime
{
    private const string NewPassword = "a new and longer passphrase";

    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ChangingThePassword_SignsOutTheOtherBrowser_AndSignOutEverywhere_SignsOutBoth()
    {
        var laptop = await NewPageAsync();
        await laptop.GotoAsync("/signup");
        await laptop.FillAsync("#user-name", "carol");
        await laptop.FillAsync("#email", "carol@example.invalid");
        await laptop.FillAsync("#display-name", "Carol");
        await laptop.FillAsync("#password", RunningServer.Password);
        await laptop.ClickAsync("#submit");
        await laptop.Locator("#account", new() { HasText = "Signed in as Carol" }).WaitForAsync();
        var phone = await SignedInPageAsync("carol", RunningServer.Password);

        // The laptop changes the password: the phone is signed out, the laptop is not.
        await laptop.ClickAsync("#account-menu summary");
        await laptop.ClickAsync("text=Change password or delete account");
        await laptop.FillAsync("#current-password", RunningServer.Password);
        await laptop.FillAsync("#new-password", NewPassword);
        await laptop.ClickAsync("#change-password");
        await laptop.Locator("#password-done", new() { HasText = "Password changed" }).WaitForAsync();
        await phone.ReloadAsync();
        await phone.WaitForURLAsync("**/signin?**");
        await laptop.GotoAsync("/");
        await laptop.Locator("#account", new() { HasText = "Signed in as Carol" }).WaitForAsync();

        // The phone signs in again with the new password; the laptop signs out everywhere.
        phone = await SignedInPageAsync("carol", NewPassword);
        await laptop.ClickAsync("#account-menu summary");
        await laptop.ClickAsync("#sign-out-everywhere");
        await laptop.WaitForURLAsync("**/signin");
        await phone.ReloadAsync();
        await phone.WaitForURLAsync("**/signin?**");
        await laptop.GotoAsync("/");
        await laptop.WaitForURLAsync("**/signin?**");
    }

    private async Task<IPage> SignedInPageAsync(string userName, string password)
    {
        var page = await NewPageAsync();
        var signIn = await page.Context.APIRequest.PostAsync(new Uri(_server.BaseUri, "/api/account/signin").ToString(), new()
        {
            DataObject = new { userName, password },
        });
        Assert.True(signIn.Ok, $"sign-in: {signIn.Status}");
        await page.GotoAsync("/");
        await page.Locator("#account", new() { HasText = "Signed in as Carol" }).WaitForAsync();
        return page;
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _server.BaseUri.ToString() });
        var page = await context.NewPageAsync();
        PageLog.For(page);
        return page;
    }
}
