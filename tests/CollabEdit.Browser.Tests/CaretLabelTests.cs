using System.Globalization;
using CollabEdit.Server.Tests;

namespace CollabEdit.Browser.Tests;

/// <summary>Others' carets: names that show briefly and on hover, and a distinct readable colour per person.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CaretLabelTests(BrowserFixture fixture) : IAsyncLifetime
{
    private const string Label = ".remote-caret .remote-name";

    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ANameShowsWhenItsOwnerMoves_ThenGoes_AndShowsAgainOnHover()
    {
        string id = await _server.CreateDocumentAsync("Project plan\nsecond line\n");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#b91c1c");
        var bob = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Bob", "#1d4ed8");

        await ann.MoveToAsync(16);
        await Eventually.TrueAsync(() => bob.PeerHeadAsync("Ann").Result == 16, "Bob sees Ann's caret");
        var label = bob.Page.Locator(Label, new() { HasText = "Ann" });
        await Eventually.TrueAsync(() => OpacityAsync(label).Result > 0.5, "Ann's name shows as she moves");

        // It goes by itself, so it never covers the line above for long.
        await Eventually.TrueAsync(() => OpacityAsync(label).Result == 0, "Ann's name fades", TimeSpan.FromSeconds(10));

        // Pointing at her caret shows it again.
        await bob.Page.Locator(".remote-caret").HoverAsync(new() { Force = true });
        await Eventually.TrueAsync(() => OpacityAsync(label).Result == 1, "Ann's name shows on hover");
        await bob.Page.Mouse.MoveAsync(5, 5);
        await Eventually.TrueAsync(() => OpacityAsync(label).Result == 0, "and goes when the pointer leaves");

        // Typing shows it again.
        await ann.Page.Keyboard.TypeAsync("!");
        await Eventually.TrueAsync(() => OpacityAsync(label).Result > 0.5, "Ann's name shows as she types");
        await ann.Context.CloseAsync();
        await bob.Context.CloseAsync();
    }

    [Fact]
    public async Task CaretsAtOneSpot_StayDistinguishable()
    {
        string id = await _server.CreateDocumentAsync("Project plan\nsecond line\n");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#b91c1c");
        var bob = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Bob", "#1d4ed8");
        var cid = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Cid", "#15803d");

        await Task.WhenAll(ann.MoveToAsync(20), bob.MoveToAsync(20));
        await Eventually.TrueAsync(() => cid.PeerHeadAsync("Ann").Result == 20 && cid.PeerHeadAsync("Bob").Result == 20, "Cid sees both carets");
        await cid.Page.Locator(".remote-caret").First.HoverAsync(new() { Force = true });
        await Eventually.TrueAsync(() => OpacityAsync(cid.Page.Locator(Label, new() { HasText = "Bob" })).Result == 1, "both names show");

        var annCaret = (await cid.Page.Locator(".remote-caret", new() { Has = cid.Page.Locator(".remote-name", new() { HasText = "Ann" }) }).BoundingBoxAsync())!;
        var bobCaret = (await cid.Page.Locator(".remote-caret", new() { Has = cid.Page.Locator(".remote-name", new() { HasText = "Bob" }) }).BoundingBoxAsync())!;
        var annLabel = (await cid.Page.Locator(Label, new() { HasText = "Ann" }).BoundingBoxAsync())!;
        var bobLabel = (await cid.Page.Locator(Label, new() { HasText = "Bob" }).BoundingBoxAsync())!;
        await cid.Page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "carets-at-one-spot.png") });

        Assert.True(Math.Abs(annCaret.X - bobCaret.X) >= 2, $"the two caret bars are apart ({annCaret.X}, {bobCaret.X})");
        bool overlap = annLabel.X < bobLabel.X + bobLabel.Width && bobLabel.X < annLabel.X + annLabel.Width
            && annLabel.Y < bobLabel.Y + bobLabel.Height && bobLabel.Y < annLabel.Y + annLabel.Height;
        Assert.False(overlap, "the two names do not cover each other");
        await ann.Context.CloseAsync();
        await bob.Context.CloseAsync();
        await cid.Context.CloseAsync();
    }

    [Fact]
    public async Task EachPersonOnADocument_GetsADistinctColour_ReadableWithWhiteText()
    {
        // Everyone starts with the same remembered colour, one that is too light for white text.
        string id = await _server.CreateDocumentAsync("x");
        var ann = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Ann", "#42d4f4");
        var bob = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Bob", "#42d4f4");
        var cid = await EditorPage.OpenAsync(fixture.Browser, _server.BaseUri, id, "Cid", "#42d4f4");
        var annAgain = await ann.Context.NewPageAsync();
        PageLog.For(annAgain);
        await annAgain.GotoAsync($"/d/{id}");

        foreach (var page in new[] { ann.Page, bob.Page, cid.Page, annAgain })
        {
            // Ann in two tabs is one person: one chip, one colour.
            await Eventually.TrueAsync(() => page.Locator("#peers .peer").CountAsync().Result == 3, "three people, each once", TimeSpan.FromSeconds(30));
            await Eventually.TrueAsync(() => ChipColoursAsync(page).Result.Distinct().Count() == 3, "three colours", TimeSpan.FromSeconds(30));
            foreach (string colour in await ChipColoursAsync(page))
            {
                Assert.True(ContrastWithWhite(colour) >= 4.5, $"{colour} has contrast {ContrastWithWhite(colour):0.00} with white");
            }
        }

        // Everyone sees the same colour for the same person.
        var seen = await Task.WhenAll(new[] { ann.Page, bob.Page, cid.Page }.Select(async p =>
            string.Join(",", (await p.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#peers .peer')].map(c => c.textContent.replace(' (you)', '') + '=' + getComputedStyle(c).backgroundColor)")).Order())));
        Assert.Single(seen.Distinct());
        await ann.Context.CloseAsync();
        await bob.Context.CloseAsync();
        await cid.Context.CloseAsync();
    }

    private static Task<double> OpacityAsync(Microsoft.Playwright.ILocator label) =>
        label.EvaluateAsync<double>("e => Number(getComputedStyle(e).opacity)");

    private static async Task<string[]> ChipColoursAsync(Microsoft.Playwright.IPage page) =>
        await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#peers .peer')].map(c => getComputedStyle(c).backgroundColor)");

    /// <summary>WCAG contrast ratio of an "rgb(r, g, b)" colour with white.</summary>
    private static double ContrastWithWhite(string rgb)
    {
        double[] channels = [.. rgb[(rgb.IndexOf('(') + 1)..rgb.IndexOf(')')].Split(',').Take(3)
            .Select(c => double.Parse(c, CultureInfo.InvariantCulture) / 255)
            .Select(c => c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4))];
        double luminance = (0.2126 * channels[0]) + (0.7152 * channels[1]) + (0.0722 * channels[2]);
        return 1.05 / (luminance + 0.05);
    }
}
