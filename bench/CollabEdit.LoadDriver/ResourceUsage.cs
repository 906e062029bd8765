namespace CollabEdit.LoadDriver;

/// <summary>A process's CPU and memory over the measured window (read from /proc, not start-up or warm-up).</summary>
/// <param name="CpuSeconds">CPU time (user + system) used inside the window.</param>
/// <param name="CpuCores">CpuSeconds / window: 1.0 is one core busy.</param>
/// <param name="PeakRssMiB">The most VmRSS seen by sampling every 100 ms over the window (not VmHWM, which counts start-up).</param>
/// <param name="RssMiB">VmRSS at the end of the window.</param>
internal sealed record ResourceUsage(double CpuSeconds, double CpuCores, double PeakRssMiB, double RssMiB);
