using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace CollabEdit.Server;

/// <summary>
/// The web root as the server may show it: only the pages and the built assets, never the web
/// app's build inputs (package.json, the lock file, src/, test/, node_modules/). An allow-list of
/// top-level entries rather than a list of hidden prefixes, because request paths reach the file
/// system in more spellings than a prefix check sees ("//package.json" is package.json).
/// </summary>
internal sealed class BuiltAssetsFileProvider(IFileProvider inner) : IFileProvider
{
    /// <summary>What the browser app consists of once built (lib/ is the bundle of its libraries).</summary>
    private static readonly HashSet<string> Served = new(StringComparer.Ordinal) { "index.html", "editor.html", "signin.html", "favicon.svg", "css", "js", "lib" };

    public IFileInfo GetFileInfo(string subpath) =>
        IsServed(subpath) ? inner.GetFileInfo(subpath) : new NotFoundFileInfo(subpath);

    public IDirectoryContents GetDirectoryContents(string subpath)
    {
        if (IsRoot(subpath))
        {
            return new Filtered(inner.GetDirectoryContents(subpath));
        }

        return IsServed(subpath) ? inner.GetDirectoryContents(subpath) : NotFoundDirectoryContents.Singleton;
    }

    public IChangeToken Watch(string filter) => inner.Watch(filter);

    /// <summary>
    /// True when the path's first segment is served and no segment is empty or a dot segment.
    /// Case-sensitive on purpose: on a case-insensitive file system "/JS" must not differ from "/js"
    /// in what it reaches, so only the exact spelling of a served entry is served at all.
    /// </summary>
    private static bool IsServed(string subpath)
    {
        string path = subpath.StartsWith('/') ? subpath[1..] : subpath;
        path = path.EndsWith('/') ? path[..^1] : path;
        if (path.Contains('\\', StringComparison.Ordinal))
        {
            return false;
        }

        // A second leading slash ("//package.json") makes an empty first segment, which is not served.
        var segments = path.Split('/');
        return Served.Contains(segments[0]) && segments.All(segment => segment.Length > 0 && segment is not "." and not "..");
    }

    private static bool IsRoot(string subpath) => subpath is "" or "/";

    /// <summary>The root's listing, without what is not served.</summary>
    private sealed class Filtered(IDirectoryContents inner) : IDirectoryContents
    {
        public bool Exists => inner.Exists;

        public IEnumerator<IFileInfo> GetEnumerator() => inner.Where(file => Served.Contains(file.Name)).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
