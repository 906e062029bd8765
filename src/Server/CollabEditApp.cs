using CollabEdit.Protocol;
using CollabEdit.Server.Access;
using CollabEdit.Server.Api;
using CollabEdit.Server.Configuration;
using CollabEdit.Server.Diagnostics;
using CollabEdit.Server.Documents;
using CollabEdit.Server.Hubs;
using CollabEdit.Server.Storage;
using CollabEdit.Server.Storage.Postgres;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server;

/// <summary>Builds the server: used by Program.cs and by tests that host it on a loopback port.</summary>
public static class CollabEditApp
{
    /// <summary>
    /// How long a clean stop (SIGTERM) may wait for requests in progress and the hosted services
    /// (sessions writing their snapshots, the storage writer draining) before the host gives up.
    /// Hub connections are dropped at once (<see cref="HubDrain"/>), so a stop normally takes well under a second.
    /// </summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(15);

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
        var services = builder.Services;
        services.AddCollabEditSettings(builder.Configuration);

        // Needed while building, so validated now rather than at start like the rest.
        var storage = CollabEditSettings.Read<StorageOptions>(builder.Configuration);
        var connections = CollabEditSettings.Read<ConnectionLimits>(builder.Configuration);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<CollabEditMetrics>();
        string? postgres = CollabEditSettings.PostgresConnectionString(builder.Configuration, storage);
        if (postgres is not null)
        {
            services.AddPostgresStorage(postgres);
        }
        else
        {
            AddLiteDbStorage(services, storage);
        }

        services.AddSingleton<ConnectionOutboxes>();
        services.AddSingleton<PresenceThrottle>();
        services.TryAddSingleton<IPresenceRelay, LocalPresenceOnly>(); // PostgreSQL registers its relay first.
        services.AddSingleton<DocumentWriteBudgets>();
        services.AddSingleton<HubLifetimeManager<CollabHub>, OutboxHubLifetimeManager>();
        services.AddSingleton<IOpBroadcaster, HubOpBroadcaster>();
        services.AddSingleton<HubOriginCheck>();
        services.AddSingleton<HubDrain>();
        services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
        services.AddSingleton<CrossSiteRequestCheck>();
        services.AddSingleton<HubErrorFilter>();
        services.AddSingleton<HubAuthorizationFilter>();
        services.AddSingleton<DocumentMembers>();
        services.AddSingleton<SignedInConnections>();
        services.AddCollabEditAccess(builder.Configuration, storage.DataPath, onPostgres: postgres is not null);
        services.AddOptions<TrashOptions>().Bind(builder.Configuration.GetSection(CollabEditSettings.Section));
        services.AddSingleton<AccessAudit>();
        services.AddSingleton<Trash>();
        services.AddSingleton<AccountClosing>();
        services.AddHostedService<TrashSweeper>();

        // The hub takes a browser's bearer token from its URL's query string: request lines (and
        // with them the URL) are never logged, whatever the configured level.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", level => level >= LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Http.Connections", level => level >= LogLevel.Warning);

        // The cookie and token keys are kept unencrypted in DataPath/keys, as protected as the
        // documents beside them (there is no machine key store on Linux): no warning at each start.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", level => level >= LogLevel.Error);

