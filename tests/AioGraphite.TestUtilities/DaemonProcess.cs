using System.Diagnostics;

namespace AioGraphite.TestUtilities;

/// <summary>
/// A server that daemonises itself and writes a pidfile (carbon-cache, carbon-relay, carbon-c-relay):
/// start, wait for its ports through /proc, signal it, wait for it to go.
/// </summary>
internal sealed class DaemonProcess(string name, string pidFile, string logFile, string startOutputFile)
{
    public static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(10);

    private static readonly Dictionary<string, string> DaemonEnvironment = new(StringComparer.Ordinal)
    {
        ["PYTHONWARNINGS"] = "ignore",
        ["PYTHONDONTWRITEBYTECODE"] = "1",
    };

    public string Name => name;

    public string LogFile => logFile;

    /// <summary>The pid of the last successful start (kept after the process ended).</summary>
    public int Pid { get; private set; }

    public bool IsRunning => Pid > 0 && Posix.IsAlive(Pid);

    /// <summary>Starts the daemon and waits until <paramref name="notReady"/> reports nothing missing.</summary>
    /// <param name="fileName">The launcher.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="notReady">Lists what is not listening yet ("tcp 127.0.0.1:1234"); empty when ready.</param>
    /// <param name="timeout">How long to wait.</param>
    public async Task StartAsync(string fileName, IReadOnlyList<string> arguments, Func<IReadOnlyList<string>> notReady, TimeSpan timeout)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{name} is still running (pid {Pid}); stop or kill it first");
        }

        File.Delete(pidFile);
        long started = Stopwatch.GetTimestamp();
        var exitCode = await ProcessRunner.RunDetachedAsync(fileName, arguments, startOutputFile, DaemonEnvironment, timeout).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw Failure($"'{fileName} {string.Join(' ', arguments)}' exited with code {exitCode}");
        }

        int pid = 0;
        bool Ready()
        {
            pid = ReadPid();
            if (pid > 0 && !Posix.IsAlive(pid))
            {
                throw Failure($"it exited during start-up (pid {pid})");
            }

            return pid > 0 && notReady().Count == 0;
        }

        if (await Poll.TryUntilAsync(Ready, timeout - Stopwatch.GetElapsedTime(started), TimeSpan.FromMilliseconds(20)).ConfigureAwait(false))
        {
            Pid = pid;
            LiveDaemons.Add(pid);
            return;
        }

        var missing = notReady();
        if (pid > 0)
        {
            Posix.Signal(pid, Posix.SigKill);
        }

        throw Failure($"not ready after {timeout.TotalSeconds:0.#} s (pidfile {(pid > 0 ? $"pid {pid}" : "missing")}; not listening: {string.Join(", ", missing)}); killed it");
    }

    /// <summary>SIGKILL, then wait until it is gone.</summary>
    public async Task KillAsync()
    {
        var pid = Pid;
        if (pid <= 0)
        {
            return;
        }

        if (Posix.Signal(pid, Posix.SigKill) && !await Posix.WaitForExitAsync(pid, KillTimeout).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"{name} (pid {pid}) is still alive {KillTimeout.TotalSeconds} s after SIGKILL");
        }

        Forget(pid);
    }

    /// <summary>SIGTERM, wait up to <paramref name="grace"/>, then SIGKILL.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        var pid = Pid;
        if (pid <= 0)
        {
            return;
        }

        if (Posix.Signal(pid, Posix.SigTerm) && !await Posix.WaitForExitAsync(pid, grace).ConfigureAwait(false))
        {
            await KillAsync().ConfigureAwait(false);
            return;
        }

        Forget(pid);
    }

    private void Forget(int pid)
    {
        LiveDaemons.Remove(pid);
        try
        {
            File.Delete(pidFile);
        }
        catch (IOException)
        {
        }
    }

    private int ReadPid()
    {
        try
        {
            var text = File.ReadAllText(pidFile).Trim();
            return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private InvalidOperationException Failure(string what)
    {
        var keep = TestDirectory.Keep ? string.Empty : $" (set {TestDirectory.KeepVariable}=1 to keep the test directory)";
        return new InvalidOperationException(
            $"{name} did not start: {what}.\n"
            + $"--- start-up output ({startOutputFile}):\n{ProcessRunner.Tail(startOutputFile, 30)}\n"
            + $"--- last lines of {logFile}{keep}:\n{ProcessRunner.Tail(logFile, 30)}");
    }
}
