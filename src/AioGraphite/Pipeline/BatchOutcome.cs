namespace AioGraphite.Pipeline;

/// <summary>What happened to the points one destination was handed in one call.</summary>
internal struct BatchOutcome
{
    public long Accepted;
    public long DroppedOldest;
    public long DroppedNewest;
    public bool Wake;

    /// <summary>What the buffer found must follow the lock's release (pool top-up, spool writer wake-up).</summary>
    public DeferredWork Deferred;
}
