using System.Globalization;

namespace AioGraphite.Bench;

/// <summary>
/// CPU time of the calling thread, from its own CPU clock (Linux <c>/proc/thread-self/schedstat</c>: nanoseconds the
/// scheduler ran it). Unlike wall time it does not grow when other processes take the cores, so a producer's cost per
/// point can be compared between runs on a busy machine.
/// </summary>
internal static class ThreadCpu
{
    /// <summary>Nanoseconds the calling thread has run on a CPU, or -1 where the clock cannot be read.</summary>
    public static long Nanoseconds()
    {
        try
        {
            string stat = File.ReadAllText("/proc/thread-self/schedstat");
            int space = stat.IndexOf(' ', StringComparison.Ordinal);
            return long.Parse(space < 0 ? stat : stat[..space], NumberStyles.None, CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
