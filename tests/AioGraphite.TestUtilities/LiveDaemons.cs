namespace AioGraphite.TestUtilities;

/// <summary>
/// Safety net: daemons started by this process are SIGKILLed when it exits normally, even if a test
/// forgot to dispose its server (a crash still leaves them; they only bind loopback ports of their own).
/// </summary>
internal static class LiveDaemons
{
    private static readonly HashSet<int> Pids = [];
    private static readonly Lock Gate = new();
    private static bool hooked;

    public static void Add(int pid)
    {
        lock (Gate)
        {
            if (!hooked)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
                hooked = true;
            }

            Pids.Add(pid);
        }
    }

    public static void Remove(int pid)
    {
        lock (Gate)
        {
            Pids.Remove(pid);
        }
    }

    private static void KillAll()
    {
        int[] pids;
        lock (Gate)
        {
            pids = [.. Pids];
            Pids.Clear();
        }

        foreach (var pid in pids)
        {
            try
            {
                Posix.Signal(pid, Posix.SigKill);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
