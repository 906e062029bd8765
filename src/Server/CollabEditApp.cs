using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Diagnostics;
using CollabEdit.Server.Documents;
using CollabEdit.Server.Hubs;
using CollabEdit.Server.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server;

/// <summary>Builds the server: used by Program.cs and by tests that host it on a loopback port.</summary>
public static class CollabEditApp
{
    /// <summary>
    /// Builds the app from command-line <paramref name="args"/>. Throws
    /// <see cref="DataDirectoryInUseException"/> when another process owns the data directory.
    /// </summary>
    public static WebApplication Create(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = FindWebRoot(),
        });
        var services = builder.Services;
        services.AddCollabEditSettings(builder.Configuration);

        // Needed while building, so validated now rather than at start like the rest.
        var storage = CollabEditSettings.Read<StorageOptions>(builder.Configuration);
        var connections = CollabEditSettings.Read<ConnectionLimits>(builder.Configuration);

        // Taken first, before anything opens the LiteDB file, and held for the process's life.
        var dataLock = DataDirectoryLock.Acquire(storage.DataPath);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<CollabEditMetrics>();
        services.AddSingleton<IWriteFaultInjector, NoWriteFaults>();
        services.AddSingleton(sp => new DocumentStore(
            dataLock,
            storage.DataPath,
            sp.GetRequiredService<IWriteFaultInjector>(),
            sp.GetRequiredService<CollabEditMetrics>(),
            sp.GetRequiredService<ILogger<DocumentStore>>(),
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.CheckpointBytes));
        services.AddSingleton<IDocumentStorage>(sp => sp.GetRequiredService<DocumentStore>());
        services.AddSingleton<IOpBroadcaster, HubOpBroadcaster>();
        services.AddSingleton<DocumentRegistry>();
        services.AddHostedService<SessionShutdown>();
        services.AddHostedService<IdleDocumentSweeper>();
        services.AddProblemDetails();
        services.AddExceptionHandler<CollabExceptionHandler>();
        services.AddOpenApi();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");
        services.AddSignalR(hub =>
            {
                hub.MaximumReceiveMessageSize = connections.MaxMessageBytes;

                // The browser client gives up on a silent server after 4 s (to notice a dead
                // network quickly), so an idle connection must hear a ping well within that.
                hub.KeepAliveInterval = TimeSpan.FromSeconds(2);
                hub.ClientTimeoutInterval = connections.ClientTimeout;
                hub.EnableDetailedErrors = false;
                hub.AddFilter<HubErrorFilter>();
            })
            .AddJsonProtocol()
            .AddMessagePackProtocol(mp => mp.SerializerOptions = CollabEditResolver.Options);
        configureServices?.Invoke(services);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(WebAppSecurity.ApplyAsync);
        app.Use(ApiReference.ApplyHeadersAsync);
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapOpenApi();
        app.MapApiReference();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResultStatusCodes = { [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy] = 503 } });
        app.MapHub<CollabHub>(HubMessages.Path);
        app.MapDocumentsApi();
        app.MapServiceWorker();

        // The editor page has a shareable URL per document.
        app.MapFallbackToFile("/d/{id}", "editor.html");
        return app;
    }

    /// <summary>wwwroot of the repository when run from a build folder, else beside the app.</summary>
    private static string FindWebRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "wwwroot");
            if (File.Exists(Path.Combine(dir.FullName, "CollabEdit.sln")) && Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "wwwroot");
    }
}
