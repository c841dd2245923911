using AioGraphite.Protocols;
using AioGraphite.Spool;

namespace AioGraphite.Pipeline;

/// <summary>
/// The bounded buffer between producers and the sender loop, a thin facade over its three parts: the
/// <see cref="SegmentPool"/>, the <see cref="BatchQueue"/> (open segment, sealed batches, capacity) and
/// the <see cref="SpoolStaging"/> (what waits for the spool writer, records on disk only). All three are guarded by the
/// destination's lock, which <see cref="DestinationSender"/> owns: producers append under it
/// (<see cref="AppendLocked"/>), the loop and the spool writer take it through the methods here, each once per call.
/// Nothing is called back under the lock: wake-ups and the pool's top-up run after it is released
/// (<see cref="DeferredWork"/>, <see cref="RunDeferred"/>).
/// </summary>
internal sealed class SendBuffer
{
    // Set at construction.
    private readonly Lock _sync;
    private readonly SegmentPool _pool;
    private readonly BatchQueue _queue;
    private readonly SpoolStaging _staging = new();

    // Under _sync (producers read it with the lock held).
    private bool _completed;

    /// <param name="sync">The destination's lock (<see cref="DestinationSender"/> owns it; producers append under it).</param>
    /// <param name="format">The format writer of this buffer.</param>
    /// <param name="segmentBytes">Size of a segment.</param>
    /// <param name="capacityBytes">Most bytes queued or taken and not yet written (<see cref="GraphiteClientOptions.BufferCapacityBytes"/>).</param>
    /// <param name="retainedBytes">Most bytes the delivery ledger keeps for replay (<see cref="GraphiteClientOptions.ReplayWindowBytes"/>): its segments come back to the pool too.</param>
    /// <param name="time">The clock.</param>
    public SendBuffer(Lock sync, WireFormat format, int segmentBytes, long capacityBytes, long retainedBytes, TimeProvider time)
    {
        _sync = sync;
        segmentBytes = Math.Min(segmentBytes, format.MaxSegmentBytes);
        int maxSegments = (int)Math.Max(2, Math.Min(int.MaxValue, capacityBytes / segmentBytes));

        // Written segments come back (directly or when the ledger retires them) and are reused, up to the buffer's and
        // the replay window's bounds together: a steady stream, or a backlog that drains and builds up again, allocates
        // nothing. The sender trims the pool to IdlePoolSegments after a quiet spell (TrimPool), so a burst does not hold
        // memory forever. Idle: enough to refill after the sender's largest write (1 MiB).
        int poolLimit = (int)Math.Min(int.MaxValue, (long)maxSegments + (retainedBytes / segmentBytes) + 1);
        int idleSegments = Math.Max(SegmentPool.MinIdleSegments, 2 * (SenderLoop.MaxWriteBytes / segmentBytes));
        _pool = new SegmentPool(sync, segmentBytes, poolLimit, idleSegments);
        _queue = new BatchQueue(format, _pool, _staging, maxSegments, time);
    }

    /// <summary>Segments kept pooled when the sender is idle: enough to refill after its largest write (1 MiB).</summary>
    public int IdlePoolSegments => _pool.IdleSegments;

    /// <summary>Segments currently pooled.</summary>
    public int PooledSegments => _pool.Count;

    /// <summary>Size of a segment.</summary>
    public int SegmentBytes => _pool.SegmentBytes;

    /// <summary>Points accepted and not yet written. Any thread.</summary>
    public long BufferedPoints => _queue.BufferedPoints;

    /// <summary>Bytes of sealed batches not yet written. Any thread.</summary>
    public long BufferedBytes => _queue.BufferedBytes;

    /// <summary>Whether a spool is attached and working: a full buffer then frees room as fast as the disk takes data. Any thread.</summary>
    public bool SpoolTakesData => _staging.TakesData;

    /// <summary>Whether <see cref="Complete"/> was called; read with the destination's lock held.</summary>
    public bool IsCompletedLocked => _completed;

    /// <summary>When the open segment got its first point (<see cref="TimeProvider.GetTimestamp"/>), or null when it has none.</summary>
    public long? OpenSince
    {
        get
        {
            lock (_sync)
            {
                return _queue.OpenSince;
            }
        }
    }

