using System.Runtime.InteropServices;

namespace AioGraphite.Bench;

/// <summary>
/// CPU time of the calling thread, from its own CPU clock (<c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>: nanoseconds
/// the scheduler ran it, exact at the moment of the call). Unlike wall time it does not grow when other processes take
/// the cores, so a producer's cost per point can be compared between runs on a busy machine. (Not
/// <c>/proc/thread-self/schedstat</c>: the kernel updates that figure only at scheduler ticks and switches, so a
/// thread that runs without a break reads the same value for milliseconds.)
/// </summary>
internal static partial class ThreadCpu
{
    private const int ClockThreadCpuTimeId = 3; // Linux CLOCK_THREAD_CPUTIME_ID

    /// <summary>Nanoseconds the calling thread has run on a CPU, or -1 where the clock cannot be read.</summary>
    public static long Nanoseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        return ClockGetTime(ClockThreadCpuTimeId, out TimeSpec now) == 0 ? (now.Seconds * 1_000_000_000) + now.Nanoseconds : -1;
    }

    /// <summary>Nanoseconds all threads of this process have run on a CPU (<c>CLOCK_PROCESS_CPUTIME_ID</c>), or -1 where the clock cannot be read.</summary>
    public static long ProcessNanoseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        return ClockGetTime(ClockProcessCpuTimeId, out TimeSpec now) == 0 ? (now.Seconds * 1_000_000_000) + now.Nanoseconds : -1;
    }

    private const int ClockProcessCpuTimeId = 2; // Linux CLOCK_PROCESS_CPUTIME_ID

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
