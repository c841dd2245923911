using AioGraphite.Protocols;
using AioGraphite.Spool;
using System.Runtime.CompilerServices;

namespace AioGraphite.Pipeline;

/// <summary>
/// The batches of one destination: the open segment points are formatted into, the sealed segments in sequence order
/// waiting for the sender, and the capacity they take (queued, plus taken and not yet written, plus records on disk only
/// once taken). Drops or evicts the oldest batch when full. No lock of its own: every member but
/// <see cref="BufferedPoints"/> and <see cref="BufferedBytes"/> is called with the destination's lock held, by producers
/// (append), the sender loop (seal, take, settle) and the spool writer (seal). Callbacks are never made here: what must
/// follow the lock's release is reported in a <see cref="DeferredWork"/>.
/// </summary>
internal sealed class BatchQueue
{
    // Set at construction.
    private readonly WireFormat _format;
    private readonly PlaintextFormat? _plaintext; // the format's concrete type, one of the two: called without a virtual call
    private readonly PickleFormat? _pickle;
    private readonly SegmentPool _pool;
    private readonly SpoolStaging _staging;
    private readonly TimeProvider _time;
    private readonly int _maxSegments;

    // Under the destination's lock (producers, the sender loop, the spool writer).
    private readonly Queue<Batch> _queue = new();
    private Batch? _open;
    private long _nextSequence = 1;
    private int _unsettledSegments;

    // Written under the destination's lock; read by anyone without it (statistics, gauges, the loop's checks).
    private long _bufferedPoints;
    private long _bufferedBytes;

    /// <param name="format">The format writer, holding the open frame's state.</param>
    /// <param name="pool">Where segments come from and go back to.</param>
    /// <param name="staging">The spool's side (stages nothing without a spool).</param>
    /// <param name="maxSegments">Most segments queued or taken and not yet settled.</param>
    /// <param name="time">The clock (when a segment opened, for the batch interval).</param>
    public BatchQueue(WireFormat format, SegmentPool pool, SpoolStaging staging, int maxSegments, TimeProvider time)
    {
        _format = format;
        _plaintext = format as PlaintextFormat;
        _pickle = format as PickleFormat;
        _pool = pool;
        _staging = staging;
        _maxSegments = maxSegments;
        _time = time;
    }

    /// <summary>Points accepted and not yet written (or given up). Any thread.</summary>
    public long BufferedPoints => Volatile.Read(ref _bufferedPoints);

    /// <summary>Bytes of sealed segments (and records on disk only) not yet written. Any thread.</summary>
    public long BufferedBytes => Volatile.Read(ref _bufferedBytes);

    /// <summary>The last sequence given to a sealed segment.</summary>
    public long LastSequence => _nextSequence - 1;

    /// <summary>When the open segment got its first point (<see cref="TimeProvider.GetTimestamp"/>), or null when it has none.</summary>
    public long? OpenSince => _open is { Points: > 0 } ? _open.OpenedAt : null;

    /// <summary>Whether the oldest queued segment waits for the spool writer (the sender may not take it before).</summary>
    public bool HeadAwaitsSpool => _queue.Count > 0 && _queue.Peek().Durability == BatchDurability.Pending;

    /// <summary>Counts records an earlier process left on disk (staged by <see cref="SpoolStaging.Attach"/>); new sequences continue after theirs.</summary>
    public void AddRecovered(SpoolRecovery recovery)
    {
        foreach (SpoolLocation record in recovery.Records)
        {
            _bufferedPoints += record.Points;
            _bufferedBytes += record.PayloadLength;
        }

        _nextSequence = Math.Max(_nextSequence, recovery.HighestSequence + 1);
    }

