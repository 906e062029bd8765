using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.FileProviders;

namespace CollabEdit.Server;

/// <summary>
/// Serves the browser app's service worker at <c>/sw.js</c> (the root, so its scope is the whole
/// app): wwwroot/js/service-worker.js with its version set to a hash of the app's files. A new
/// build changes the hash, so browsers install the new worker and drop the old cache.
/// </summary>
internal static class ServiceWorkerScript
{
    private const string Template = "js/service-worker.js";

    public static IEndpointRouteBuilder MapServiceWorker(this IEndpointRouteBuilder routes)
    {
        var script = new Lazy<string>(() => Build(routes.ServiceProvider.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider));
        routes.MapGet("/sw.js", (HttpContext context) =>
        {
            // Browsers check for a new worker on navigation; never let a cache answer for it.
            context.Response.Headers.CacheControl = "no-cache";
            return TypedResults.Text(script.Value, "text/javascript; charset=utf-8");
        }).ExcludeFromDescription();
        return routes;
    }

    private static string Build(IFileProvider files)
    {
        string template = Read(files, Template);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string path in AppFiles(files))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(path));
            hash.AppendData(Encoding.UTF8.GetBytes(Read(files, path)));
        }

        string version = Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
        return template.Replace("__VERSION__", version, StringComparison.Ordinal);
    }

    /// <summary>Every file the app serves (pages, scripts, styles), in a stable order.</summary>
    private static IEnumerable<string> AppFiles(IFileProvider files)
    {
        IEnumerable<string> Walk(string folder)
        {
            foreach (var entry in files.GetDirectoryContents(folder).OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                string path = folder.Length == 0 ? entry.Name : $"{folder}/{entry.Name}";
                if (entry.IsDirectory)
                {
                    if (path is "js" or "css" or "lib")
                    {
                        foreach (string inner in Walk(path))
                        {
                            yield return inner;
                        }
                    }
                }
                else if (path.EndsWith(".html", StringComparison.Ordinal) || folder.Length > 0)
                {
                    yield return path;
                }
            }
        }

        return Walk("");
    }

    private static string Read(IFileProvider files, string path)
    {
        using var stream = files.GetFileInfo(path).CreateReadStream();
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
