using Microsoft.Extensions.Options;

namespace CollabEdit.Server.Tests;

/// <summary>A bad setting stops the server at start, with a message that names it.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("SnapshotInterval", "0")]
    [InlineData("MaxRevisionLag", "-1")]
    [InlineData("MaxOpComponents", "0")]
    [InlineData("IdleSweepInterval", "00:00:00")]
    [InlineData("SubmitBurst", "0")]
    public async Task Start_WithABadValue_FailsNamingTheSetting(string setting, string value)
    {
        string dataPath = RunningServer.NewDataPath();
        try
        {
            var error = await Assert.ThrowsAsync<OptionsValidationException>(
                () => RunningServer.StartAsync(dataPath, new Dictionary<string, string> { [setting] = value }));

            Assert.Contains(setting, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            RunningServer.TryDelete(dataPath);
        }
    }

    [Theory]
    [InlineData("DataPath", "")]
    [InlineData("MaxMessageBytes", "0")]
    public void Create_WithABadValueNeededWhileBuilding_FailsNamingTheSetting(string setting, string value)
    {
        var error = Assert.Throws<OptionsValidationException>(
            () => CollabEditApp.Create(["--urls=http://127.0.0.1:0", $"--CollabEdit:{setting}={value}"]));

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_OnPostgresWithoutAConnectionString_FailsNamingIt()
    {
        var error = Assert.Throws<OptionsValidationException>(
            () => CollabEditApp.Create(["--urls=http://127.0.0.1:0", "--CollabEdit:Storage=Postgres"]));

        Assert.Contains("ConnectionStrings:Postgres", error.Message, StringComparison.Ordinal);
    }
}
