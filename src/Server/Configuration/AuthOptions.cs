using System.ComponentModel.DataAnnotations;

namespace CollabEdit.Server.Configuration;

/// <summary>Accounts and access (configuration section <c>CollabEdit:Auth</c>, and <c>CollabEdit:TrashRetention</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "CollabEdit:Auth";

    /// <summary>Whether anyone may create an account. The first account can always be created, so a fresh server has an administrator.</summary>
    public bool AllowSignUp { get; set; } = true;

    /// <summary>Documents one account may own (in its trash included).</summary>
    [Range(1, int.MaxValue)]
    public int MaxDocumentsPerAccount { get; set; } = 10_000;

    /// <summary>
    /// The history bytes all documents one account owns may hold together (its trash included; counted
    /// as <c>MaxDocumentStoredBytes</c> counts them); 0 for no limit. Past it, submits, restores and
    /// creates are refused <c>quota-exceeded</c>.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxStoredBytesPerAccount { get; set; } = 1L << 30;

    /// <summary>Failed sign-ins in a row after which an account is locked out for <see cref="LockoutDuration"/>.</summary>
    [Range(1, 100)]
    public int MaxFailedSignIns { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Sign-in and sign-up attempts one client address may make a minute.</summary>
    [Range(1, int.MaxValue)]
    public int SignInsPerMinutePerAddress { get; set; } = 30;

    /// <summary>State-changing REST calls one account may make a second (and twice that in a burst).</summary>
    [Range(1, int.MaxValue)]
    public int ChangesPerSecondPerAccount { get; set; } = 50;
}
