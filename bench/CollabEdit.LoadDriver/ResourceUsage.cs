namespace CollabEdit.LoadDriver;

/// <summary>A process's CPU over the window and its memory.</summary>
/// <param name="CpuSeconds">CPU time (user + system) used inside the window.</param>
/// <param name="CpuCores">CpuSeconds / window: 1.0 is one core busy.</param>
/// <param name="PeakRssMiB">VmHWM: the most resident memory over the process's life.</param>
/// <param name="RssMiB">VmRSS at the end of the window.</param>
internal sealed record ResourceUsage(double CpuSeconds, double CpuCores, double PeakRssMiB, double RssMiB);
