using System.Globalization;

namespace CollabEdit.LoadDriver;

/// <summary>CPU time and memory of a process, read from <c>/proc/&lt;pid&gt;</c> (Linux).</summary>
internal readonly record struct ProcessStats(TimeSpan CpuTime, long RssBytes, long PeakRssBytes)
{
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat. 100 on every Linux the runtime supports.
    private const double TicksPerSecond = 100;

    /// <summary>The process's stats now, or null when it is gone or /proc cannot be read.</summary>
    public static ProcessStats? Read(int pid)
    {
        try
        {
            // Fields after the command name (which may contain spaces) start after the last ')'.
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
            long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            long rss = 0;
            long peak = 0;
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = ParseKiB(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = ParseKiB(line);
                }
            }

            return new ProcessStats(TimeSpan.FromSeconds(ticks / TicksPerSecond), rss, peak);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static long ParseKiB(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}
