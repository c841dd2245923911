namespace AioGraphite.Throughput;

/// <summary>Samples the process's working set and GC heap every few milliseconds on a background thread, keeping the peaks.</summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stop;

    public MemorySampler()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "memory-sampler" };
        _thread.Start();
    }

    public long PeakWorkingSet { get; private set; }

    public long PeakHeapBytes { get; private set; }

    public long PeakCommittedBytes { get; private set; }

    private void Run()
    {
        while (!_stop)
        {
            Sample();
            Thread.Sleep(5);
        }
    }

    private void Sample()
    {
        PeakWorkingSet = Math.Max(PeakWorkingSet, Environment.WorkingSet);
        GCMemoryInfo info = GC.GetGCMemoryInfo(GCKind.Any);
        PeakHeapBytes = Math.Max(PeakHeapBytes, GC.GetTotalMemory(false));
        PeakCommittedBytes = Math.Max(PeakCommittedBytes, info.TotalCommittedBytes);
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        Sample();
    }

    /// <summary>The kernel's peak resident set of this process (VmHWM), or null when unavailable.</summary>
    public static long? KernelPeakResident()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>Resets VmHWM to the current resident set (Linux: <c>echo 5 &gt; /proc/self/clear_refs</c>); false when not allowed.</summary>
    public static bool ResetKernelPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