    /// <summary>The last sequence given to a sealed segment.</summary>
    public long LastSequence
    {
        get
        {
            lock (_sync)
            {
                return _queue.LastSequence;
            }
        }
    }

    /// <summary>Whether sealed segments wait for the spool writer to append them (the sender may not take them before).</summary>
    public bool AwaitsSpoolWriter
    {
        get
        {
            lock (_sync)
            {
                return _staging.WaitingCount > 0 || _queue.HeadAwaitsSpool;
            }
        }
    }

    /// <summary>Lets idle pooled segments beyond <see cref="IdlePoolSegments"/> go to the garbage collector.</summary>
    public void TrimPool() => _pool.Trim();

    /// <summary>
    /// Appends a run of valid points; the caller holds the destination's lock, and calls <see cref="RunDeferred"/> with
    /// <paramref name="deferred"/> after releasing it. Returns how many were appended: fewer, with
    /// <see cref="AppendResult.NoRoom"/>, when the buffer is full and <paramref name="dropOldest"/> is false; with it, the
    /// oldest queued segment is dropped (its point count added to <paramref name="droppedPoints"/>) to make room.
    /// </summary>
    public int AppendLocked(ReadOnlySpan<PreparedPoint> points, bool dropOldest, ref long droppedPoints, ref DeferredWork deferred, out AppendResult result) =>
        _queue.Append(points, dropOldest, ref droppedPoints, ref deferred, out result);

    /// <summary>
    /// <see cref="AppendLocked(ReadOnlySpan{PreparedPoint}, bool, ref long, ref DeferredWork, out AppendResult)"/> for
    /// any run of points; it also ends where the run stops (<see cref="IPointRun.Stopped"/>).
    /// </summary>
    public int AppendLocked<TRun>(ref TRun points, bool dropOldest, ref long droppedPoints, ref DeferredWork deferred, out AppendResult result)
        where TRun : IPointRun, allows ref struct =>
        _queue.Append(ref points, dropOldest, ref droppedPoints, ref deferred, out result);

    /// <summary>Does what a step under the lock deferred: queues the pool's top-up, wakes the spool writer. Called with no lock held.</summary>
    public void RunDeferred(in DeferredWork deferred)
    {
        if (deferred.TopUpPool)
        {
            _pool.ScheduleTopUp();
        }

        if (deferred.WakeSpoolWriter)
        {
            _staging.Wake();
        }
    }

    /// <summary>
    /// Seals the open segment if it has points; returns the last sequence. <paramref name="awaited"/> (a flush, a wait
    /// for delivery): a caller waits for everything sealed, so the spool writer is woken at once for what waits for it,
    /// not at its next sync.
    /// </summary>
    public long SealOpen(bool awaited = true)
    {
        var deferred = default(DeferredWork);
        long last;
        lock (_sync)
        {
            _queue.SealOpen(ref deferred);
            deferred.WakeSpoolWriter |= awaited && _staging.WaitingCount > 0;
            last = _queue.LastSequence;
        }

        RunDeferred(deferred);
        return last;
    }

    /// <summary>
    /// Moves queued segments (up to <paramref name="maxBytes"/>) to <paramref name="into"/> for writing; they count
    /// against the capacity until <see cref="Settle"/> reports them written. When nothing is queued, first seals the open segment if
    /// <paramref name="sealOpen"/> or if it was opened at or before <paramref name="sealIfOpenedBy"/>. One lock for all:
    /// the sender takes the lock as rarely as it can, since callers hold it while formatting.
    /// </summary>
    /// <param name="into">Receives the segments to write.</param>
    /// <param name="maxBytes">Most bytes to take (at least one segment is taken when any is queued).</param>
    /// <param name="sealOpen">Seal the open segment when nothing is queued (flush, close).</param>
    /// <param name="sealIfOpenedBy">Seal the open segment when nothing is queued and it was opened at or before this timestamp (batch interval).</param>
    /// <param name="settledThrough">The highest sequence such that every sealed segment up to it is taken now or was taken or dropped before.</param>
    /// <param name="fromDisk">With a spool: receives the records to read back from disk first (recovered at start, or evicted), when there are any; then <paramref name="into"/> stays empty.</param>
    /// <returns>When the open segment still holds points afterwards, the timestamp of its first point; otherwise null.</returns>
    public long? TakeQueued(List<Batch> into, int maxBytes, bool sealOpen, long sealIfOpenedBy, out long settledThrough, List<SpoolLocation>? fromDisk = null)
    {
        var deferred = default(DeferredWork);
        long? openSince;
        lock (_sync)
        {
            openSince = _queue.Take(into, maxBytes, sealOpen, sealIfOpenedBy, out settledThrough, fromDisk, ref deferred);

            // Closing: the last segments must reach the disk before they may be sent.
            deferred.WakeSpoolWriter |= sealOpen && _staging.WaitingCount > 0;
        }

        RunDeferred(deferred);
        return openSince;
    }

