namespace CollabEdit.Server.Api;

/// <summary>Creates an account; <see cref="DisplayName"/> defaults to the user name.</summary>
public sealed record SignUpRequest(string? UserName, string? Email, string? Password, string? DisplayName);

/// <summary>Signs in by user name or e-mail.</summary>
public sealed record SignInRequest(string? UserName, string? Password);

/// <summary>The signed-in account.</summary>
public sealed record AccountInfo(string Id, string UserName, string Email, string DisplayName, bool IsAdministrator);

/// <summary>Exchanges the refresh token of a bearer sign-in for new tokens.</summary>
public sealed record RefreshRequest(string? RefreshToken);

/// <summary>Changes the caller's password; the current one is required.</summary>
public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary>Deletes the caller's account; its password is required.</summary>
public sealed record DeleteAccountRequest(string? Password);
