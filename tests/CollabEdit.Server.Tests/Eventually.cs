namespace CollabEdit.Server.Tests;

/// <summary>Waits, with a deadline, for a condition that other threads make true (a broadcast arriving).</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string because, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Timeouts.Converge);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {because}.");
            }

            await Task.Delay(10);
        }
    }

    public static Task AllAsync<T>(IEnumerable<T> items, Func<T, bool> condition) =>
        TrueAsync(() => items.All(condition), "every client caught up");
}
