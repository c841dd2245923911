using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <summary>
/// The bounded buffer between callers and the sender loop: callers format points straight into the open
/// segment under a short lock; full segments are sealed and queued for the loop. Bounded in whole segments: queued
/// ones and those the sender took and has not written yet. Written segments belong to the delivery ledger, bounded
/// by what the kernels accept (unconsumed) and by the replay window (consumed).
/// </summary>
internal sealed partial class SendBuffer
{
    /// <summary>Fewest segments kept pooled when idle, however large the segments.</summary>
    private const int MinIdlePoolSegments = 8;

    private readonly Lock _sync;
    private readonly WireFormat _format;
    private readonly int _segmentBytes;
    private readonly int _maxSegments;
    private readonly Queue<Segment> _queue = new();
    private readonly Stack<Segment> _pool = new();
    private readonly TimeProvider _time;
    private Segment? _open;
    private long _nextSequence = 1;
    private int _unsettledSegments;
    private long _bufferedPoints;
    private long _bufferedBytes;
    private bool _completed;
    private readonly int _poolLimit;
    private int _toppingUp; // 1 while a TopUpPool is queued or running

    /// <param name="sync">The destination's lock (<see cref="DestinationSender"/> owns it; producers append under it).</param>
    /// <param name="format">The format writer of this buffer.</param>
    /// <param name="segmentBytes">Size of a segment.</param>
    /// <param name="capacityBytes">Most bytes queued or taken and not yet written (<see cref="GraphiteClientOptions.BufferCapacityBytes"/>).</param>
    /// <param name="retainedBytes">Most bytes the delivery ledger keeps for replay (<see cref="GraphiteClientOptions.ReplayWindowBytes"/>): its segments come back to the pool too.</param>
    /// <param name="time">The clock.</param>
    public SendBuffer(Lock sync, WireFormat format, int segmentBytes, long capacityBytes, long retainedBytes, TimeProvider time)
    {
        _sync = sync;
        _format = format;
        _segmentBytes = Math.Min(segmentBytes, format.MaxSegmentBytes);
        _maxSegments = (int)Math.Max(2, Math.Min(int.MaxValue, capacityBytes / _segmentBytes));
        _time = time;

        // Written segments come back (directly or when the ledger retires them) and are reused, up to the buffer's and
        // the replay window's bounds together: a steady stream, or a backlog that drains and builds up again, allocates
        // nothing. The sender trims the pool to IdlePoolSegments after a quiet spell (TrimPool), so a burst does not hold
        // memory forever.
        _poolLimit = (int)Math.Min(int.MaxValue, (long)_maxSegments + (retainedBytes / _segmentBytes) + 1);
        IdlePoolSegments = Math.Max(MinIdlePoolSegments, 2 * (SenderLoop.MaxWriteBytes / _segmentBytes));
    }

    /// <summary>Segments kept pooled when the sender is idle: enough to refill after its largest write (1 MiB).</summary>
    public int IdlePoolSegments { get; }

    /// <summary>Segments currently pooled.</summary>
    public int PooledSegments
    {
        get
        {
            lock (_sync)
            {
                return _pool.Count;
            }
        }
    }

