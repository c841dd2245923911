using System.Globalization;
using System.Runtime.InteropServices;

namespace AioGraphite.Throughput;

/// <summary>What the numbers were measured on, and how busy it was.</summary>
internal static class Machine
{
    public static string Describe()
    {
        string cpu = ReadFirst("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        return $"{cpu.Trim()}, {Environment.ProcessorCount} logical cores; {RuntimeInformation.OSDescription}; {RuntimeInformation.FrameworkDescription}; "
            + $"GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}";
    }

    /// <summary>The 1-minute load average (Linux), or null.</summary>
    public static double? LoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
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

    public static string Load() => LoadAverage() is double l ? Fmt.Num(l) : "n/a";

    private static string? ReadFirst(string path, string key)
    {
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..];
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
