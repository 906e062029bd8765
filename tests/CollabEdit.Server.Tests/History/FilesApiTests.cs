using System.Net;
using System.Text;
using System.Text.Json;
using CollabEdit.Server.Api;

namespace CollabEdit.Server.Tests.History;

/// <summary>Files in and out (download, import) and finding documents, against the real server.</summary>
public sealed class FilesApiTests : IAsyncLifetime
{
    // Emoji (a surrogate pair and a modifier sequence), CJK, an accent, CRLF and no final newline.
    private const string Mixed = "Notes 😀👍🏽\r\n中文テキスト\r\nnaïve café";

    private RunningServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await RunningServer.StartAsync(settings: new Dictionary<string, string> { ["MaxDocumentLength"] = "1000" });

    public async Task DisposeAsync() => await _server.DisposeAsync().AsTask().WaitAsync(Timeouts.Stop);

    [Fact]
    public async Task Import_TextBodyWithABom_ThenDownload_GivesTheSameBytesWithoutTheBom()
    {
        // Arrange
        byte[] utf8 = Encoding.UTF8.GetBytes(Mixed);

        // Act
        var created = await ImportAsync(new ByteArrayContent([0xEF, 0xBB, 0xBF, .. utf8]) { Headers = { ContentType = new("text/plain") } }, "?title=Mixed%20%F0%9F%98%80");
        var download = await _server.Http.GetAsync($"/api/documents/{created.Id}/download").WaitAsync(Timeouts.Http);

        // Assert
        Assert.Equal((Mixed, "Mixed 😀", 0), (created.Text, created.Title, created.Revision));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(utf8, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("text/plain", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", download.Content.Headers.ContentType?.CharSet);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("Mixed 😀.txt", download.Content.Headers.ContentDisposition?.FileNameStar);
    }

    [Fact]
    public async Task Import_MultipartFile_TitledAfterTheFileName_AndDownloadAsMarkdown()
    {
        // Arrange
        byte[] utf8 = Encoding.UTF8.GetBytes(Mixed);
        var form = new MultipartFormDataContent { { new ByteArrayContent(utf8), "file", "plan 中文.v2.md" } };

        // Act
        var created = await ImportAsync(form);
        var download = await _server.Http.GetAsync($"/api/documents/{created.Id}/download?format=md").WaitAsync(Timeouts.Http);

        // Assert
        Assert.Equal(("plan 中文.v2", Mixed), (created.Title, created.Text));
        Assert.Equal(utf8, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("text/markdown", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("plan 中文.v2.md", download.Content.Headers.ContentDisposition?.FileNameStar);
    }

    [Fact]
    public async Task Import_InvalidUtf8_IsRefusedWithItsCode_AndCreatesNothing()
    {
        // Arrange: a lone continuation byte, an overlong encoding of '/', and a UTF-16 surrogate encoded in UTF-8.
        int before = (await ListAsync("")).Length;
        foreach (byte[] bad in new byte[][] { [0x61, 0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80] })
        {
            // Act
            var response = await _server.Http.PostAsync("/api/documents/import?title=bad", new ByteArrayContent(bad) { Headers = { ContentType = new("text/plain") } }).WaitAsync(Timeouts.Http);

            // Assert
            string body = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            using var problem = JsonDocument.Parse(body);
            Assert.Equal(FilesApi.InvalidUtf8, problem.RootElement.GetProperty("title").GetString());
            Assert.Equal(FilesApi.InvalidUtf8, problem.RootElement.GetProperty("code").GetString());
        }

        Assert.Equal(before, (await ListAsync("")).Length);
    }

    [Fact]
    public async Task Import_LongerThanADocumentMayBe_Is413_AndOtherTypesAre415()
    {
        var tooLong = await _server.Http.PostAsync("/api/documents/import", new StringContent(new string('x', 1001), Encoding.UTF8, "text/plain")).WaitAsync(Timeouts.Http);
        var json = await _server.Http.PostAsync("/api/documents/import", new StringContent("{}", Encoding.UTF8, "application/json")).WaitAsync(Timeouts.Http);
        var fits = await _server.Http.PostAsync("/api/documents/import", new StringContent(string.Concat(Enumerable.Repeat("😀", 500)), Encoding.UTF8, "text/plain")).WaitAsync(Timeouts.Http);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
    }

    [Fact]
    public async Task Import_FromAnotherSiteWithACookie_IsRefused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/documents/import") { Content = new StringContent("x", Encoding.UTF8, "text/plain") };
        request.Headers.Add("Cookie", "any=1");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        var response = await _server.NewHttpClient().SendAsync(request).WaitAsync(Timeouts.Http);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task DownloadRevision_IsTheTextAtThatRevision_AsAFile()
    {
        string id = await _server.CreateDocumentAsync("r0 text", "Old/name:*");
        var document = await _server.OpenAsync(id, "ann");
        document.Splice(0, 2, "now");
        await document.WhenSynchronizedAsync().WaitAsync(Timeouts.Call);

        var atZero = await _server.Http.GetAsync($"/api/documents/{id}/revisions/0/download").WaitAsync(Timeouts.Http);
        var atOne = await _server.Http.GetAsync($"/api/documents/{id}/revisions/1/download").WaitAsync(Timeouts.Http);

        Assert.Equal("r0 text", await atZero.Content.ReadAsStringAsync());
        Assert.Equal("now text", await atOne.Content.ReadAsStringAsync());
        Assert.Equal("Old_name__ r0.txt", atZero.Content.Headers.ContentDisposition?.FileNameStar);
    }

    [Fact]
    public async Task List_FindsTitleAndText_CaseInsensitively_SortedByTitleOrLastEdit()
    {
        // Arrange: a word of this test's own, so other tests' documents do not match.
        string word = $"zq{Guid.NewGuid():N}"[..12];
        string inText = await _server.CreateDocumentAsync($"the {word.ToUpperInvariant()} is here", "beta");
        string inTitle = await _server.CreateDocumentAsync("nothing", $"Alpha {word}");
        await _server.CreateDocumentAsync("nothing either", "gamma");
        var editor = await _server.OpenAsync(inText, "ann");
        editor.Splice(0, 0, "!");
        await editor.WhenSynchronizedAsync().WaitAsync(Timeouts.Call);

        // Act
        var byEdit = await ListAsync($"?q={word}");
        var byTitle = await ListAsync($"?q={word}&sort=title");
        var bad = await _server.Http.GetAsync("/api/documents?sort=size").WaitAsync(Timeouts.Http);

        // Assert
        Assert.Equal([inText, inTitle], byEdit.Select(d => d.Id));
        Assert.Equal([inTitle, inText], byTitle.Select(d => d.Id));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private async Task<DocumentDetails> ImportAsync(HttpContent content, string query = "")
    {
        var response = await _server.Http.PostAsync($"/api/documents/import{query}", content).WaitAsync(Timeouts.Http);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"import answered {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<DocumentDetails>(body, JsonSerializerOptions.Web)!;
    }

    private async Task<DocumentSummary[]> ListAsync(string query)
    {
        string body = await _server.Http.GetStringAsync($"/api/documents{query}").WaitAsync(Timeouts.Http);
        return JsonSerializer.Deserialize<DocumentSummary[]>(body, JsonSerializerOptions.Web)!;
    }
}
