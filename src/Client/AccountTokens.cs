using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace CollabEdit.Client;

/// <summary>
/// Bearer tokens for non-browser clients (tests, the load driver, scripts): signs up or signs in
/// over <c>/api/account</c> with <c>?token=true</c> and returns the access token to send as
/// <c>Authorization: Bearer …</c> (and to the hub through <see cref="CollabConnection"/>).
/// </summary>
public static class AccountTokens
{
    public static async Task<string> SignUpAsync(HttpClient http, string userName, string password, string? displayName = null, CancellationToken cancellationToken = default)
    {
        var body = new { userName, email = $"{userName}@example.invalid", password, displayName = displayName ?? userName };
        using var response = await http.PostAsJsonAsync("/api/account/signup?token=true", body, cancellationToken).ConfigureAwait(false);
        return await ReadTokenAsync(response, "sign-up", cancellationToken).ConfigureAwait(false);
    }

    public static async Task<string> SignInAsync(HttpClient http, string userName, string password, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync("/api/account/signin?token=true", new { userName, password }, cancellationToken).ConfigureAwait(false);
        return await ReadTokenAsync(response, "sign-in", cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> ReadTokenAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            string detail = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new InvalidOperationException($"The {what} failed ({(int)response.StatusCode}): {detail}");
        }

        var token = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken).ConfigureAwait(false);
        return token?.AccessToken ?? throw new InvalidOperationException($"The {what} answered no token.");
    }

    private sealed record TokenResponse([property: JsonPropertyName("accessToken")] string AccessToken);
}
