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

    /// <summary>Waits until every document has all its edits acknowledged; on timeout, fails with each one's state.</summary>
    public static async Task SynchronizedAsync(params IEnumerable<CollabEdit.Client.CollabDocument> documents)
    {
        var all = documents.ToList();
        try
        {
            await Task.WhenAll(all.Select(d => d.WhenSynchronizedAsync())).WaitAsync(Timeouts.Converge);
        }
        catch (TimeoutException)
        {
            Assert.Fail("Not synchronized in time:\n" + string.Join("\n", all.Select(d => d.Describe())));
        }
    }

    public static Task AllAsync<T>(IEnumerable<T> items, Func<T, bool> condition) =>
        TrueAsync(() => items.All(condition), "every client caught up");
}
