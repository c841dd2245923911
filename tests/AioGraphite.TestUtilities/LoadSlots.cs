namespace AioGraphite.TestUtilities;

/// <summary>
/// A machine-wide limit on how many CPU-heavy test phases run at once (a fault test's 5-second stream of 12,000
/// points/s costs the client and carbon about half a core). The fault tests run in parallel because they mostly
/// wait through outages; without this their streams would all start together and starve every other test of a
/// small machine. One slot per core, shared by all test processes through byte-range locks on one file.
/// </summary>
public static class LoadSlots
{
    /// <summary>How many heavy phases may run at once on this machine: one per core.</summary>
    public static int Slots { get; } = Math.Max(1, Environment.ProcessorCount); // first: the fields below use it

    private static readonly SemaphoreSlim InProcess = new(Slots, Slots);
    private static readonly bool[] HeldHere = new bool[Slots];
    private static readonly Lock Gate = new();
    private static FileStream? lockFile;
    private static bool lockFileTried;

    /// <summary>Waits for a free slot; dispose the result to give it back.</summary>
    /// <param name="cancellationToken">Gives up waiting.</param>
    /// <returns>The slot.</returns>
    public static async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken = default)
    {
        await InProcess.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var slot = TryTakeSlot();
                if (slot >= 0)
                {
                    return new Slot(slot);
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false); // held by another test process
            }
        }
        catch
        {
            InProcess.Release();
            throw;
        }
    }

    private static int TryTakeSlot()
    {
        lock (Gate)
        {
            if (!lockFileTried)
            {
                lockFileTried = true;
                lockFile = OpenLockFile();
            }

            for (var i = 0; i < Slots; i++)
            {
                if (HeldHere[i])
                {
                    continue;
                }

                if (lockFile is not null && OperatingSystem.IsLinux())
                {
                    try
                    {
                        lockFile.Lock(i, 1); // POSIX record locks are per process: HeldHere guards our own
                    }
                    catch (IOException)
                    {
                        continue;
                    }
                }

                HeldHere[i] = true;
                return i;
            }

            return -1;
        }
    }

    private static void Release(int slot)
    {
        lock (Gate)
        {
            HeldHere[slot] = false;
            try
            {
                if (lockFile is not null && OperatingSystem.IsLinux())
                {
                    lockFile.Unlock(slot, 1);
                }
            }
            catch (IOException)
            {
            }
        }

        InProcess.Release();
    }

    private static FileStream? OpenLockFile()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return new FileStream(Path.Combine(Path.GetTempPath(), "aiographite-test-load.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // only the in-process limit then
        }
    }

    private sealed class Slot(int index) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                Release(index);
            }
        }
    }
}