    /// <summary>
    /// Appends a run of valid points in order, one format call per segment they fill; returns how many were appended.
    /// Stops with <see cref="AppendResult.NoRoom"/> when the buffer is full and <paramref name="dropOldest"/> is false;
    /// with it, the oldest queued segment is dropped (its point count added to <paramref name="droppedPoints"/>) to make
    /// room. With a spool the oldest spooled segment leaves memory instead (nothing is lost).
    /// </summary>
    public int Append(ReadOnlySpan<PreparedPoint> points, bool dropOldest, ref long droppedPoints, ref DeferredWork deferred, out AppendResult result)
    {
        var run = new PreparedPointRun(points);
        return Append(ref run, dropOldest, ref droppedPoints, ref deferred, out result);
    }

    /// <summary>
    /// <see cref="Append(ReadOnlySpan{PreparedPoint}, bool, ref long, ref DeferredWork, out AppendResult)"/> for any run of
    /// points; it also ends where the run stops (<see cref="IPointRun.Stopped"/>), without a result flag for that.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Append<TRun>(ref TRun points, bool dropOldest, ref long droppedPoints, ref DeferredWork deferred, out AppendResult result)
        where TRun : IPointRun, allows ref struct
    {
        result = AppendResult.Appended;
        Batch? open = _open;
        if (open is null)
        {
            if (!TryOpen(dropOldest, ref droppedPoints, ref deferred))
            {
                result = AppendResult.NoRoom;
                return 0;
            }

            open = _open!;
            result = AppendResult.OpenedSegment;
        }

        int done = 0;
        while (true)
        {
            int written = _pickle is { } pickle ? pickle.Write(open, ref points, done) : _plaintext!.Write(open, ref points, done);
            done += written;
            if (done == points.Count || points.Stopped)
            {
                break;
            }

            if (written == 0 && open.Points == 0)
            {
                throw new InvalidOperationException("A validated point does not fit an empty segment.");
            }

            SealOpenSegment(ref deferred);
            result |= AppendResult.Sealed;
            if (!TryOpen(dropOldest, ref droppedPoints, ref deferred))
            {
                result |= AppendResult.NoRoom;
                break;
            }

            open = _open!;
        }

        _bufferedPoints += done;
        return done;
    }

    /// <summary>Seals the open segment if it has points (a segment without points goes back to the pool).</summary>
    public void SealOpen(ref DeferredWork deferred)
    {
        if (_open is { Points: > 0 })
        {
            SealOpenSegment(ref deferred);
        }
    }

    /// <summary>
    /// Moves queued segments (up to <paramref name="maxBytes"/>) to <paramref name="into"/> for writing; they count
    /// against the capacity until <see cref="Settle"/> reports them written. When nothing is queued, first seals the open
    /// segment if <paramref name="sealOpen"/> or if it was opened at or before <paramref name="sealIfOpenedBy"/>. Records
    /// on disk only come first: when there are any they go to <paramref name="fromDisk"/> and <paramref name="into"/> stays empty.
    /// </summary>
    /// <returns>When the open segment still holds points afterwards, the timestamp of its first point; otherwise null.</returns>
    public long? Take(List<Batch> into, int maxBytes, bool sealOpen, long sealIfOpenedBy, out long settledThrough, List<SpoolLocation>? fromDisk, ref DeferredWork deferred)
    {
        if (_queue.Count == 0 && _open is { Points: > 0 } open && (sealOpen || open.OpenedAt <= sealIfOpenedBy))
        {
            SealOpenSegment(ref deferred);
        }

        if (fromDisk is not null && _staging.TakeFromDisk(fromDisk, maxBytes))
        {
            _unsettledSegments += fromDisk.Count;
            settledThrough = LowestHeld() - 1;
            return OpenSince;
        }

        int taken = 0;
        int bytes = 0;
        while (_queue.Count > 0 && _queue.Peek().Durability != BatchDurability.Pending && (taken == 0 || bytes + _queue.Peek().Length <= maxBytes))
        {
            Batch s = _queue.Dequeue();
            _staging.Taken(s);
            bytes += s.Length;
            into.Add(s);
            taken++;
        }

        _unsettledSegments += taken;

        // Every sealed segment up to here is now taken (to be written) or was dropped.
        settledThrough = LowestHeld() - 1;
        return OpenSince;
    }

