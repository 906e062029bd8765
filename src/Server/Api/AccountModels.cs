namespace CollabEdit.Server.Api;

/// <summary>Creates an account; <see cref="DisplayName"/> defaults to the user name.</summary>
public sealed record SignUpRequest(string? UserName, string? Email, string? Password, string? DisplayName);

/// <summary>Signs in by user name or e-mail.</summary>
public sealed record SignInRequest(string? UserName, string? Password);

/// <summary>The signed-in account.</summary>
public sealed record AccountInfo(string Id, string UserName, string Email, string DisplayName, bool IsAdministrator);
