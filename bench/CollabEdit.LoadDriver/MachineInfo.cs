using System.Globalization;
using System.Runtime.InteropServices;

namespace CollabEdit.LoadDriver;

/// <summary>Where a run ran: the figures mean little without it, and the machine is shared.</summary>
internal sealed record MachineInfo(string Cpu, int Cores, string Os, string Kernel, string Runtime, string LoadAverageAtStart)
{
    public static MachineInfo Current() => new(
        ReadField("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Environment.ProcessorCount,
        (ReadField("/etc/os-release", "PRETTY_NAME", '=') ?? RuntimeInformation.OSDescription).Trim('"'),
        TryRead("/proc/sys/kernel/osrelease") ?? "",
        RuntimeInformation.FrameworkDescription,
        LoadAverage());

    /// <summary>The 1-, 5- and 15-minute load averages.</summary>
    public static string LoadAverage() =>
        string.Join(' ', (TryRead("/proc/loadavg") ?? "").Split(' ').Take(3));

    private static string? ReadField(string path, string key, char separator = ':')
    {
        string? text = TryRead(path);
        return text?.Split('\n')
            .Select(line => line.Split(separator, 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim() == key)
            .Select(parts => parts[1].Trim())
            .FirstOrDefault();
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Cpu}, {Cores} cores; {Os}, Linux {Kernel}; {Runtime}; load average at start {LoadAverageAtStart}");
}
