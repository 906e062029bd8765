using CollabEdit.Ot;
using CollabEdit.Protocol;
using CollabEdit.Server.Access;
using CollabEdit.Server.Configuration;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Api;

/// <summary>
/// Sign-up, sign-in and sign-out, token refresh, password change and account deletion
/// (<c>/api/account</c>). Browsers get the sign-in cookie; <c>?token=true</c> answers a bearer token
/// instead (Identity's <c>{ tokenType, accessToken, expiresIn, refreshToken }</c>) for the .NET
/// client, the load driver and scripts. Each sign-in is a session (<see cref="AccountSessions"/>):
/// signing out ends it; signing out everywhere or changing the password ends them all.
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
        api.MapPost("/signout", SignOutAsync).WithSummary("Ends this session (its cookie or tokens); `?everywhere=true` ends every session of the account.");
        api.MapPost("/refresh", RefreshAsync).WithSummary("A new access token for a refresh token, while its session holds.").RequireRateLimiting(SignInPolicy);
        api.MapPost("/password", ChangePasswordAsync).WithSummary("Changes the password; every other session ends.").RequireRateLimiting(SignInPolicy).RequireAuthorization();
        api.MapDelete("/", DeleteAsync).WithSummary("Deletes the account (password required) with the documents it owns.").RequireRateLimiting(SignInPolicy).RequireAuthorization();
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
        await signIn.SignInWithClaimsAsync(account, isPersistent: true, [AccountSessions.NewSessionClaim()]).ConfigureAwait(false);
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

        var result = await signIn.CheckPasswordSignInAsync(account, request?.Password ?? "", lockoutOnFailure: true).ConfigureAwait(false);
        if (result.IsLockedOut)
        {
            return Problem(StatusCodes.Status429TooManyRequests, "Locked out", "Too many failed sign-ins; try again in a few minutes.");
        }

        if (!result.Succeeded)
        {
            return Problem(StatusCodes.Status401Unauthorized, "Sign-in failed", "Wrong user name or password.");
        }

        // A new session: signing out ends it alone.
        signIn.AuthenticationScheme = token == true ? AuthSchemes.Bearer : AuthSchemes.Cookie;
        await signIn.SignInWithClaimsAsync(account, isPersistent: true, [AccountSessions.NewSessionClaim(), new Claim("amr", "pwd")]).ConfigureAwait(false);
        return token == true ? TypedResults.Empty : TypedResults.Ok(Info(account));
    }

    [NoDocumentCapability("Ends the caller's own session (or all of their sessions) and clears their cookie.")]
    private static async Task<NoContent> SignOutAsync(
        HttpContext http, SignInManager<Account> signIn, UserManager<Account> users, AccountSessions sessions, bool? everywhere = null)
    {
        if (everywhere == true && DocumentAccess.AccountIdOf(http.User) is { } id && await users.FindByIdAsync(id).ConfigureAwait(false) is { } account)
        {
            await sessions.EndAllAsync(users, account).ConfigureAwait(false);
        }
        else
        {
            await sessions.EndAsync(http.User).ConfigureAwait(false);
        }

        await signIn.SignOutAsync().ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    [NoDocumentCapability("Exchanges the caller's own refresh token; refused once its session has ended.")]
    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> RefreshAsync(
        RefreshRequest? request, IOptionsMonitor<BearerTokenOptions> bearer, SignInManager<Account> signIn, UserManager<Account> users,
        AccountSessions sessions, TimeProvider time)
    {
        var ticket = string.IsNullOrEmpty(request?.RefreshToken) ? null : bearer.Get(AuthSchemes.Bearer).RefreshTokenProtector.Unprotect(request.RefreshToken);
        if (ticket?.Properties.ExpiresUtc is not { } expires || time.GetUtcNow() >= expires || !sessions.Holds(ticket.Principal)
            || DocumentAccess.AccountIdOf(ticket.Principal) is not { } id || await users.FindByIdAsync(id).ConfigureAwait(false) is not { } account)
        {
            return Problem(StatusCodes.Status401Unauthorized, "Refresh refused", "The refresh token is not valid, has expired, or its session has ended; sign in again.");
        }

        // The same session goes on: signing out of it ends the new token too.
        signIn.AuthenticationScheme = AuthSchemes.Bearer;
        await signIn.SignInWithClaimsAsync(account, isPersistent: true, [AccountSessions.SessionClaimOf(ticket.Principal)]).ConfigureAwait(false);
        return TypedResults.Empty;
    }

    [NoDocumentCapability("Changes the caller's own password.")]
    private static async Task<Results<EmptyHttpResult, NoContent, ProblemHttpResult>> ChangePasswordAsync(
        HttpContext http, ChangePasswordRequest? request, SignInManager<Account> signIn, UserManager<Account> users, AccountSessions sessions)
    {
        if (await users.FindByIdAsync(DocumentAccess.AccountIdOf(http.User)!).ConfigureAwait(false) is not { } account)
        {
            return Problem(StatusCodes.Status401Unauthorized, "Not signed in", "Sign in again.");
        }

        // Identity gives the account a new security stamp with the new password: every session ends.
        var changed = await users.ChangePasswordAsync(account, request?.CurrentPassword ?? "", request?.NewPassword ?? "").ConfigureAwait(false);
        if (!changed.Succeeded)
        {
            bool wrong = changed.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch));
            return wrong
                ? Problem(StatusCodes.Status403Forbidden, "Wrong password", "The current password is not right.")
                : Problem(StatusCodes.Status400BadRequest, "Invalid password", string.Join(" ", changed.Errors.Select(e => e.Description)));
        }

        await sessions.AnnounceAsync(account.Id).ConfigureAwait(false);

        // All but this one, as Google does: the caller's session goes on under the new stamp, with a
        // new cookie or (for a token caller) new tokens in the answer.
        bool bearer = AuthSchemes.HasBearerToken(http.Request);
        signIn.AuthenticationScheme = bearer ? AuthSchemes.Bearer : AuthSchemes.Cookie;
        await signIn.SignInWithClaimsAsync(account, isPersistent: true, [AccountSessions.SessionClaimOf(http.User)]).ConfigureAwait(false);
        return bearer ? TypedResults.Empty : TypedResults.NoContent();
    }

    [NoDocumentCapability("Deletes the caller's own account and the documents it owns.")]
    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        HttpContext http, [FromBody] DeleteAccountRequest? request, SignInManager<Account> signIn, UserManager<Account> users, AccountClosing closing)
    {
        if (await users.FindByIdAsync(DocumentAccess.AccountIdOf(http.User)!).ConfigureAwait(false) is not { } account)
        {
            return Problem(StatusCodes.Status401Unauthorized, "Not signed in", "Sign in again.");
        }

        if (!await users.CheckPasswordAsync(account, request?.Password ?? "").ConfigureAwait(false))
        {
            return Problem(StatusCodes.Status403Forbidden, "Wrong password", "The password is not right.");
        }

        // The administrator owns every document from before accounts; the server would be left without one.
        if (account.IsAdministrator)
        {
            return Problem(StatusCodes.Status409Conflict, "Administrator", "The administrator's account cannot be deleted.");
        }

        await closing.CloseAsync(account).ConfigureAwait(false);
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