    /// <summary>
    /// True when a sealed segment waits to be taken, or the open segment got its first point after the sender last
    /// looked (<paramref name="knownOpenSince"/> is null): either way the sender must not go to sleep.
    /// </summary>
    public bool HasNewWork(long? knownOpenSince)
    {
        lock (_sync)
        {
            return _queue.HasNewWork(knownOpenSince);
        }
    }

    /// <summary>
    /// One step of the sender, under one lock: <paramref name="writtenSegments"/> first-time segments holding
    /// <paramref name="writtenPoints"/> / <paramref name="writtenBytes"/> were written (their room is free again), and the
    /// segments in <paramref name="spare"/> go back to the pool.
    /// </summary>
    public void Settle(long writtenPoints, long writtenBytes, int writtenSegments, List<Batch> spare)
    {
        lock (_sync)
        {
            _queue.Settle(writtenPoints, writtenBytes, writtenSegments, spare);
        }
    }

    /// <summary>No more appends; returns false when already completed.</summary>
    public bool Complete()
    {
        lock (_sync)
        {
            if (_completed)
            {
                return false;
            }

            _completed = true;
        }

        _pool.Stop();
        return true;
    }

    /// <summary>Adds what was accepted and never taken by the sender (queued, open, or on disk only) to <paramref name="leftovers"/>; empties the buffer.</summary>
    public void DiscardAll(ref Leftovers leftovers)
    {
        lock (_sync)
        {
            _staging.Clear(ref leftovers);
            _queue.Discard(ref leftovers);
        }
    }

    /// <summary>
    /// Attaches the spool: sealed segments wait for <paramref name="wakeSpoolWriter"/>'s writer, and the records an
    /// earlier process left (<paramref name="recovery"/>) are sent first; new sequences continue after theirs. A seal
    /// wakes the writer once <paramref name="wakeAfterSegments"/> segments wait (below it the writer's timer takes them).
    /// </summary>
    public void AttachSpool(Action wakeSpoolWriter, int wakeAfterSegments, SpoolRecovery recovery)
    {
        lock (_sync)
        {
            _staging.Attach(wakeSpoolWriter, wakeAfterSegments, recovery.Records);
            _queue.AddRecovered(recovery);
        }
    }

    /// <summary>The spool writer's work: up to <paramref name="maxBytes"/> of sealed segments waiting for the spool, oldest first (they stay queued).</summary>
    public void TakeToSpool(List<Batch> into, int maxBytes)
    {
        lock (_sync)
        {
            _staging.TakeToSpool(into, maxBytes);
        }
    }

    /// <summary>The spool writer appended <paramref name="batch"/> (the oldest waiting segments) at <paramref name="locations"/>.</summary>
    public void MarkSpooled(List<Batch> batch, List<SpoolLocation> locations)
    {
        lock (_sync)
        {
            _staging.MarkSpooled(batch, locations);
        }
    }

    /// <summary>The spool failed: what waits for it stays in memory only, and so do new segments until <see cref="ResumeSpool"/>.</summary>
    public void SuspendSpool()
    {
        lock (_sync)
        {
            _staging.Suspend();
        }
    }

    /// <summary>The spool works again: new segments go to it.</summary>
    public void ResumeSpool()
    {
        lock (_sync)
        {
            _staging.Resume();
        }
    }

    /// <summary>Segments to read records back into (from the pool, or new when a record is larger than a segment).</summary>
    public Batch RentForRecord(int payloadLength) => _pool.RentForRecord(payloadLength);

    /// <summary>A record could not be read back (its bytes no longer match the checksum): its points are given up.</summary>
    public void RecordLost(int points, int bytes)
    {
        lock (_sync)
        {
            _queue.RecordLost(points, bytes);
        }
    }
}
