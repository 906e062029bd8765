using System.Net.Http.Json;

namespace CollabEdit.LoadDriver;

/// <summary>The history REST API, as far as the driver needs it: create a document, read its durable text.</summary>
/// <remarks>An empty <c>accessToken</c> sends none (<c>--no-auth</c>).</remarks>
internal sealed class DocumentsClient(Uri baseUri, string accessToken) : IDisposable
{
    private readonly HttpClient _http = new()
    {
        BaseAddress = baseUri,
        Timeout = TimeSpan.FromSeconds(60),
        DefaultRequestHeaders = { Authorization = accessToken.Length == 0 ? null : new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", accessToken) },
    };

    /// <summary><c>POST /api/documents {title, text}</c>: the new document's id.</summary>
    public async Task<string> CreateAsync(string title, string text, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync("/api/documents", new CreateRequest(title, text), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<DocumentState>(cancellationToken).ConfigureAwait(false);
        return created?.Id ?? throw new InvalidOperationException("POST /api/documents answered no id.");
    }

    /// <summary><c>POST /api/documents/{id}/links {role: "editor"}</c>: the new edit link's token.</summary>
    public async Task<string> CreateEditLinkAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync($"/api/documents/{id}/links", new LinkRequest("editor"), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var link = await response.Content.ReadFromJsonAsync<LinkState>(cancellationToken).ConfigureAwait(false);
        return link?.Token ?? throw new InvalidOperationException($"POST /api/documents/{id}/links answered no token.");
    }

    /// <summary><c>GET /api/documents/{id}</c>: the durable text and its revision.</summary>
    public async Task<DocumentState> GetAsync(string id, CancellationToken cancellationToken) =>
        await _http.GetFromJsonAsync<DocumentState>($"/api/documents/{id}", cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"GET /api/documents/{id} answered nothing.");

    public void Dispose() => _http.Dispose();

    private sealed record CreateRequest(string Title, string Text);

    private sealed record LinkRequest(string Role);

    private sealed record LinkState(string? Token);
}
