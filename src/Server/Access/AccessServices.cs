using CollabEdit.Server.Configuration;
using CollabEdit.Server.Documents;
using CollabEdit.Server.Storage.Postgres;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CollabEdit.Server.Access;

/// <summary>Accounts (ASP.NET Core Identity over <see cref="IAccessStorage"/>), the cookie and bearer schemes, and the one document authorizer.</summary>
public static class AccessServices
{
    public static IServiceCollection AddCollabEditAccess(this IServiceCollection services, IConfiguration configuration, string dataPath, bool onPostgres = false)
    {
        var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        if (onPostgres)
        {
            // Every process on the database shares the accounts, grants, links and keys.
            services.AddSingleton<IAccessStorage, PostgresAccessStorage>();
            services.AddHostedService<PostgresAccessListener>();
            services.AddDataProtection().SetApplicationName("CollabEdit");
            services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
                new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new PostgresXmlRepository(sp.GetRequiredService<NpgsqlDataSource>())));
        }
        else
        {
            services.AddSingleton(_ => new LiteDbAccessStorage(dataPath));
            services.AddSingleton<IAccessStorage>(sp => sp.GetRequiredService<LiteDbAccessStorage>());

            // Cookies and bearer tokens are sealed with keys kept beside the data, so they outlive a restart.
            services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataPath, "keys"))).SetApplicationName("CollabEdit");
        }

        services.AddSingleton<DocumentAccess>();
        services.AddSingleton<AccountSessions>();
        services.AddSingleton<CallerNames>();
        services.AddSingleton<IAccountQuota, DocumentCountQuota>();
        services.AddSingleton<AccountStorageQuota>();
        services.AddSingleton<IStorageAllowance>(sp => sp.GetRequiredService<AccountStorageQuota>());
        services.AddSingleton<IAuthorizationHandler, DocumentAuthorizationHandler>();
        services.AddAuthorization();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = AuthSchemes.Default;
                options.DefaultChallengeScheme = AuthSchemes.Default;
            })
            .AddPolicyScheme(AuthSchemes.Default, "Cookie or bearer token", options =>
                options.ForwardDefaultSelector = http => AuthSchemes.HasBearerToken(http.Request) ? AuthSchemes.Bearer : AuthSchemes.Cookie)
            .AddBearerToken(AuthSchemes.Bearer, options =>
            {
                options.BearerTokenExpiration = TimeSpan.FromHours(8);
                options.RefreshTokenExpiration = AccountSessions.Lifetime;
                options.Events = new BearerTokenEvents { OnMessageReceived = BearerTokenCheck.ValidateAsync };
            })
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "CollabEdit";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.CookieManager = new HostPrefixCookieManager();
            cookie.ExpireTimeSpan = AccountSessions.Lifetime;
            cookie.SlidingExpiration = true;

            // In place of Identity's SecurityStampValidator (which looks every 30 minutes): a cookie
            // of an ended session (signed out, everywhere, or a password changed) is refused at once.
            cookie.Events.OnValidatePrincipal = async context =>
            {
                if (context.Principal is { } user && !context.HttpContext.RequestServices.GetRequiredService<AccountSessions>().Holds(user))
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(AuthSchemes.Cookie).ConfigureAwait(false);
                }
            };

            // The pages and the API answer 401/403 themselves; a redirect would turn an API error into a page.
            cookie.Events.OnRedirectToLogin = context =>
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            };
            cookie.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });

        services.AddIdentityCore<Account>(identity =>
            {
                // Length over character classes (NIST SP 800-63B); lockout after repeated failures.
                identity.Password.RequiredLength = 8;
                identity.Password.RequireDigit = false;
                identity.Password.RequireLowercase = false;
                identity.Password.RequireUppercase = false;
                identity.Password.RequireNonAlphanumeric = false;
                identity.Password.RequiredUniqueChars = 1;
                identity.Lockout.AllowedForNewUsers = true;
                identity.Lockout.MaxFailedAccessAttempts = auth.MaxFailedSignIns;
                identity.Lockout.DefaultLockoutTimeSpan = auth.LockoutDuration;
                identity.User.RequireUniqueEmail = true;
                identity.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@+";
                identity.SignIn.RequireConfirmedAccount = false;
                identity.SignIn.RequireConfirmedEmail = false;
            })
            .AddUserStore<AccountStore>()
            .AddSignInManager();

        return services;
    }
}
