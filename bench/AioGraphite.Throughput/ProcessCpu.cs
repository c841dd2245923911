using System.Globalization;

namespace AioGraphite.Throughput;

/// <summary>CPU time of another process from <c>/proc/PID/stat</c> (Linux), to tell a busy server from an idle one.</summary>
internal static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>User + system CPU seconds of <paramref name="pid"/> and its reaped children, or null when unreadable.</summary>
    public static double? Seconds(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

            // after "pid (comm) ": state is field 3, so utime (14) is index 11, stime 12, cutime 13, cstime 14
            double ticks = 0;
            for (int i = 11; i <= 14; i++)
            {
                ticks += double.Parse(fields[i], CultureInfo.InvariantCulture);
            }

            return ticks / TicksPerSecond;
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
}
