namespace AioGraphite.TestUtilities.Tls;

/// <summary>Freezing a terminator: SIGSTOP / SIGCONT (Linux numbers).</summary>
internal static class TerminatorSignals
{
    public const int SigCont = 18;
    public const int SigStop = 19;

    /// <summary>SIGSTOP: the process stops reading; its kernel still accepts connections and acknowledges what fits into the receive buffers.</summary>
    public static void Freeze(DaemonProcess daemon)
    {
        if (!Posix.Signal(daemon.Pid, SigStop))
        {
            throw new InvalidOperationException($"{daemon.Name} (pid {daemon.Pid}) is not running: cannot freeze it");
        }
    }

    /// <summary>SIGCONT.</summary>
    public static void Resume(DaemonProcess daemon) => Posix.Signal(daemon.Pid, SigCont);
}
