using System.Text.Json;
using Microsoft.Playwright;

namespace CollabEdit.Browser.Tests;

/// <summary>
/// axe-core, from the tests' own npm lockfile (scripts/install-test-deps.sh), injected into a page
/// of a context made with <c>BypassCSP</c>: the app's policy rightly refuses scripts it did not
/// serve, and axe is never served to users.
/// </summary>
internal static class Axe
{
    public static string ScriptPath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "tests", "CollabEdit.Browser.Tests", "node_modules", "axe-core", "axe.min.js");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new FileNotFoundException("axe-core is not installed: run scripts/install-test-deps.sh (npm ci in tests/CollabEdit.Browser.Tests).");
        }
    }

    /// <summary>The violations axe finds on the page as it is now, one line each, with the elements.</summary>
    public static async Task<string[]> ViolationsAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.AddScriptTagAsync(new() { Path = ScriptPath });
        }

        string json = await page.EvaluateAsync<string>(@"async () => {
            const result = await window.axe.run(document, { resultTypes: ['violations'] });
            return JSON.stringify(result.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +
                v.nodes.map(n => `${n.target.join(' ')} ${n.failureSummary ?? ''}`.replace(/\s+/g, ' ')).join(' | ')));
        }");
        return JsonSerializer.Deserialize<string[]>(json)!;
    }
}
