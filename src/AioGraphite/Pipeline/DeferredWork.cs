namespace AioGraphite.Pipeline;

/// <summary>
/// What a step under the destination's lock found must be done once the lock is released: no callback runs under it
/// (<see cref="SendBuffer.RunDeferred"/>).
/// </summary>
internal struct DeferredWork
{
    /// <summary>The segment pool ran low: queue its top-up.</summary>
    public bool TopUpPool;

    /// <summary>Segments wait for the spool writer and it should not wait for its timer: wake it.</summary>
    public bool WakeSpoolWriter;
}
