using Microsoft.Win32.SafeHandles;

namespace AioGraphite.Spool;

/// <summary>
/// The spool's I/O on record files that can hang on a sick file system (an NFS or FUSE mount that never answers): the
/// appends' gather writes, the syncs and the reads back. The default does exactly <see cref="RandomAccess"/>; tests
/// substitute a disk that hangs (<c>GraphiteClientOptions.SpoolDisk</c>).
/// </summary>
internal class SpoolDisk
{
    /// <summary>The real disk: <see cref="RandomAccess"/>.</summary>
    public static readonly SpoolDisk Default = new();

    /// <summary>Writes <paramref name="buffers"/> at <paramref name="offset"/> (one gather write).</summary>
    public virtual void Write(SafeFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long offset) => RandomAccess.Write(handle, buffers, offset);

    /// <summary>Makes what was written to the file durable (fsync).</summary>
    public virtual void FlushToDisk(SafeFileHandle handle) => RandomAccess.FlushToDisk(handle);

    /// <summary>Reads into <paramref name="buffers"/> from <paramref name="offset"/>; returns the bytes read.</summary>
    public virtual long Read(SafeFileHandle handle, IReadOnlyList<Memory<byte>> buffers, long offset) => RandomAccess.Read(handle, buffers, offset);
}
