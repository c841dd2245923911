using System.Globalization;
using System.Runtime.InteropServices;

namespace AioGraphite.TestUtilities;

/// <summary>Signals and liveness checks for daemonised test servers (Linux only).</summary>
internal static partial class Posix
{
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigCont = 18;  // Linux x86/ARM numbering (the tests run on Linux only)
    public const int SigStop = 19;

    private const int Esrch = 3;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when the process no longer exists.</summary>
    public static bool Signal(int pid, int signal)
    {
        if (pid <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "refusing to signal a process group or every process");
        }

        if (Kill(pid, signal) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno == Esrch)
        {
            return false;
        }

        throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})");
    }

    /// <summary>
    /// True while any thread of <paramref name="pid"/> runs. A zombie counts as dead: the daemons are re-parented
    /// to PID 1, which may reap them late (or never, in some containers), but a zombie holds no socket and
    /// writes nothing. All threads are checked: the thread-group leader turns zombie as soon as it exits, while
    /// the other threads may still be exiting and holding the process's sockets.
    /// </summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/task");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }

        foreach (var task in tasks)
        {
            if (IsTaskRunning(Path.Combine(task, "stat")))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether this process runs as root (network namespaces and nftables need it).</summary>
    public static bool IsRoot => GetEuid() == 0;

    /// <summary>True when <paramref name="pid"/> is stopped (SIGSTOP: state <c>T</c> in <c>/proc/&lt;pid&gt;/stat</c>).</summary>
    public static bool IsStopped(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var close = stat.LastIndexOf(')');
            return close >= 0 && close + 2 < stat.Length && stat[close + 2] is 'T';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Polls until <paramref name="pid"/> is gone; false on timeout.</summary>
    public static Task<bool> WaitForExitAsync(int pid, TimeSpan timeout) => Poll.TryUntilAsync(() => !IsAlive(pid), timeout);

    private static bool IsTaskRunning(string statPath)
    {
        string stat;
        try
        {
            stat = File.ReadAllText(statPath);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }

        // "pid (comm) S ..." - comm may contain spaces and parentheses, so look after the last ')'.
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length)
        {
            return false;
        }

        return stat[close + 2] is not ('Z' or 'X' or 'x');
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
