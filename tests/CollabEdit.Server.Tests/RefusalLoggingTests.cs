using CollabEdit.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CollabEdit.Server.Tests;

/// <summary>
/// A refused call is the client's problem, not the server's: it is logged at Debug, without a
/// stack trace, and only so many times a second, so a flood of bad input cannot fill the disk
/// with logs. What the shipped appsettings.json logs in production is checked here too.
/// </summary>
public sealed class RefusalLoggingTests
{
    private const int Refusals = 300;

    [Fact]
    public async Task RefusedCalls_AreLoggedBelowWarningWithoutStackTracesAndRateLimited()
    {
        var logs = new CapturedLogs();
        await using var server = await RunningServer.StartAsync(services: services =>
        {
            services.AddSingleton<TimeProvider>(new FrozenTime());
            services.AddSingleton<ILoggerProvider>(logs);

            // The app's own debug entries too; everything else at the levels the server configures.
            services.Configure<LoggerFilterOptions>(filters => filters.Rules.Add(new LoggerFilterRule(null, "CollabEdit", LogLevel.Trace, null)));
        });
        string id = await server.CreateDocumentAsync("abc");
        var connection = await server.ConnectAsync();
        await connection.InvokeAsync<OpenResult>(HubMessages.Open, id, "tester").WaitAsync(Timeouts.Call);
        logs.Entries.Clear();

        for (int i = 0; i < Refusals; i++)
        {
            // Alternately an op that does not apply (the hub refuses it) and arguments SignalR cannot bind.
            object?[] arguments = i % 2 == 0 ? [id, "client", (long)(i + 1), 0, new object[] { 5 }] : [id, "client", "not a seq", 0, new object[] { 3 }];
            var error = await Assert.ThrowsAsync<HubException>(() => connection.InvokeCoreAsync(HubMessages.Submit, typeof(SubmitAck), arguments).WaitAsync(Timeouts.Call));
            Assert.Equal(ErrorCodes.InvalidOp, ErrorCodes.Of(error.Message));
        }

        var entries = logs.Entries.ToArray();
        Assert.DoesNotContain(entries, entry => entry.Level >= LogLevel.Warning);
        Assert.DoesNotContain(entries, entry => entry.Exception is not null);
        var refusals = entries.Where(entry => entry.Message.Contains("Refused", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(refusals);
        Assert.True(refusals.Length < Refusals / 4, $"{refusals.Length} of {Refusals} refusals logged");
    }

    [Fact]
    public void ShippedSettings_LogTheAppButNotEachRequest()
    {
        var settings = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false)
            .Build();
        using var loggers = LoggerFactory.Create(logging => logging.AddConfiguration(settings.GetSection("Logging")).AddProvider(new CapturedLogs()));

        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Routing.EndpointMiddleware").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("CollabEdit.Server.Storage.DocumentStore").IsEnabled(LogLevel.Information));
    }
}
