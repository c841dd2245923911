namespace AioGraphite.TestUtilities;

/// <summary>
/// A limited number of slots shared by every test process that opens the same lock file (byte-range locks, one byte
/// per slot), and within a process by a semaphore. <see cref="LoadSlots"/> holds the machine's pool.
/// </summary>
public sealed class LoadSlotPool : IDisposable
{
    private const int RetryMilliseconds = 100;

    private readonly SemaphoreSlim _inProcess;
    private readonly bool[] _heldHere;
    private readonly Lock _gate = new();
    private readonly string? _lockFilePath;
    private FileStream? _lockFile;
    private bool _lockFileTried;

    /// <summary>Creates a pool of <paramref name="slots"/> slots.</summary>
    /// <param name="slots">How many holders at once.</param>
    /// <param name="lockFilePath">The file other processes lock to share the pool; null for this process only.</param>
    public LoadSlotPool(int slots, string? lockFilePath)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        Slots = slots;
        _inProcess = new SemaphoreSlim(slots, slots);
        _heldHere = new bool[slots];
        _lockFilePath = lockFilePath;
    }

    /// <summary>How many holders at once.</summary>
    public int Slots { get; }

    /// <summary>Waits for a free slot; dispose the result to give it back (giving it back twice frees it once).</summary>
    /// <param name="cancellationToken">Gives up waiting.</param>
    /// <returns>The slot.</returns>
    public async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken = default)
    {
        await _inProcess.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var slot = TryTakeSlot();
                if (slot >= 0)
                {
                    return new Slot(this, slot);
                }

                await Task.Delay(RetryMilliseconds, cancellationToken).ConfigureAwait(false); // held by another process
            }
        }
        catch
        {
            _inProcess.Release();
            throw;
        }
    }

    /// <summary>Closes the lock file (a pool of the process's lifetime, as the machine's, needs no call).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _lockFileTried = true;
            _lockFile?.Dispose();
            _lockFile = null;
        }

        _inProcess.Dispose();
    }

    private int TryTakeSlot()
    {
        lock (_gate)
        {
            if (!_lockFileTried)
            {
                _lockFileTried = true;
                _lockFile = OpenLockFile(_lockFilePath);
            }

            for (var i = 0; i < Slots; i++)
            {
                if (_heldHere[i])
                {
                    continue;
                }

                if (_lockFile is not null && OperatingSystem.IsLinux())
                {
                    try
                    {
                        _lockFile.Lock(i, 1); // POSIX record locks are per process: _heldHere guards our own
                    }
                    catch (IOException)
                    {
                        continue;
                    }
                }

                _heldHere[i] = true;
                return i;
            }

            return -1;
        }
    }

    private void Release(int slot)
    {
        lock (_gate)
        {
            _heldHere[slot] = false;
            try
            {
                if (_lockFile is not null && OperatingSystem.IsLinux())
                {
                    _lockFile.Unlock(slot, 1);
                }
            }
            catch (IOException)
            {
            }
        }

        _inProcess.Release();
    }

    private static FileStream? OpenLockFile(string? path)
    {
        if (path is null || !OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // only the in-process limit then
        }
    }

    private sealed class Slot(LoadSlotPool pool, int index) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                pool.Release(index);
            }
        }
    }
}
