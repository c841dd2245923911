using Microsoft.Win32.SafeHandles;

namespace AioGraphite.Spool;

/// <summary>
/// An open spool file as <see cref="SpoolFileSystem"/> hands it out: the real one wraps the operating system's handle; a
/// test file system hands out its own (see <see cref="SpoolFileSystem"/>).
/// </summary>
internal class SpoolFileHandle : IDisposable
{
    /// <summary>Wraps an operating system handle (the real disk).</summary>
    public SpoolFileHandle(SafeFileHandle handle, string path)
    {
        Handle = handle;
        Path = path;
    }

    /// <summary>A handle of a file system that keeps no operating system handle (a test's).</summary>
    protected SpoolFileHandle(string path)
    {
        Handle = null;
        Path = path;
    }

    /// <summary>The operating system's handle (<see langword="null"/> for a test file system's files).</summary>
    public SafeFileHandle? Handle { get; }

    /// <summary>The path the file was opened by (for messages; a later rename does not change it).</summary>
    public string Path { get; }

    /// <summary>The operating system's handle, which the real disk's operations need.</summary>
    public SafeFileHandle Os => Handle ?? throw new InvalidOperationException($"'{Path}' was opened by another spool file system.");

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the file.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Handle?.Dispose();
        }
    }
}
