using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Configuration;

/// <summary>
/// Binds each options class to the <c>CollabEdit</c> configuration section and validates it when
/// the server starts, so a bad value stops the server with a message naming the setting instead
/// of failing later inside a request.
/// </summary>
public static class CollabEditSettings
{
    public const string Section = "CollabEdit";

    /// <summary>Registers every options class, each validated by its data annotations at start.</summary>
    public static IServiceCollection AddCollabEditSettings(this IServiceCollection services, IConfiguration configuration)
    {
        Add<StorageOptions>(services, configuration);
        Add<EditLimits>(services, configuration);
        Add<ConnectionLimits>(services, configuration);
        Add<IdleUnloadOptions>(services, configuration);
        Add<RequestLimits>(services, configuration);
        return services;
    }

    /// <summary>
    /// Reads and validates settings needed while the app is being built (before options
    /// validation at start can run); throws <see cref="OptionsValidationException"/> like it.
    /// </summary>
    public static T Read<T>(IConfiguration configuration)
        where T : class, new()
    {
        var value = configuration.GetSection(Section).Get<T>() ?? new T();
        var result = new DataAnnotationValidateOptions<T>(Options.DefaultName).Validate(Options.DefaultName, value);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures);
        }

        return value;
    }

    /// <summary>
    /// The PostgreSQL connection string when <see cref="StorageOptions.Storage"/> is
    /// <see cref="StorageBackend.Postgres"/>; null for LiteDB. Throws, naming the setting, when
    /// PostgreSQL is chosen without one.
    /// </summary>
    public static string? PostgresConnectionString(IConfiguration configuration, StorageOptions storage)
    {
        if (storage.Storage != StorageBackend.Postgres)
        {
            return null;
        }

        string? connectionString = configuration.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new OptionsValidationException(
                "ConnectionStrings:Postgres", typeof(StorageOptions), ["CollabEdit:Storage is Postgres, so ConnectionStrings:Postgres must be set."]);
        }

        return connectionString;
    }

    private static void Add<T>(IServiceCollection services, IConfiguration configuration)
        where T : class =>
        services.AddOptions<T>().Bind(configuration.GetSection(Section)).ValidateDataAnnotations().ValidateOnStart();
}
