using CollabEdit.LoadDriver;

// Load driver for CollabEdit: docs/benchmarks.md, "Server under load". Exit 0 = converged.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    if (args.Length > 0 && args[0] == "report")
    {
        return await CompareReport.RunAsync(args[1..], Console.Out).ConfigureAwait(false);
    }

    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine(CommandLine.Usage);
        return 0;
    }

    var settings = CommandLine.Parse(args);
    var log = settings.Quiet ? TextWriter.Null : Console.Error;
    if (settings.Scenario == "soak")
    {
        return await new SoakRun(settings, log).RunAsync(cancel.Token).ConfigureAwait(false);
    }

    if (settings.Scenario == "abuse")
    {
        return await new AbuseRun(settings, log).RunAsync(cancel.Token).ConfigureAwait(false);
    }

    var report = settings.Scenario == "S5"
        ? await new ColdOpenRun(settings, log).RunAsync(cancel.Token).ConfigureAwait(false)
        : await new LoadRun(settings, log).RunAsync(cancel.Token).ConfigureAwait(false);
    if (settings.JsonPath is { } path)
    {
        await ReportPrinter.WriteJsonAsync(report, path).ConfigureAwait(false);
    }

    if (settings.Quiet)
    {
        Console.WriteLine(report.Converged
            ? $"{report.Scenario}: converged ({report.Connections?.Opened} clients, {report.EditsMade:N0} edits, {report.Commits:N0} commits)"
            : $"{report.Scenario}: FAILED: {string.Join("; ", report.Failures)}");
    }
    else
    {
        ReportPrinter.Print(report, Console.Out);
    }

    return report.Converged ? 0 : 1;
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled.");
    return 1;
}
catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException or HttpRequestException)
{
    // The run could not even start (no server, no trace): a failure, never a figure.
    Console.WriteLine($"FAILED: {e.Message}");
    return 1;
}
