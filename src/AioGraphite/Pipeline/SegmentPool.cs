using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <summary>
/// The segments of one destination that are not in use: rented to open a batch (or to read a spool record back),
/// returned when written, dropped or retired, trimmed after a quiet spell, and topped up off the producers' path with
/// segments whose pages are already touched. Guarded by the destination's lock, which it is given: producers and the
/// loop call it with that lock held (entering it again is cheap: <see cref="Lock"/> is reentrant), the top-up work item
/// and <see cref="Trim"/> take it. One lock rather than a second one, so a producer never meets a lock that is
/// contended only now and then (its first contention would allocate a wait event on the producer's thread). Nothing is
/// called back, allocated or touched under it.
/// </summary>
internal sealed class SegmentPool
{
    /// <summary>Fewest segments kept pooled when idle, however large the segments.</summary>
    internal const int MinIdleSegments = 8;

    // Set at construction.
    private readonly int _segmentBytes;
    private readonly int _limit;

    // Producers (Rent, Return), the sender loop (Return, Trim, RentForRecord) and the top-up work item, under _sync.
    private readonly Lock _sync;
    private readonly Stack<Batch> _pool = new();
    private bool _stopped;

    // Interlocked: 1 while a TopUp is queued or running.
    private int _toppingUp;

    /// <param name="sync">The destination's lock.</param>
    /// <param name="segmentBytes">Size of a segment.</param>
    /// <param name="limit">Most segments pooled: what the buffer and the replay window can hold together, plus one.</param>
    /// <param name="idleSegments">Segments kept when the sender is idle (<see cref="Trim"/>).</param>
    public SegmentPool(Lock sync, int segmentBytes, int limit, int idleSegments)
    {
        _sync = sync;
        _segmentBytes = segmentBytes;
        _limit = limit;
        IdleSegments = idleSegments;
    }

    /// <summary>Size of a segment.</summary>
    public int SegmentBytes => _segmentBytes;

    /// <summary>Segments kept pooled when the sender is idle.</summary>
    public int IdleSegments { get; }

    /// <summary>Segments <see cref="TopUp"/> keeps ready: half of <see cref="IdleSegments"/>.</summary>
    private int SpareSegments => IdleSegments / 2;

    /// <summary>Segments currently pooled.</summary>
    public int Count
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
    /// A segment for a new batch: pooled, or new when the pool is empty. <paramref name="topUp"/> is true when the pool
    /// ran low and no top-up is under way: the caller then calls <see cref="ScheduleTopUp"/> once its own lock is released.
    /// </summary>
    public Batch Rent(out bool topUp)
    {
        lock (_sync)
        {
            Batch s = _pool.Count > 0 ? _pool.Pop() : new Batch(_segmentBytes);
            topUp = _pool.Count < SpareSegments / 2 && !_stopped && Interlocked.Exchange(ref _toppingUp, 1) == 0;
            return s;
        }
    }

    /// <summary>A segment to read a spool record back into: pooled, or new when the record is larger than a segment.</summary>
    public Batch RentForRecord(int payloadLength)
    {
        lock (_sync)
        {
            return payloadLength <= _segmentBytes && _pool.Count > 0 ? _pool.Pop() : new Batch(Math.Max(_segmentBytes, payloadLength));
        }
    }

    /// <summary>Takes a segment back (reset) when it has the pool's size and the pool is below its limit.</summary>
    public void Return(Batch segment)
    {
        segment.Reset();
        if (segment.Buffer.Length != _segmentBytes)
        {
            return;
        }

        lock (_sync)
        {
            if (_pool.Count < _limit)
            {
                _pool.Push(segment);
            }
        }
    }

    /// <summary>Queues <see cref="TopUp"/> on the thread pool; called (with no lock held) after <see cref="Rent"/> asked for it.</summary>
    public void ScheduleTopUp() =>
        ThreadPool.UnsafeQueueUserWorkItem(static pool => pool.TopUp(), this, preferLocal: false);

    /// <summary>
    /// Fills the pool up to <see cref="SpareSegments"/> with new segments whose pages are touched here, on a thread-pool
    /// thread, so that a producer opening a segment neither allocates nor takes the first-touch page faults of fresh
    /// memory (~13 µs for a call that hits one on this machine; one per 4 KiB page while the buffer or the replay window
    /// grows). Nothing is allocated or touched under the lock.
    /// </summary>
    public void TopUp()
    {
        try
        {
            while (true)
            {
                lock (_sync)
                {
                    if (_pool.Count >= Math.Min(SpareSegments, _limit) || _stopped)
                    {
                        return;
                    }
                }

                var segment = new Batch(_segmentBytes);
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

    /// <summary>Lets idle pooled segments beyond <see cref="IdleSegments"/> go to the garbage collector.</summary>
    public void Trim()
    {
        lock (_sync)
        {
            while (_pool.Count > IdleSegments)
            {
                _pool.Pop();
            }
        }
    }

    /// <summary>No more top-ups (the client closes).</summary>
    public void Stop()
    {
        lock (_sync)
        {
            _stopped = true;
        }
    }
}
