using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Access;

/// <summary>
/// Whether a signed-in caller's session still holds, for cookies, bearer tokens and open hub
/// connections alike: the account exists, the caller's security stamp is the account's current one
/// (a new stamp, from "sign out everywhere" or a password change, ends every session at once), and
/// its own session was not ended by a sign-out. A session is one sign-in and every token refreshed
/// from it; its id travels as <see cref="SessionClaim"/>.
/// </summary>
/// <remarks>
/// Every hub call asks, so answers are cached <see cref="CacheFor"/> per account and per session
/// and no storage is read on the hot path. A change made here, or announced by another process
/// (<see cref="NotifyChanged"/>), drops them at once and tells whoever listens (<see cref="Changed"/>),
/// so open connections are checked within moments rather than at their next call.
/// </remarks>
internal sealed class AccountSessions(IAccessStorage storage, IOptions<IdentityOptions> identity, TimeProvider time)
{
    /// <summary>The claim naming the session a cookie or token belongs to.</summary>
    public const string SessionClaim = "collabedit:session";

    /// <summary>How long a sign-in lasts at most, cookie (sliding) or refresh token: a revoked session is remembered this long.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(14);

    /// <summary>Short enough that a change made on another process whose notice was lost still takes effect within the revocation window.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, (string? Stamp, long At)> _stamps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (bool Revoked, long At)> _revoked = new(StringComparer.Ordinal);

    /// <summary>Moves on every change: a storage read begun before a change never goes into the cache after it.</summary>
    private long _generation;

    /// <summary>Raised with an account id after that account's sessions changed, here or on another process; with null after a change that may concern anyone (a lost notice).</summary>
    public event Action<string?>? Changed;

    public static Claim NewSessionClaim() => new(SessionClaim, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));

    /// <summary>The caller's session claim, or a new one for a caller signed in before sessions had ids.</summary>
    public static Claim SessionClaimOf(ClaimsPrincipal user) => user.FindFirst(SessionClaim) is { } claim ? new Claim(SessionClaim, claim.Value) : NewSessionClaim();

    /// <summary>True for callers who are not signed in (a guest, a stranger): they have no session to end.</summary>
    public bool Holds(ClaimsPrincipal user)
    {
        if (DocumentAccess.AccountIdOf(user) is not { } accountId)
        {
            return true;
        }

        string? stamp = user.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType);
        if (stamp is null || stamp != CurrentStamp(accountId))
        {
            return false;
        }

        return user.FindFirstValue(SessionClaim) is not { } session || !IsRevoked(session);
    }

    /// <summary>Ends the caller's own session: its cookie and tokens (refresh tokens included) are refused from now on, on every process.</summary>
    public async Task EndAsync(ClaimsPrincipal user)
    {
        if (DocumentAccess.AccountIdOf(user) is not { } accountId || user.FindFirstValue(SessionClaim) is not { } session)
        {
            return;
        }

        var now = time.GetUtcNow();
        await storage.RevokeSessionAsync(accountId, session, now + Lifetime, now).ConfigureAwait(false);
        NotifyChanged(accountId);
    }

    /// <summary>Ends every session of the account (a new security stamp), and tells every process.</summary>
    public async Task EndAllAsync(UserManager<Account> users, Account account)
    {
        await users.UpdateSecurityStampAsync(account).ConfigureAwait(false);
        await AnnounceAsync(account.Id).ConfigureAwait(false);
    }

    /// <summary>After the account's stamp moved (or the account went) by other means: every process checks its sessions again.</summary>
    public async Task AnnounceAsync(string accountId)
    {
        NotifyChanged(accountId);
        await storage.AnnounceSessionsChangedAsync(accountId).ConfigureAwait(false);
    }

    /// <summary>Forgets what was cached about the account (null: about everyone) and raises <see cref="Changed"/>.</summary>
    public void NotifyChanged(string? accountId)
    {
        Interlocked.Increment(ref _generation);
        if (accountId is null)
        {
            _stamps.Clear();
            _revoked.Clear();
        }
        else
        {
            _stamps.TryRemove(accountId, out _);

            // Session ids do not name their account; an account's sessions are few and a second's cache is cheap to refill.
            _revoked.Clear();
        }

        Changed?.Invoke(accountId);
    }

    private string? CurrentStamp(string accountId)
    {
        long now = time.GetTimestamp();
        if (_stamps.TryGetValue(accountId, out var cached) && time.GetElapsedTime(cached.At, now) < CacheFor)
        {
            return cached.Stamp;
        }

        long generation = Interlocked.Read(ref _generation);
        string? stamp = storage.FindAccountById(accountId)?.SecurityStamp;
        TrimIfLarge(_stamps);
        if (Interlocked.Read(ref _generation) == generation)
        {
            _stamps[accountId] = (stamp, now);
        }

        return stamp;
    }

    private bool IsRevoked(string session)
    {
        long now = time.GetTimestamp();
        if (_revoked.TryGetValue(session, out var cached) && time.GetElapsedTime(cached.At, now) < CacheFor)
        {
            return cached.Revoked;
        }

        long generation = Interlocked.Read(ref _generation);
        bool revoked = storage.IsSessionRevoked(session);
        TrimIfLarge(_revoked);
        if (Interlocked.Read(ref _generation) == generation)
        {
            _revoked[session] = (revoked, now);
        }

        return revoked;
    }

    /// <summary>Bounded by the accounts and sessions active within <see cref="CacheFor"/>; past that, start again.</summary>
    private static void TrimIfLarge<T>(ConcurrentDictionary<string, T> cache)
    {
        if (cache.Count >= 100_000)
        {
            cache.Clear();
        }
    }
}
