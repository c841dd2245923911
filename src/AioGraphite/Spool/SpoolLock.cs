using System.Diagnostics;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace AioGraphite.Spool;

/// <summary>
/// Keeps one process per spool directory: an exclusive <c>flock</c> on its <c>lock</c> file (released by the kernel when
/// the process dies, so a crash leaves no stale lock), and a <c>holder</c> note for the error the next one gets. A
/// process that finds the lock held polls it (every <see cref="PollInterval"/>) up to a timeout, then refuses naming
/// the holder.
/// </summary>
/// <remarks>
/// <para>
/// An emptied spool is removed on release (its lock file and directory), and an unlinked lock file could be locked by
/// one process (through a descriptor opened before the unlink) while another locks a new file at the same path. So, on
/// Linux, the classic pattern: the lock file is unlinked only by its holder, under the lock; and a process that got the
/// lock checks that the path still names the file it locked (device and inode of the descriptor and of the path), and
/// starts again if not. Whoever holds the lock therefore holds the file the path names, and the path cannot change
/// while it is held: two holders are impossible. (Keeping the lock file forever would be simpler, but every spool,
/// even one emptied by a clean close, would then leave its directory behind.)
/// </para>
/// <para>
/// On Linux the lock file is opened with <c>O_NOFOLLOW</c> (a symbolic link planted in its place is refused, and its
/// target is neither created nor touched) and locked with <c>flock(LOCK_EX | LOCK_NB)</c> itself. Elsewhere it is a
/// <see cref="FileStream"/> with <see cref="FileShare.None"/> (an <c>flock</c> on other Unix systems, a sharing lock
/// on Windows); other Unix systems then never unlink the lock file, Windows removes it after the release as before
/// (its sharing lock fails a delete while another process has the file open).
/// </para>
/// </remarks>
internal sealed class SpoolLock : IDisposable
{
    /// <summary>How often a waiting process tries the lock again.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private const int MaxHolderNoteBytes = 1024;
    private const int MaxReopens = 1000;

    private readonly SafeFileHandle? _handle; // Linux
    private readonly FileStream? _stream;     // elsewhere
    private readonly string _directory;
    private readonly string _lockPath;
    private readonly string _holderPath;
    private int _released;

    private SpoolLock(SafeFileHandle? handle, FileStream? stream, string directory)
    {
        _handle = handle;
        _stream = stream;
        _directory = directory;
        _lockPath = Path.Combine(directory, SpoolDirectoryLayout.LockName);
        _holderPath = Path.Combine(directory, SpoolDirectoryLayout.HolderName);
    }

    /// <summary>
    /// Prepares the destination's <paramref name="directory"/> under <paramref name="root"/>
    /// (<see cref="SpoolDirectorySafety.Prepare"/>) and takes its lock, waiting up to <paramref name="timeout"/> while
    /// another process holds it (<paramref name="waiting"/> is told the holder once, when the wait begins). Throws
    /// <see cref="GraphiteException"/> naming the directory and the holder when the wait ends without the lock, or
    /// naming the path and the fix when the directory or the lock file is unsafe.
    /// </summary>
    public static SpoolLock Acquire(string root, string directory, TimeSpan timeout, Action<string>? waiting = null)
    {
        long started = Stopwatch.GetTimestamp();
        bool told = false;
        while (true)
        {
            SpoolLock? taken = TryAcquire(root, directory);
            if (taken is not null)
            {
                return taken;
            }

            TimeSpan left = Left(directory, started, timeout, ref told, waiting);
            Thread.Sleep(left < PollInterval ? left : PollInterval);
        }
    }