    /// <summary>
    /// True when a sealed segment waits to be taken (or a record on disk only), or the open segment got its first point
    /// after the sender last looked (<paramref name="knownOpenSince"/> is null): either way the sender must not go to sleep.
    /// </summary>
    public bool HasNewWork(long? knownOpenSince) =>
        (_queue.Count > 0 && _queue.Peek().Durability != BatchDurability.Pending) || _staging.OnDiskOnlyCount > 0
        || (knownOpenSince is null && _open is { Points: > 0 });

    /// <summary>
    /// <paramref name="writtenSegments"/> first-time segments holding <paramref name="writtenPoints"/> /
    /// <paramref name="writtenBytes"/> were written (their room is free again); the segments in <paramref name="spare"/>
    /// go back to the pool.
    /// </summary>
    public void Settle(long writtenPoints, long writtenBytes, int writtenSegments, List<Batch> spare)
    {
        _bufferedPoints -= writtenPoints;
        _bufferedBytes -= writtenBytes;
        _unsettledSegments -= writtenSegments;
        foreach (Batch s in spare)
        {
            _pool.Return(s);
        }
    }

    /// <summary>A record taken from disk could not be read back: its points are given up, its room is free.</summary>
    public void RecordLost(int points, int bytes)
    {
        _bufferedPoints -= points;
        _bufferedBytes -= bytes;
        _unsettledSegments--;
    }

    /// <summary>Adds what was accepted and never taken (queued, open) to <paramref name="leftovers"/> and empties the queue; the staging is cleared first by the caller.</summary>
    public void Discard(ref Leftovers leftovers)
    {
        _unsettledSegments = 0;
        while (_queue.Count > 0)
        {
            Batch s = _queue.Dequeue();
            leftovers.Add(s);
            _pool.Return(s);
        }

        if (_open is not null)
        {
            leftovers.Add(_open);
            _pool.Return(_open);
            _open = null;
        }

        _bufferedPoints = 0;
        _bufferedBytes = 0;
    }

    private bool TryOpen(bool dropOldest, ref long droppedPoints, ref DeferredWork deferred)
    {
        if (_queue.Count + _unsettledSegments + 1 > _maxSegments)
        {
            // With a spool, the oldest queued segment that is on disk leaves memory instead (read back when its turn
            // comes): nothing is lost. A segment waiting for the spool writer is never dropped.
            if (_queue.Count == 0)
            {
                return false;
            }

            if (_staging.TryEvict(_queue.Peek()))
            {
                _pool.Return(_queue.Dequeue());
            }
            else
            {
                if (!dropOldest || _queue.Peek().Durability == BatchDurability.Pending)
                {
                    return false;
                }

                Batch oldest = _queue.Dequeue();
                droppedPoints += oldest.Points;
                _bufferedPoints -= oldest.Points;
                _bufferedBytes -= oldest.Length;
                _pool.Return(oldest);
            }
        }

        Batch s = _pool.Rent(out bool topUp);
        deferred.TopUpPool |= topUp;
        s.OpenedAt = _time.GetTimestamp();
        _format.BeginFrame(s);
        _open = s;
        return true;
    }

    private void SealOpenSegment(ref DeferredWork deferred)
    {
        Batch s = _open!;
        _open = null;
        if (s.Points == 0)
        {
            _pool.Return(s);
            return;
        }

        _format.EndFrame(s);
        s.Sequence = _nextSequence++;
        _bufferedBytes += s.Length;
        _queue.Enqueue(s);
        deferred.WakeSpoolWriter |= _staging.Sealed(s);
    }

    /// <summary>
    /// The lowest sequence still held (on disk only, or queued), or the next sequence when nothing is: every record below
    /// it has been taken by the sender (or dropped).
    /// </summary>
    private long LowestHeld() =>
        _staging.OnDiskOnlyCount > 0 ? _staging.OldestOnDiskOnly : _queue.Count > 0 ? _queue.Peek().Sequence : _nextSequence;
}