    /// <summary>
    /// Fills the pool up to <see cref="SpareSegments"/> with new segments whose pages are touched here, on a thread-pool
    /// thread, so that a producer opening a segment neither allocates nor takes the first-touch page faults of fresh
    /// memory (~13 µs for a call that hits one on this machine; one per 4 KiB page while the buffer or the replay window
    /// grows). Queued by <see cref="TryOpenLocked"/> when the pool runs low.
    /// </summary>
    public void TopUpPool()
    {
        try
        {
            while (true)
            {
                lock (_sync)
                {
                    if (_pool.Count >= Math.Min(SpareSegments, _poolLimit) || _completed)
                    {
                        return;
                    }
                }

                var segment = new Segment(_segmentBytes);
                segment.TouchPages();
                lock (_sync)
                {
                    _pool.Push(segment);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _toppingUp, 0);
        }
    }

    /// <summary>Segments <see cref="TopUpPool"/> keeps ready: half of <see cref="IdlePoolSegments"/>.</summary>
    public int SpareSegments => IdlePoolSegments / 2;

    /// <summary>Lets idle pooled segments beyond <see cref="IdlePoolSegments"/> go to the garbage collector.</summary>
    public void TrimPool()
    {
        lock (_sync)
        {
            while (_pool.Count > IdlePoolSegments)
            {
                _pool.Pop();
            }
        }
    }

    public int SegmentBytes => _segmentBytes;

    public long BufferedPoints => Volatile.Read(ref _bufferedPoints);

    public long BufferedBytes => Volatile.Read(ref _bufferedBytes);

    /// <summary>
    /// Appends a point; the caller holds the destination's lock. Returns <see cref="AppendResult.NoRoom"/> when
    /// the buffer is full and <paramref name="dropOldest"/> is false; with it, the oldest queued segment is
    /// dropped (its point count added to <paramref name="droppedPoints"/>) to make room.
    /// </summary>
    public AppendResult AppendLocked(in PointText point, bool dropOldest, ref long droppedPoints)
    {
        AppendResult result = AppendResult.Appended;
        Segment? open = _open;
        if (open is null)
        {
            if (!TryOpenLocked(dropOldest, ref droppedPoints))
            {
                return AppendResult.NoRoom;
            }

            open = _open!;
            result = AppendResult.AppendedFirstInSegment;
        }

        if (!_format.TryAppend(open, point))
        {
            SealOpenLocked();
            if (!TryOpenLocked(dropOldest, ref droppedPoints))
            {
                return AppendResult.NoRoomAfterSeal;
            }

            open = _open!;
            if (!_format.TryAppend(open, point))
            {
                throw new InvalidOperationException("A validated point does not fit an empty segment.");
            }

            result = AppendResult.AppendedAfterSeal;
        }

        _bufferedPoints++;
        return result;
    }

    private bool TryOpenLocked(bool dropOldest, ref long droppedPoints)
    {
        if (_queue.Count + _unsettledSegments + 1 > _maxSegments)
        {
            // With a spool, the oldest queued segment that is on disk leaves memory instead (read back when its turn
            // comes): nothing is lost. A segment waiting for the spool writer is never dropped.
            if (_queue.Count == 0)
            {
                return false;
            }

            if (!TryEvictOldestLocked())
            {
                if (!dropOldest || _queue.Peek().Durability == SegmentDurability.Pending)
                {
                    return false;
                }

                Segment oldest = _queue.Dequeue();
                droppedPoints += oldest.Points;
                _bufferedPoints -= oldest.Points;
                _bufferedBytes -= oldest.Length;
                ReturnLocked(oldest);
            }
        }

        Segment s = _pool.Count > 0 ? _pool.Pop() : new Segment(_segmentBytes);
        if (_pool.Count < SpareSegments / 2 && Interlocked.Exchange(ref _toppingUp, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static buffer => buffer.TopUpPool(), this, preferLocal: false);
        }

        s.OpenedAt = _time.GetTimestamp();
        _format.BeginFrame(s);
        _open = s;
        return true;
    }

    private void SealOpenLocked()
    {
        Segment s = _open!;
        _open = null;
        if (s.Points == 0)
        {
            ReturnLocked(s);
            return;
        }

        _format.EndFrame(s);
        s.Sequence = _nextSequence++;
        _bufferedBytes += s.Length;
        _queue.Enqueue(s);
        SealedLocked(s);
    }

    /// <summary>
    /// Seals the open segment if it has points; returns the last sequence. <paramref name="awaited"/> (a flush, a wait
    /// for delivery): a caller waits for everything sealed, so the spool writer is woken at once for what waits for it,
    /// not at its next sync.
    /// </summary>
    public long SealOpen(bool awaited = true)
    {
        lock (_sync)
        {
            if (_open is { Points: > 0 })
            {
                SealOpenLocked();
            }

            if (awaited)
            {
                WakeSpoolWriterLocked();
            }

            return _nextSequence - 1;
        }
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
    public long? TakeQueued(List<Segment> into, int maxBytes, bool sealOpen, long sealIfOpenedBy, out long settledThrough, List<Spool.SpoolLocation>? fromDisk = null)
    {
        lock (_sync)
        {
            if (_queue.Count == 0 && _open is { Points: > 0 } open && (sealOpen || open.OpenedAt <= sealIfOpenedBy))
            {
                SealOpenLocked();
            }

            if (sealOpen)
            {
                WakeSpoolWriterLocked(); // closing: the last segments must reach the disk before they may be sent
            }

            if (fromDisk is not null && TakeFromDiskLocked(fromDisk, maxBytes))
            {
                settledThrough = LowestHeldLocked() - 1;
                return _open is { Points: > 0 } ? _open.OpenedAt : null;
            }

            int taken = 0;
            int bytes = 0;
            while (_queue.Count > 0 && _queue.Peek().Durability != SegmentDurability.Pending && (taken == 0 || bytes + _queue.Peek().Length <= maxBytes))
            {
                Segment s = _queue.Dequeue();
                if (s.Durability == SegmentDurability.Spooled)
                {
                    _spooledInQueue.Dequeue(); // its record stays on disk until it is retired
                }

                bytes += s.Length;
                into.Add(s);
                taken++;
            }

            _unsettledSegments += taken;

            // Every sealed segment up to here is now taken (to be written) or was dropped.
            settledThrough = LowestHeldLocked() - 1;
            return _open is { Points: > 0 } ? _open.OpenedAt : null;
        }
    }

    /// <summary>
    /// True when a sealed segment waits to be taken, or the open segment got its first point after the sender last
    /// looked (<paramref name="knownOpenSince"/> is null): either way the sender must not go to sleep.
    /// </summary>
    public bool HasNewWork(long? knownOpenSince)
    {
        lock (_sync)
        {
            return (_queue.Count > 0 && _queue.Peek().Durability != SegmentDurability.Pending) || _onDiskOnly.Count > 0
                || (knownOpenSince is null && _open is { Points: > 0 });
        }
    }

    /// <summary>
    /// One step of the sender, under one lock: <paramref name="writtenSegments"/> first-time segments holding
    /// <paramref name="writtenPoints"/> / <paramref name="writtenBytes"/> were written (their room is free again), and the
    /// segments in <paramref name="spare"/> go back to the pool.
    /// </summary>
    public void Settle(long writtenPoints, long writtenBytes, int writtenSegments, List<Segment> spare)
    {
        lock (_sync)
        {
            _bufferedPoints -= writtenPoints;
            _bufferedBytes -= writtenBytes;
            _unsettledSegments -= writtenSegments;
            foreach (Segment s in spare)
            {
                ReturnLocked(s);
            }
        }
    }

    private void ReturnLocked(Segment segment)
    {
        segment.Reset();
        if (_pool.Count < _poolLimit && segment.Buffer.Length == _segmentBytes)
        {
            _pool.Push(segment);
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

            Volatile.Write(ref _completed, true);
            return true;
        }
    }

    /// <summary>Whether <see cref="Complete"/> was called; read with the destination's lock held.</summary>
    public bool IsCompletedLocked => _completed;

    /// <summary>Whether <see cref="Complete"/> was called; read without the lock (a producer's early check).</summary>
    public bool IsCompleted => Volatile.Read(ref _completed);

    /// <summary>Adds what was accepted and never taken by the sender (queued, open, or on disk only) to <paramref name="leftovers"/>; empties the buffer.</summary>
    public void DiscardAll(ref Leftovers leftovers)
    {
        lock (_sync)
        {
            _unsettledSegments = 0;
            _toSpool.Clear();
            _spooledInQueue.Clear();
            foreach (Spool.SpoolLocation record in _onDiskOnly)
            {
                leftovers.Add(record);
            }

            _onDiskOnly.Clear();
            while (_queue.Count > 0)
            {
                Segment s = _queue.Dequeue();
                leftovers.Add(s);
                ReturnLocked(s);
            }

            if (_open is not null)
            {
                leftovers.Add(_open);
                ReturnLocked(_open);
                _open = null;
            }

            _bufferedPoints = 0;
            _bufferedBytes = 0;
        }
    }
}
