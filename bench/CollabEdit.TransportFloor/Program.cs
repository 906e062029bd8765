using System.Collections.Concurrent;
using CollabEdit.Protocol;
using CollabEdit.TransportFloor;

// Usage: dotnet CollabEdit.TransportFloor.dll --urls http://127.0.0.1:PORT
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSingleton<ConcurrentDictionary<string, FloorDocument>>();
builder.Services.AddSignalR(hub => hub.KeepAliveInterval = TimeSpan.FromSeconds(2))
    .AddMessagePackProtocol(mp => mp.SerializerOptions = CollabEditResolver.Options);

var app = builder.Build();
var documents = app.Services.GetRequiredService<ConcurrentDictionary<string, FloorDocument>>();
app.MapHub<FloorHub>(HubMessages.Path);
app.MapGet("/healthz", () => "Healthy");
app.MapPost("/api/documents", (CreateRequest request) =>
{
    string id = Guid.NewGuid().ToString("N")[..12];
    documents[id] = new FloorDocument(request.Text ?? "");
    return Results.Created($"/api/documents/{id}", new { id });
});
app.MapGet("/api/documents/{id}", (string id) => documents.TryGetValue(id, out var document)
    ? Results.Ok(document.State(id))
    : Results.NotFound());
app.Run();

internal sealed record CreateRequest(string? Title, string? Text);
