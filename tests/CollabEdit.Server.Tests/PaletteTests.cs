using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using CollabEdit.Server.Hubs;

namespace CollabEdit.Server.Tests;

/// <summary>The hub's default colours are the browser's palette, each readable under white text.</summary>
public sealed partial class PaletteTests
{
    [Fact]
    public void HubPalette_IsTheBrowsersPalette_AndEveryColourMeetsAaUnderWhiteText()
    {
        string[] hub = (string[])typeof(CollabHub).GetField("Palette", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        string identity = File.ReadAllText(Path.Combine(RepositoryRoot(), "wwwroot", "js", "identity.js"));
        string[] browser = [.. HexColour().Matches(PaletteLine().Match(identity).Value).Select(m => m.Value)];

        Assert.Equal(browser, hub);
        Assert.Equal(hub.Length, hub.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(hub, colour => Assert.True(ContrastWithWhite(colour) >= 4.5, $"{colour}: {ContrastWithWhite(colour):0.00}"));
    }

    private static double ContrastWithWhite(string hex)
    {
        double Channel(int at)
        {
            double c = int.Parse(hex.AsSpan(at, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0;
            return c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }

        double luminance = (0.2126 * Channel(1)) + (0.7152 * Channel(3)) + (0.0722 * Channel(5));
        return 1.05 / (luminance + 0.05);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CollabEdit.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (CollabEdit.sln) is not above the test's folder.");
    }

    [GeneratedRegex(@"export const PALETTE = .*")]
    private static partial Regex PaletteLine();

    [GeneratedRegex("#[0-9a-fA-F]{6}")]
    private static partial Regex HexColour();
}
