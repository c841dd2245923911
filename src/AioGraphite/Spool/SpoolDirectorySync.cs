using System.ComponentModel;
using System.Runtime.InteropServices;

namespace AioGraphite.Spool;

/// <summary>
/// <c>fsync</c> of a directory, which makes the names created, renamed or deleted in it durable (POSIX makes a new file's
/// data durable with its own fsync, but its name only with its directory's). .NET cannot open a directory as a file, so
/// this calls libc. On Windows there is nothing to do (NTFS journals its metadata).
/// </summary>
internal static partial class SpoolDirectorySync
{
    private const int ReadOnly = 0;          // O_RDONLY
    private const int Directory = 0x10000;   // O_DIRECTORY (Linux)
    private const int CloseOnExec = 0x80000; // O_CLOEXEC (Linux)

    /// <summary>Syncs <paramref name="directory"/>; throws <see cref="IOException"/> when it cannot be opened or synced.</summary>
    public static void Sync(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // macOS's fsync does not reach the platter anyway; Windows journals names
        }

        int fd = Open(directory, ReadOnly | Directory | CloseOnExec);
        if (fd < 0)
        {
            throw Error("open", directory);
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw Error("fsync", directory);
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static IOException Error(string call, string directory)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} of the directory '{directory}' failed: {new Win32Exception(errno).Message} (errno {errno}).", errno);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
