using CollabEdit.Protocol;
using CollabEdit.Server.Api;
using CollabEdit.Server.Diagnostics;
using CollabEdit.Server.Documents;
using CollabEdit.Server.Hubs;
using CollabEdit.Server.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

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
        builder.Environment.WebRootFileProvider = new BuiltAssetsFileProvider(builder.Environment.WebRootFileProvider);
        var options = builder.Configuration.GetSection(CollabEditOptions.Section).Get<CollabEditOptions>() ?? new CollabEditOptions();
        var services = builder.Services;
        services.Configure<CollabEditOptions>(builder.Configuration.GetSection(CollabEditOptions.Section));

        // Taken first, before anything opens the LiteDB file, and held for the process's life.
        var dataLock = DataDirectoryLock.Acquire(options.DataPath);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<CollabEditMetrics>();
        services.AddSingleton<IWriteFaultInjector, NoWriteFaults>();
        services.AddSingleton(sp => new DocumentStore(
            dataLock,
            sp.GetRequiredService<IOptions<CollabEditOptions>>().Value.DataPath,
            sp.GetRequiredService<IWriteFaultInjector>(),
            sp.GetRequiredService<CollabEditMetrics>(),
            sp.GetRequiredService<ILogger<DocumentStore>>(),
            sp.GetRequiredService<IOptions<CollabEditOptions>>().Value.CheckpointBytes));
        services.AddSingleton<ConnectionOutboxes>();
        services.AddSingleton<PresenceThrottle>();
        services.AddSingleton<DocumentWriteBudgets>();
        services.AddSingleton<HubLifetimeManager<CollabHub>, OutboxHubLifetimeManager>();
        services.AddSingleton<IOpBroadcaster, HubOpBroadcaster>();
        services.AddSingleton<HubOriginCheck>();
        services.AddSingleton<HubErrorFilter>();

        // SignalR logs every exception a hub method throws at Error with its stack trace, refusals
        // (HubException) included, and argument-binding failures at Debug with theirs: one flood of
        // bad calls would fill the disk. HubErrorFilter logs refusals (rate-limited) and unexpected
        // failures (at Error, with the exception) itself, so SignalR's copy says nothing more.
        builder.Logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.None);
        services.AddSingleton<DocumentRegistry>();
        services.AddHostedService<IdleDocumentSweeper>();
        services.AddProblemDetails();
        services.AddApiRateLimits(options);
        services.AddSingleton<CallRateLimitFilter>();
        services.AddOpenApi();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");

        // An op larger than these is refused while it is read, before it is materialised.
        var opLimits = new OpReadLimits(options.MaxOpComponents, options.MaxOpLength);
        services.AddSignalR(hub =>
            {
                hub.MaximumReceiveMessageSize = options.MaxMessageBytes;

                // The browser client gives up on a silent server after 6 s (to notice a dead
                // network quickly), so an idle connection must hear a ping well within that.
                hub.KeepAliveInterval = TimeSpan.FromSeconds(2);
                hub.EnableDetailedErrors = false;
                hub.AddFilter<HubErrorFilter>();
                hub.AddFilter<CallRateLimitFilter>(); // Inside the error filter, which turns its refusals into coded HubExceptions.
            })
            .AddJsonProtocol(json => json.PayloadSerializerOptions.Converters.Add(new StrictObjectJsonConverter(opLimits)))
            .AddMessagePackProtocol(mp => mp.SerializerOptions = CollabEditResolver.ForServer(opLimits));
        WrapHubProtocols(services);
        configureServices?.Invoke(services);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(WebAppSecurity.ApplyAsync);
        var originCheck = app.Services.GetRequiredService<HubOriginCheck>();
        app.UseWhen(context => context.GetEndpoint()?.Metadata.GetMetadata<HubMetadata>() is not null, hub => hub.Use(originCheck.InvokeAsync));
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseRateLimiter();
        app.MapOpenApi();
        app.MapScalarApiReference("/api/docs");
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResultStatusCodes = { [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy] = 503 } });
        app.MapHub<CollabHub>(HubMessages.Path);
        app.MapDocumentsApi();

        // The editor page has a shareable URL per document.
        app.MapFallbackToFile("/d/{id}", "editor.html");

        // Stop the sessions (each writes a snapshot) before the store closes.
        app.Lifetime.ApplicationStopping.Register(() =>
            app.Services.GetRequiredService<DocumentRegistry>().DisposeAsync().AsTask().GetAwaiter().GetResult());
        return app;
    }

    /// <summary>Every registered hub protocol, wrapped so that its argument-binding failures carry an error code.</summary>
    private static void WrapHubProtocols(IServiceCollection services)
    {
        foreach (var registered in services.Where(d => d.ServiceType == typeof(IHubProtocol)).ToList())
        {
            var type = registered.ImplementationType
                ?? throw new InvalidOperationException($"Hub protocol registered without an implementation type: {registered}.");
            services.Remove(registered);
            services.AddSingleton<IHubProtocol>(sp => new CodedBindingErrorsProtocol((IHubProtocol)ActivatorUtilities.CreateInstance(sp, type)));
        }
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
