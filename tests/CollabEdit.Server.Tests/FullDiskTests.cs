using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using CollabEdit.Client;
using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace CollabEdit.Server.Tests;

/// <summary>
/// A real server process whose data folder is a small real filesystem, filled with a ballast file
/// while clients write: nothing acknowledged is lost, reads go on, and writes come back by
/// themselves once space does. Requests are the owner's; the typists come through edit links as
/// guests, so that each op's author (the server's, from the name each gave) tells whose it was.
/// </summary>
public sealed class FullDiskTests
{
    private const long DiskBytes = 8 * 1024 * 1024;

    // Small, so that the journal is retired (LiteDB checkpointed) many times on the small disk.
    private static readonly Dictionary<string, string> Settings = new() { ["CheckpointBytes"] = "262144" };

    [SkippableFact]
    public async Task DiskFills_WritesAreRefusedAndReadsWork_ThenResumeWithoutRestart_AndNoAcknowledgedEditIsLost()
    {
        using var disk = SmallDisk.Mount(DiskBytes);
        var acked = new ConcurrentBag<(string DocumentId, string Author, int Revision)>();
        var ids = new List<string>();
        using (var server = ServerProcess.Start(disk.DataPath, Settings))
        {
            await server.WaitHealthyAsync();
            using var http = await server.OwnerHttpAsync();
            for (int d = 0; d < 3; d++)
            {
                ids.Add(await CreateAsync(http, $"doc {d}\n"));
            }

            // Three typists on three documents type through the whole episode.
            using var stop = new CancellationTokenSource();
            var typists = new List<(CollabDocument Document, Task Typing)>();
            for (int t = 0; t < 3; t++)
            {
                var connection = await CollabConnection.ConnectAsync(server.BaseUri, linkToken: await EditLinkAsync(http, ids[t])).WaitAsync(Timeouts.Call);
                var document = await CollabDocument.OpenAsync(connection, ids[t], $"typist{t}").WaitAsync(Timeouts.Call);
                string id = ids[t], author = $"typist{t} (guest)";
                document.Acknowledged += (_, revision) => acked.Add((id, author, revision));
                typists.Add((document, TypeUntilStoppedAsync(document, t, stop.Token)));
            }

            await Eventually.TrueAsync(() => acked.Count >= 100, "the typists have edits acknowledged");

            // Until a write fails, an ack may still come (the disk had room for it); after it, nothing.
            string probeId = await CreateAsync(http, "p");
            ids.Add(probeId);
            var probe = await CollabConnection.ConnectAsync(server.BaseUri, linkToken: await EditLinkAsync(http, probeId)).WaitAsync(Timeouts.Call);
            var opened = await probe.InvokeAsync<OpenResult>(HubMessages.Open, probeId, "probe").WaitAsync(Timeouts.Call);
            int revision = opened.Revision, length = opened.Text.Length;
            disk.Fill();
            HubException? refused = null;
            for (long seq = 1; seq <= 2000 && refused is null; seq++)
            {
                try
                {
                    string insert = new('y', 4000);
                    revision = (await probe.InvokeAsync<SubmitAck>(HubMessages.Submit, probeId, "probe", seq, revision, new object[] { insert, length })
                        .WaitAsync(Timeouts.Call)).Revision;
                    length += insert.Length;
                    acked.Add((probeId, "probe (guest)", revision));
                }
                catch (HubException e)
                {
                    refused = e;
                }
            }

            Assert.NotNull(refused);
            Assert.Equal(ErrorCodes.Unavailable, ErrorCodes.Of(refused.Message));
            Assert.False(server.HasExited, server.Output);

            var health = await http.GetAsync("/healthz").WaitAsync(Timeouts.Http);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("space", await health.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

            // Reads work; a REST write is refused with 503 ProblemDetails.
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/documents/{ids[1]}").WaitAsync(Timeouts.Http)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/documents").WaitAsync(Timeouts.Http)).StatusCode);
            var create = await http.PostAsJsonAsync("/api/documents", new CreateDocumentRequest("refused", "x")).WaitAsync(Timeouts.Http);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, create.StatusCode);
            Assert.Equal("application/problem+json", create.Content.Headers.ContentType?.MediaType);

            // Space comes back: writes resume by themselves, and the typists' edits all land.
            disk.Free();
            await Eventually.TrueAsync(() => Healthy(http), "the server is healthy again without a restart");
            await stop.CancelAsync();
            await Task.WhenAll(typists.Select(t => t.Typing)).WaitAsync(Timeouts.Converge);
            await Eventually.SynchronizedAsync(typists.Select(t => t.Document));
            ids.Add(await CreateAsync(http, "after the episode"));

            await VerifyAsync(http, ids, acked);
            Assert.False(server.HasExited, server.Output);
            Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
        }

        using var restarted = ServerProcess.Start(disk.DataPath, Settings);
        await restarted.WaitHealthyAsync();
        using var client = await restarted.OwnerHttpAsync();
        await VerifyAsync(client, ids, acked);
    }

    [SkippableFact]
    public async Task StartOnAFullDisk_ComesUpReadOnlyAndSaysSo_ThenWritableOnceSpaceReturns()
    {
        using var disk = SmallDisk.Mount(DiskBytes);
        string id;
        using (var server = ServerProcess.Start(disk.DataPath, Settings))
        {
            await server.WaitHealthyAsync();
            using var http = await server.OwnerHttpAsync();
            id = await CreateAsync(http, "written before the disk filled");

            // Killed, so that the next start has a journal to replay (which writes).
            var connection = await CollabConnection.ConnectAsync(server.BaseUri, accessToken: await server.OwnerTokenAsync()).WaitAsync(Timeouts.Call);
            var document = await CollabDocument.OpenAsync(connection, id, "Ann").WaitAsync(Timeouts.Call);
            document.Splice(0, 0, "> ");
            await document.WhenSynchronizedAsync().WaitAsync(Timeouts.Call);
            server.KillNow();
        }

        disk.Fill();
        using var full = ServerProcess.Start(disk.DataPath, Settings);
        using var anonymous = new HttpClient { BaseAddress = full.BaseUri, Timeout = Timeouts.Http };
        await Eventually.TrueAsync(() => !full.HasExited ? Answers(anonymous) : throw new Xunit.Sdk.XunitException($"The server exited on a full disk:\n{full.Output}"), "the server answers on a full disk");

        // Signing in reads the accounts and the keys: it works on a full disk too.
        using var client = await full.OwnerHttpAsync();

        var health = await client.GetAsync("/healthz").WaitAsync(Timeouts.Http);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains("read-only", await health.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("read-only", full.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("> written before the disk filled", (await GetAsync(client, id)).Text);
        var hub = await CollabConnection.ConnectAsync(full.BaseUri, accessToken: await full.OwnerTokenAsync()).WaitAsync(Timeouts.Call);
        var opened = await hub.InvokeAsync<OpenResult>(HubMessages.Open, id, "Bob").WaitAsync(Timeouts.Call);
        var refused = await Assert.ThrowsAsync<HubException>(() =>
            hub.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "bob", 1L, opened.Revision, new object[] { "!", opened.Text.Length }).WaitAsync(Timeouts.Call));
        Assert.Equal(ErrorCodes.Unavailable, ErrorCodes.Of(refused.Message));

        disk.Free();
        await Eventually.TrueAsync(() => Healthy(client), "the server becomes writable once space returns");
        var ack = await hub.InvokeAsync<SubmitAck>(HubMessages.Submit, id, "bob", 1L, opened.Revision, new object[] { "!", opened.Text.Length }).WaitAsync(Timeouts.Call);
        Assert.Equal("!> written before the disk filled", (await GetAsync(client, id)).Text);
        Assert.Equal(opened.Revision + 1, ack.Revision);

        // The segments the read-only start kept are gone with the first retirement: only the live one is left.
        await Eventually.TrueAsync(() => Directory.GetFiles(disk.DataPath, "journal-*.log").Length == 1, "only the live journal segment is left");
    }

    private static async Task VerifyAsync(HttpClient http, List<string> ids, ConcurrentBag<(string DocumentId, string Author, int Revision)> acked)
    {
        foreach (string id in ids)
        {
            var details = await GetAsync(http, id);
            var history = new List<HistoryEntry>();
            while (history.Count < details.Revision)
            {
                history.AddRange((await http.GetFromJsonAsync<HistoryEntry[]>($"/api/documents/{id}/history?from={history.Count}&limit=1000").WaitAsync(Timeouts.Http))!);
            }

            foreach (var (_, author, revision) in acked.Where(a => a.DocumentId == id))
            {
                Assert.True(revision <= details.Revision, $"acknowledged revision {revision} of {id} lost: the log ends at {details.Revision}");
                Assert.Equal(author, history[revision - 1].Author);
            }
        }
    }

    /// <summary>A new edit link's token for the document, made by the owner (<paramref name="http"/>).</summary>
    private static async Task<string> EditLinkAsync(HttpClient http, string id)
    {
        var created = await http.PostAsJsonAsync($"/api/documents/{id}/links", new CreateLinkRequest("editor")).WaitAsync(Timeouts.Http);
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<LinkInfo>())!.Token!;
    }

    private static async Task<string> CreateAsync(HttpClient http, string text)
    {
        var created = await http.PostAsJsonAsync("/api/documents", new CreateDocumentRequest("full disk", text)).WaitAsync(Timeouts.Http);
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<DocumentDetails>())!.Id;
    }

    private static async Task<DocumentDetails> GetAsync(HttpClient http, string id) =>
        (await http.GetFromJsonAsync<DocumentDetails>($"/api/documents/{id}").WaitAsync(Timeouts.Http))!;

    private static bool Healthy(HttpClient http) => Status(http) == HttpStatusCode.OK;

    private static bool Answers(HttpClient http) => Status(http) is not null;

    private static HttpStatusCode? Status(HttpClient http)
    {
        try
        {
            return http.GetAsync("/healthz").WaitAsync(Timeouts.Http).GetAwaiter().GetResult().StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static async Task TypeUntilStoppedAsync(CollabDocument document, int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                ConvergenceTests.EditAtRandom(document, random);
                await Task.Delay(random.Next(1, 5), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
