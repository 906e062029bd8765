using System.Text;
using CollabEdit.Server.Access;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Documents;
using CollabEdit.Server.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Api;

/// <summary>
/// Files in and out: a document's text as a .txt or .md file, and a document made from an
/// uploaded file (multipart/form-data, or the text itself as a text/plain body). An import is a
/// create: the same limits, cross-site protection, rate limit and document cap as <c>POST /api/documents</c>.
/// </summary>
public static class FilesApi
{
    /// <summary>The problem title (and <c>code</c>) of a file that is not valid UTF-8.</summary>
    public const string InvalidUtf8 = "invalid-utf8";

    public static RouteGroupBuilder MapFilesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/{id}/download", Download).WithSummary("The current text as a file: `format` txt (text/plain, default) or md (text/markdown).");
        api.MapPost("/import", ImportAsync)
            .WithSummary("Creates a document owned by the caller from a UTF-8 file: multipart/form-data (field `file`), or a text/plain body with `?title=`.")
            .RequireRateLimiting(ApiRateLimits.CreateDocument)
            .RequireAuthorization();
        return api;
    }

    [RequiresCapability(Capability.View)]
    private static Results<FileContentHttpResult, ProblemHttpResult> Download(
        string id, IDocumentStorage store, DocumentAccess access, CancellationToken cancellationToken, string? format = null)
    {
        if (Problems.Find(id, store, out var document) is { } problem)
        {
            return problem;
        }

        string extension = format ?? "txt";
        if (extension is not ("txt" or "md"))
        {
            return Problems.Problem(StatusCodes.Status400BadRequest, "Invalid format", $"format must be txt or md, got {format}.");
        }

        string text = RevisionTexts.At(store, id, document.Revision, cancellationToken);
        return TextFiles.Download(text, access.TitleOf(document), extension);
    }

    [NoDocumentCapability("Creates a new document owned by the signed-in caller, within their document cap.")]
    private static async Task<Results<Created<DocumentDetails>, ProblemHttpResult>> ImportAsync(
        HttpRequest http, IDocumentStorage store, IOptions<EditLimits> limits, TimeProvider time,
        IAccessStorage accounts, DocumentAccess access, IAccountQuota quota, CallerNames names, CancellationToken cancellationToken, string? title = null)
    {
        // A UTF-16 unit is at most 3 bytes of UTF-8; a byte order mark is 3 more.
        long maxBytes = (3L * limits.Value.MaxDocumentLength) + 3;
        string? fileName = null;
        byte[]? bytes;
        if (http.HasFormContentType)
        {
            var form = await http.ReadFormAsync(cancellationToken).ConfigureAwait(false);
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null)
            {
                return Problems.Problem(StatusCodes.Status400BadRequest, "Missing file", "Send the file in a form field named file.");
            }

            fileName = file.FileName;
            await using var stream = file.OpenReadStream();
            bytes = await ReadAtMostAsync(stream, maxBytes, cancellationToken).ConfigureAwait(false);
        }
        else if (http.ContentType?.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase) == true)
        {
            bytes = await ReadAtMostAsync(http.Body, maxBytes, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            return Problems.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the file as multipart/form-data (field file) or as a text/plain body.");
        }

        if (bytes is null)
        {
            return Problems.Problem(CollabEdit.Protocol.ErrorCodes.TooLarge, $"The file is larger than a document may be ({limits.Value.MaxDocumentLength} UTF-16 code units).");
        }

        string text;
        try
        {
            text = TextFiles.StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            return Problems.Problem(
                StatusCodes.Status400BadRequest, InvalidUtf8, $"The file is not valid UTF-8 (at byte {e.Index}); save it as UTF-8 and try again.",
                new Dictionary<string, object?> { ["code"] = InvalidUtf8 });
        }

        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        string? name = title ?? (fileName is null ? null : Path.GetFileNameWithoutExtension(fileName));
        if (name is { Length: > DocumentsApi.MaxTitleLength })
        {
            name = name[..(char.IsHighSurrogate(name[DocumentsApi.MaxTitleLength - 1]) ? DocumentsApi.MaxTitleLength - 1 : DocumentsApi.MaxTitleLength)];
        }

        return await DocumentsApi.CreateOwnedAsync(http.HttpContext, name, text, store, limits, time, accounts, access, quota, names).ConfigureAwait(false);
    }

    /// <summary>The stream's bytes, or null if there are more than <paramref name="maxBytes"/> (read no further than one past it).</summary>
    private static async Task<byte[]?> ReadAtMostAsync(Stream stream, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            int read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }
    }
}
