using System.Diagnostics;
using System.Globalization;

namespace AioGraphite.Spool;

/// <summary>
/// Keeps one process per spool directory: an exclusive lock on its <c>lock</c> file (released by the kernel when the
/// process dies, so a crash leaves no stale lock), and a <c>holder</c> note for the error the next one gets.
/// </summary>
internal sealed class SpoolLock : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _holderPath;

    private SpoolLock(FileStream lockFile, string holderPath)
    {
        _lock = lockFile;
        _holderPath = holderPath;
    }

    /// <summary>Takes the lock; throws <see cref="GraphiteException"/> naming the directory and the holder when another process has it.</summary>
    public static SpoolLock Acquire(string directory)
    {
        string lockPath = Path.Combine(directory, SpoolDirectoryLayout.LockName);
        string holderPath = Path.Combine(directory, SpoolDirectoryLayout.HolderName);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(lockPath, SpoolDirectoryLayout.OwnerOnly(FileMode.OpenOrCreate, FileShare.None));
        }
        catch (IOException ex)
        {
            string holder = File.Exists(holderPath) ? File.ReadAllText(holderPath).Trim() : "an unknown process";
            throw new GraphiteException($"The spool directory '{directory}' is in use by {holder}: one process per spool (file lock on '{lockPath}'). Stop that process or give this one its own SpoolDirectory.", ex);
        }

        using Process self = Process.GetCurrentProcess();
        string note = string.Create(CultureInfo.InvariantCulture, $"process {Environment.ProcessId} ({self.ProcessName}) on {Environment.MachineName}, since {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");
        SpoolFileSystem.Default.WriteAtomically(holderPath, System.Text.Encoding.UTF8.GetBytes(note));
        return new SpoolLock(lockFile, holderPath);
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_holderPath);
        }
        catch (IOException)
        {
        }

        _lock.Dispose();
    }
}
