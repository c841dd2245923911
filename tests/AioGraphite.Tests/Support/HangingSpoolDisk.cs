using AioGraphite.Spool;

namespace AioGraphite.Tests.Support;

/// <summary>
/// The real disk, except that writes, syncs or reads can be made to hang (block their thread, like an NFS or FUSE mount that
/// never answers) until <see cref="Release"/>, and reads too once asked.
/// </summary>
internal sealed class HangingSpoolDisk : SpoolFileSystem, IDisposable
{
    private readonly ManualResetEventSlim _released = new(false);
    private readonly TaskCompletionSource _hanging = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private volatile bool _hangReads;

    /// <summary>Whether appends hang.</summary>
    public bool HangWrites { get; init; }

    /// <summary>Whether syncs (fsync) hang.</summary>
    public bool HangSyncs { get; init; }

    /// <summary>Whether reads back hang (may be switched on while the client runs).</summary>
    public bool HangReads
    {
        get => _hangReads;
        set => _hangReads = value;
    }

    /// <summary>Completes once an operation hangs.</summary>
    public Task Hanging => _hanging.Task;

    public override void Write(SpoolFileHandle handle, IReadOnlyList<ReadOnlyMemory<byte>> buffers, long offset)
    {
        if (HangWrites)
        {
            Hang();
        }

        base.Write(handle, buffers, offset);
    }

    public override void Sync(SpoolFileHandle handle)
    {
        if (HangSyncs)
        {
            Hang();
        }

        base.Sync(handle);
    }

    public override long Read(SpoolFileHandle handle, IReadOnlyList<Memory<byte>> buffers, long offset)
    {
        if (HangReads)
        {
            Hang();
        }

        return base.Read(handle, buffers, offset);
    }

    /// <summary>The disk answers again: every hung operation goes on.</summary>
    public void Release() => _released.Set();

    public void Dispose()
    {
        Release();
    }

    private void Hang()
    {
        _hanging.TrySetResult();
        _released.Wait();
    }
}