    /// <summary>
    /// As <see cref="Acquire"/>, waiting without blocking a thread; any failure is a <see cref="GraphiteException"/>
    /// naming the directory (as <c>DestinationSpool.Open</c> reports it), or cancellation.
    /// </summary>
    public static async Task<SpoolLock> AcquireAsync(string root, string directory, TimeSpan timeout, Action<string>? waiting, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        bool told = false;
        while (true)
        {
            TimeSpan left;
            try
            {
                SpoolLock? taken = TryAcquire(root, directory);
                if (taken is not null)
                {
                    return taken;
                }

                left = Left(directory, started, timeout, ref told, waiting);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                throw Unusable(directory, ex);
            }

            await Task.Delay(left < PollInterval ? left : PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The error for a spool directory that cannot be created, checked or locked.</summary>
    public static GraphiteException Unusable(string directory, Exception ex) =>
        new($"Cannot use the spool directory '{directory}': {ex.Message} Check that it exists or can be created, and that this process may write there.", ex);

    /// <summary>Releases the lock; an emptied spool (nothing but the lock file left) is removed first, under the lock (Linux, Windows).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            return;
        }

        try
        {
            File.Delete(_holderPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        if (_handle is not null)
        {
            RemoveDirectoryIfEmpty(); // still holding the lock: see the remarks
            _handle.Dispose();        // the flock goes with the last descriptor of the file
        }
        else
        {
            _stream!.Dispose();
            if (OperatingSystem.IsWindows())
            {
                RemoveDirectoryIfEmpty();
            }
        }
    }

    /// <summary>The time left to wait, or the refusal once it is up (the time is measured in real time: the holder is another process).</summary>
    private static TimeSpan Left(string directory, long started, TimeSpan timeout, ref bool told, Action<string>? waiting)
    {
        TimeSpan waited = Stopwatch.GetElapsedTime(started);
        if (waited >= timeout)
        {
            // The message names the wait asked for (SpoolLockTimeout / --timeout), not the measured one, which overshoots
            // it by the last poll's delay (1.0 s asked read "1.1 s" on a loaded machine).
            throw InUse(directory, timeout > TimeSpan.Zero ? timeout : null);
        }

        if (!told)
        {
            told = true;
            waiting?.Invoke(Holder(Path.Combine(directory, SpoolDirectoryLayout.HolderName)));
        }

        return timeout - waited;
    }

    /// <summary>Takes the lock at once, or returns <see langword="null"/> when another process holds it.</summary>
    private static SpoolLock? TryAcquire(string root, string directory)
    {
        SpoolDirectorySafety.Prepare(root, directory);
        string lockPath = Path.Combine(directory, SpoolDirectoryLayout.LockName);
        if (!SpoolNative.IsSupported)
        {
            FileStream stream;
            try
            {
                stream = new FileStream(lockPath, SpoolDirectoryLayout.OwnerOnly(FileMode.OpenOrCreate, FileShare.None));
            }
            catch (IOException) when (File.Exists(lockPath))
            {
                return null;
            }

            return Held(new SpoolLock(null, stream, directory));
        }

        for (int attempt = 0; attempt < MaxReopens; attempt++)
        {
            SafeFileHandle? handle = SpoolNative.Open(lockPath, create: true, exclusive: false, out int errno);
            if (handle is null)
            {
                if (errno == SpoolNative.ENoEnt)
                {
                    SpoolDirectorySafety.Prepare(root, directory); // the holder we waited for removed the emptied spool
                    continue;
                }

                if (errno == SpoolNative.ELoop)
                {
                    throw SymbolicLinkLock(lockPath);
                }

                throw SpoolDirectorySafety.OpenFailed(lockPath, errno);
            }

            bool kept = false;
            try
            {
                if (!SpoolNative.TryLockExclusive(handle, lockPath))
                {
                    return null;
                }

                SpoolNative.FileStatus locked = SpoolNative.StatOpen(handle, lockPath);
                if (SpoolNative.Stat(lockPath, follow: false, out _) is SpoolNative.FileStatus named && named.SameFileAs(locked))
                {
                    kept = true;
                    return Held(new SpoolLock(handle, null, directory));
                }

                // Locked a file its holder unlinked (it removed the emptied spool) after this process opened it: again.
            }
            finally
            {
                if (!kept)
                {
                    handle.Dispose();
                }
            }
        }

        throw new IOException($"The lock file '{lockPath}' kept being replaced while this process tried to lock it ({MaxReopens} times).");
    }

    /// <summary>Writes the holder note of a lock just taken (or releases the lock when that fails).</summary>
    private static SpoolLock Held(SpoolLock taken)
    {
        try
        {
            using Process self = Process.GetCurrentProcess();
            string note = string.Create(CultureInfo.InvariantCulture, $"process {Environment.ProcessId} ({self.ProcessName}) on {Environment.MachineName}, since {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");
            SpoolFileSystem.Default.WriteAtomically(taken._holderPath, System.Text.Encoding.UTF8.GetBytes(note));
            return taken;
        }
        catch
        {
            taken.Dispose();
            throw;
        }
    }

    /// <summary>Who holds the lock, from its holder note (never read through a symbolic link).</summary>
    private static string Holder(string holderPath)
    {
        try
        {
            byte[]? note = SpoolFileSystem.Default.ReadSmallFile(holderPath, MaxHolderNoteBytes);
            return note is { Length: > 0 } ? System.Text.Encoding.UTF8.GetString(note).Trim() : "an unknown process";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "an unknown process";
        }
    }

    private static GraphiteException InUse(string directory, TimeSpan? waitedFor)
    {
        string lockPath = Path.Combine(directory, SpoolDirectoryLayout.LockName);
        string holder = Holder(Path.Combine(directory, SpoolDirectoryLayout.HolderName));
        return waitedFor is TimeSpan w
            ? new GraphiteException(string.Create(CultureInfo.InvariantCulture, $"The spool directory '{directory}' is in use by {holder}: one process per spool (file lock on '{lockPath}'), and it was not released within {w.TotalSeconds:0.0} s of waiting. Stop that process or let it finish, wait longer (SpoolLockTimeout; the tool's --timeout), or give this one its own SpoolDirectory."))
            : new GraphiteException($"The spool directory '{directory}' is in use by {holder}: one process per spool (file lock on '{lockPath}'). Stop that process or give this one its own SpoolDirectory.");
    }

    private static GraphiteException SymbolicLinkLock(string lockPath)
    {
        string? target = null;
        try
        {
            target = new FileInfo(lockPath).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return new GraphiteException($"The spool's lock file '{lockPath}' is a symbolic link{(target is null ? string.Empty : $" (to '{target}')")}: spool files are never opened through one, and its target was left alone. Remove the link (rm '{lockPath}'); the next run creates the lock file.");
    }

    /// <summary>An empty spool leaves nothing behind: its directory goes when only the lock and identity files are left in it.</summary>
    private void RemoveDirectoryIfEmpty()
    {
        try
        {
            string identityPath = Path.Combine(_directory, SpoolIdentityFile.Name);
            if (Directory.EnumerateFileSystemEntries(_directory).All(e => e == _lockPath || e == identityPath))
            {
                File.Delete(identityPath);
                File.Delete(_lockPath);
                Directory.Delete(_directory);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Another process created a file meanwhile: it stays.
        }
    }
}