        // SignalR logs every exception a hub method throws at Error with its stack trace, refusals
        // (HubException) included, and argument-binding failures at Debug with theirs: one flood of
        // bad calls would fill the disk. HubErrorFilter logs refusals (rate-limited) and unexpected
        // failures (at Error, with the exception) itself, so SignalR's copy says nothing more.
        builder.Logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.None);
        services.AddSingleton<DocumentRegistry>();
        services.AddSingleton<ICommittedElsewhere>(sp => sp.GetRequiredService<DocumentRegistry>());
        services.AddHostedService<SessionShutdown>();
        services.AddHostedService<IdleDocumentSweeper>();
        services.AddProblemDetails();
        services.AddExceptionHandler<CollabExceptionHandler>();
        services.AddApiRateLimits(CollabEditSettings.Read<RequestLimits>(builder.Configuration), builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions());
        services.AddSingleton<CallRateLimitFilter>();
        services.AddOpenApi();
        services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage")
            .AddCheck<ReadinessHealthCheck>("accepting", tags: [ReadinessHealthCheck.Tag]);
        bool exportMetrics = MetricsExport.IsEnabled(builder.Configuration);
        if (exportMetrics)
        {
            services.AddMetricsExport();
        }

        // An op larger than these is refused while it is read, before it is materialised.
        var edits = CollabEditSettings.Read<EditLimits>(builder.Configuration);
        var opLimits = new OpReadLimits(edits.MaxOpComponents, edits.MaxOpLength);
        services.AddSignalR(hub =>
            {
                hub.MaximumReceiveMessageSize = connections.MaxMessageBytes;

                // The browser client gives up on a silent server after 4 s (to notice a dead
                // network quickly), so an idle connection must hear a ping well within that.
                hub.KeepAliveInterval = TimeSpan.FromSeconds(2);
                hub.ClientTimeoutInterval = connections.ClientTimeout;
                hub.EnableDetailedErrors = false;
                hub.AddFilter<HubErrorFilter>();
                hub.AddFilter<CallRateLimitFilter>(); // Inside the error filter, which turns its refusals into coded HubExceptions.
                hub.AddFilter<HubAuthorizationFilter>(); // Every method, before it runs; refusals are coded like any other.
            })
            .AddJsonProtocol(json => json.PayloadSerializerOptions.Converters.Add(new StrictObjectJsonConverter(opLimits)))
            .AddMessagePackProtocol(mp => mp.SerializerOptions = CollabEditResolver.ForServer(opLimits));
        WrapHubProtocols(services);
        configureServices?.Invoke(services);

        var proxies = TrustedProxies.Read(builder.Configuration);
        var app = builder.Build();
        app.UseTrustedProxies(proxies);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(WebAppSecurity.ApplyAsync);
        app.Use(ApiReference.ApplyHeadersAsync);
        var originCheck = app.Services.GetRequiredService<HubOriginCheck>();
        var drain = app.Services.GetRequiredService<HubDrain>();
        app.UseWhen(context => context.GetEndpoint()?.Metadata.GetMetadata<HubMetadata>() is not null, hub => hub.Use(drain.InvokeAsync).Use(originCheck.InvokeAsync));
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.Use(BearerTokenCheck.RefuseRejectedAsync);
        app.Use(app.Services.GetRequiredService<CrossSiteRequestCheck>().InvokeAsync);
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapOpenApi();
        app.MapApiReference();
        // /healthz: storage works (for PostgreSQL, the database answers). /readyz: that, and the
        // process is not stopping: where a load balancer sends new connections.
        var unhealthyIs503 = new Dictionary<Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus, int>
        {
            [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy] = 200,
            [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded] = 200,
            [Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy] = 503,
        };
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            Predicate = check => !check.Tags.Contains(ReadinessHealthCheck.Tag),
            ResultStatusCodes = unhealthyIs503,
            ResponseWriter = StorageHealthCheck.WriteAsync,
        });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { ResultStatusCodes = unhealthyIs503, ResponseWriter = StorageHealthCheck.WriteAsync });
        if (exportMetrics)
        {
            app.MapMetrics();
        }

        app.MapHub<CollabHub>(HubMessages.Path);
        app.MapDocumentsApi();
        app.MapSharingApi();
        app.MapAccountApi();
        app.MapServiceWorker();

        // The editor page has a shareable URL per document.
        app.MapFallbackToFile("/d/{id}", "editor.html");
        app.MapFallbackToFile("/signin", "signin.html");
        app.MapFallbackToFile("/signup", "signin.html");
        app.MapFallbackToFile("/account", "signin.html");
        return app;
    }

    private static void AddLiteDbStorage(IServiceCollection services, StorageOptions storage)
    {
        // Taken first, before anything opens the LiteDB file, and held for the process's life.
        var dataLock = DataDirectoryLock.Acquire(storage.DataPath);
        services.AddSingleton<IWriteFaultInjector, NoWriteFaults>();
        services.AddSingleton(sp => new DocumentStore(
            dataLock,
            storage.DataPath,
            sp.GetRequiredService<IWriteFaultInjector>(),
            sp.GetRequiredService<CollabEditMetrics>(),
            sp.GetRequiredService<ILogger<DocumentStore>>(),
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.CheckpointBytes));
        services.AddSingleton<IDocumentStorage>(sp => sp.GetRequiredService<DocumentStore>());
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
