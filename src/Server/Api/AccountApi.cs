using CollabEdit.Ot;
using CollabEdit.Protocol;
using CollabEdit.Server.Access;
using CollabEdit.Server.Configuration;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Api;

/// <summary>
/// Sign-up, sign-in and sign-out (<c>/api/account</c>). Browsers get the sign-in cookie;
/// <c>?token=true</c> answers a bearer token instead (Identity's <c>{ tokenType, accessToken,
/// expiresIn, refreshToken }</c>) for the .NET client, the load driver and scripts.
/// </summary>
public static class AccountApi
{
    public const string SignInPolicy = "sign-in";

    private const int MaxDisplayNameLength = CallerNames.MaxNameLength;

    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api/account").WithTags("Account").CheckDocumentAccess();
        api.MapPost("/signup", SignUpAsync).WithSummary("Creates an account and signs in (the first account becomes the administrator).").RequireRateLimiting(SignInPolicy);
        api.MapPost("/signin", SignInAsync).WithSummary("Signs in; locked out for a while after repeated failures.").RequireRateLimiting(SignInPolicy);
        api.MapPost("/signout", SignOutAsync).WithSummary("Signs out (clears the cookie).");
        api.MapGet("/me", Me).WithSummary("The signed-in account.").RequireAuthorization();
        return routes;
    }

    [NoDocumentCapability("Creates an account; closed by CollabEdit:Auth:AllowSignUp once an administrator exists.")]
    private static async Task<Results<Ok<AccountInfo>, EmptyHttpResult, ProblemHttpResult>> SignUpAsync(
        SignUpRequest? request, UserManager<Account> users, SignInManager<Account> signIn, IAccessStorage access,
        IOptions<AuthOptions> options, TimeProvider time, bool? token = null)
    {
        if (!options.Value.AllowSignUp && access.FindAdministrator() is not null)
        {
            return Problem(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "Sign-up is closed on this server; ask its administrator for an account.");
        }

        string userName = request?.UserName?.Trim() ?? "";
        string email = request?.Email?.Trim() ?? "";
        string displayName = CallerNames.Clean(request?.DisplayName, userName);
        if (userName.Length is 0 or > 64 || email.Length is 0 or > 256 || !email.Contains('@', StringComparison.Ordinal))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid account", "A user name (1–64 characters) and an e-mail address are needed.");
        }

        if (displayName.Length > MaxDisplayNameLength || Utf16.IndexOfLoneSurrogate(displayName) >= 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid account", $"The display name must be 1–{MaxDisplayNameLength} characters.");
        }

        var account = new Account
        {
            Id = Guid.NewGuid().ToString("N"),
            UserName = userName,
            Email = email,
            DisplayName = displayName,
            CreatedAt = time.GetUtcNow(),
        };
        var created = await users.CreateAsync(account, request?.Password ?? "").ConfigureAwait(false);
        if (!created.Succeeded)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid account", string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        signIn.AuthenticationScheme = token == true ? AuthSchemes.Bearer : AuthSchemes.Cookie;
        await signIn.SignInAsync(account, isPersistent: true).ConfigureAwait(false);
        return token == true ? TypedResults.Empty : TypedResults.Ok(Info(account));
    }

    [NoDocumentCapability("Signs in with a password; rate limited per address, locked out per account.")]
    private static async Task<Results<Ok<AccountInfo>, EmptyHttpResult, ProblemHttpResult>> SignInAsync(
        SignInRequest? request, UserManager<Account> users, SignInManager<Account> signIn, bool? token = null)
    {
        string name = request?.UserName?.Trim() ?? "";
        var account = await users.FindByNameAsync(name).ConfigureAwait(false) ?? await users.FindByEmailAsync(name).ConfigureAwait(false);
        if (account is null)
        {
            return Problem(StatusCodes.Status401Unauthorized, "Sign-in failed", "Wrong user name or password.");
        }

        signIn.AuthenticationScheme = token == true ? AuthSchemes.Bearer : AuthSchemes.Cookie;
        var result = await signIn.PasswordSignInAsync(account, request?.Password ?? "", isPersistent: true, lockoutOnFailure: true).ConfigureAwait(false);
        if (result.IsLockedOut)
        {
            return Problem(StatusCodes.Status429TooManyRequests, "Locked out", "Too many failed sign-ins; try again in a few minutes.");
        }

        if (!result.Succeeded)
        {
            return Problem(StatusCodes.Status401Unauthorized, "Sign-in failed", "Wrong user name or password.");
        }

        return token == true ? TypedResults.Empty : TypedResults.Ok(Info(account));
    }

    [NoDocumentCapability("Clears the caller's own cookie.")]
    private static async Task<NoContent> SignOutAsync(SignInManager<Account> signIn)
    {
        await signIn.SignOutAsync().ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    [NoDocumentCapability("The caller's own account.")]
    private static Results<Ok<AccountInfo>, UnauthorizedHttpResult> Me(HttpContext http, IAccessStorage access) =>
        DocumentAccess.AccountIdOf(http.User) is { } id && access.FindAccountById(id) is { } account
            ? TypedResults.Ok(Info(account))
            : TypedResults.Unauthorized();

    private static AccountInfo Info(Account account) => new(account.Id, account.UserName, account.Email, account.DisplayName, account.IsAdministrator);

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);
}
