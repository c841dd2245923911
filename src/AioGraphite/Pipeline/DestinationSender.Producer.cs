using System.Runtime.CompilerServices;
using AioGraphite.Diagnostics;
using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <content>
/// The producers' half: points are checked and their names encoded outside the lock (<see cref="PointPreparer"/>: the
/// client's name cache first, then <see cref="GraphiteDatapointValidator"/>), then formatted into the buffer under this
/// destination's lock, once per block of up to <see cref="PreparedPointBlock.Length"/> points, one buffer call per run
/// of valid points; the full-buffer policy decides between waiting for room, dropping the oldest batch and dropping the
/// point. First, a batch's points whose names sit where they sat in an earlier batch are written straight from the
/// caller's points under the lock (<see cref="KnownPointRun"/>), up to the first one that is not: one pass instead of
/// two. Producers run on any thread; accepted points are counted under the lock; after it is released they wake the
/// loop, count and log drops.
/// </content>
internal sealed partial class DestinationSender
{
    // The destination's lock, owned here: producers take it in AppendPrepared (once per block of points), the sender loop
    // and the spool writer through SendBuffer's methods (it guards the BatchQueue and the SpoolStaging).
    private readonly Lock _sync = new();

    // Set at construction; read by any producer.
    private readonly PointPreparer _preparer;
    private readonly bool _dropOldest;
    private readonly bool _waitForRoom;
    private readonly string _fullBufferReason;
    private readonly long _wakeBacklogBytes;

    // Any producer, interlocked.
    private long _lastDropLog;
    private long _dropsSinceLog;
    private long _stalledAtBytes = -1;

    /// <summary>
    /// Whether carbon (or the disk spool) is taking data: connected, and no awaiting send has given up on room since the
    /// last write; or a working spool. Awaiting callers then wait for room instead of dropping; after one wait in vain (a
    /// frozen carbon, no spool) the others do not, until the sender writes again.
    /// </summary>
    public bool IsTakingData => (_loop.IsConnected && Volatile.Read(ref _stalledAtBytes) != Counters.BytesWritten) || Buffer.SpoolTakesData;

    /// <summary>An awaiting caller waits for room under the Wait policy, and under the drop policies while carbon takes data.</summary>
    public bool MayWait => _waitForRoom || IsTakingData;

    /// <summary>An awaiting send waited <see cref="GraphiteClientOptions.FullBufferWaitTimeout"/> without room being freed.</summary>
    public void MarkStalled() => Volatile.Write(ref _stalledAtBytes, Counters.BytesWritten);

    /// <summary>
    /// Checks and appends <paramref name="points"/> from <paramref name="start"/> (this destination takes them all);
    /// returns the index it stopped at when it must wait for room, or the length. The points of a block (the whole call
    /// up to <see cref="PreparedPointBlock.Length"/> points) are checked before the lock is taken; then the lock is taken
    /// once for the block, and invalid points are added to <paramref name="rejections"/> in order, under it, up to where
    /// the call stops: each once, however often the caller resumes.
    /// </summary>
    /// <param name="points">The caller's points.</param>
    /// <param name="start">The first point to append.</param>
    /// <param name="defaultTimestamp">The timestamp of points that have none.</param>
    /// <param name="allowWait">The caller can wait for room (an awaiting send); otherwise the policy drops.</param>
    /// <param name="rejections">Collects invalid points.</param>
    /// <param name="droppedNewest">Points dropped because the buffer was full and the policy keeps old points.</param>
    /// <exception cref="ObjectDisposedException">The client was closed.</exception>
    public int Append(ReadOnlySpan<Datapoint> points, int start, long defaultTimestamp, bool allowWait, ref Rejections rejections, out long droppedNewest)
    {
        var outcome = default(BatchOutcome);
        var lookups = default(NameLookups);
        bool wait = allowWait && MayWait;
        int count = points.Length - start;
        try
        {
            if (count == 1)
            {
                return AppendOne(in points[start], start, defaultTimestamp, wait, ref rejections, ref outcome, ref lookups);
            }

            int i = AppendKnown(points, start, defaultTimestamp, wait, ref outcome);
            count = points.Length - i;
            return count == 0 ? i
                : count <= PreparedPointChunk.Length ? AppendFew(points, i, defaultTimestamp, wait, ref rejections, ref outcome, ref lookups)
                : AppendMany(points, i, defaultTimestamp, wait, ref rejections, ref outcome, ref lookups);
        }
        finally
        {
            Report(ref outcome);
            droppedNewest = outcome.DroppedNewest;
        }
    }

    /// <summary>Appends one point already checked (the sharded path); false when the caller must wait for room.</summary>
    /// <exception cref="ObjectDisposedException">The client was closed.</exception>
    public bool Append(in PreparedPoint point, bool allowWait, ref long droppedNewest)
    {
        var outcome = default(BatchOutcome);
        var none = default(Rejections); // a checked point is never rejected here
        var counted = default(NameLookups); // the sharded path counts its lookups once, client-wide
        bool appended = AppendPrepared(new ReadOnlySpan<PreparedPoint>(in point), 0, allowWait && MayWait, ref none, ref outcome, ref counted) == 1;
        Report(ref outcome);
        droppedNewest += outcome.DroppedNewest;
        return appended;
    }

    /// <summary>Wakes the loop (a producer waits for room).</summary>
    public void Wake() => _loop.Wake();

    /// <summary>One point (<c>TrySend</c>, <c>SendAsync</c>): checked into a local, without the chunk's zeroing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AppendOne(in Datapoint point, int index, long defaultTimestamp, bool wait, ref Rejections rejections, ref BatchOutcome outcome, ref NameLookups lookups)
    {
        PreparedPoint one = _preparer.Prepare(in point, defaultTimestamp, ref lookups);
        return index + AppendPrepared(new ReadOnlySpan<PreparedPoint>(in one), index, wait, ref rejections, ref outcome, ref lookups);
    }

    /// <summary>
    /// The points of a batch from <paramref name="start"/> while each has the name its position had in an earlier batch
    /// and numbers that pass (<see cref="KnownPointRun"/>): written straight from the caller's points under the lock, up to
    /// <see cref="PreparedPointBlock.Length"/> points per lock, with no pass before it. Returns the index of the first
    /// point it did not take (a point it cannot vouch for, or no room in the buffer), which the caller prepares as
    /// before, from there on: rejections, the full-buffer policy and new names all take that path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AppendKnown(ReadOnlySpan<Datapoint> points, int start, long defaultTimestamp, bool wait, ref BatchOutcome outcome)
    {
        bool dropOldest = _dropOldest && !wait;
        int i = start;
        while (i < points.Length)
        {
            int end = Math.Min(points.Length, i + PreparedPointBlock.Length);
            if (!_preparer.TryKnownRun(points[..end], i, defaultTimestamp, out KnownPointRun run))
            {
                break;
            }

            int appended;
            lock (_sync)
            {
                ObjectDisposedException.ThrowIf(Buffer.IsCompletedLocked, typeof(GraphiteClient));
                appended = Buffer.AppendLocked(ref run, dropOldest, ref outcome.DroppedOldest, ref outcome.Deferred, out AppendResult result);
                NoteAppend(result, ref outcome);
                outcome.Accepted += appended;
                Counters.AcceptedLocked(appended, new NameLookups { Hits = appended });
            }

            i += appended;
            if (i < end)
            {
                break;
            }
        }

        return i;
    }

    /// <summary>Up to a chunk of points (a small batch, or none): checked into a buffer on the stack.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AppendFew(ReadOnlySpan<Datapoint> points, int start, long defaultTimestamp, bool wait, ref Rejections rejections, ref BatchOutcome outcome, ref NameLookups lookups)
    {
        int count = points.Length - start;
        var chunk = default(PreparedPointChunk);
        Span<PreparedPoint> prepared = ((Span<PreparedPoint>)chunk)[..count];
        for (int i = 0; i < count; i++)
        {
            prepared[i] = _preparer.PrepareAt(in points[start + i], start + i, defaultTimestamp, ref lookups);
        }

        return start + AppendPrepared(prepared, start, wait, ref rejections, ref outcome, ref lookups);
    }

    /// <summary>
    /// A larger batch: checked into a block on the stack, up to <see cref="PreparedPointBlock.Length"/> points at a time,
    /// each block appended under one lock.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AppendMany(ReadOnlySpan<Datapoint> points, int start, long defaultTimestamp, bool wait, ref Rejections rejections, ref BatchOutcome outcome, ref NameLookups lookups)
    {
        var block = default(PreparedPointBlock);
        int i = start;
        while (i < points.Length)
        {
            int count = Math.Min(points.Length - i, PreparedPointBlock.Length);
            for (int k = 0; k < count; k++)
            {
                block[k] = _preparer.PrepareAt(in points[i + k], i + k, defaultTimestamp, ref lookups);
            }

            int taken = AppendPrepared(((ReadOnlySpan<PreparedPoint>)block)[..count], i, wait, ref rejections, ref outcome, ref lookups);
            i += taken;
            if (taken < count)
            {
                break;
            }
        }

        return i;
    }

    /// <summary>
    /// Appends checked points under the lock, one lock for all, each run of valid points with one buffer call; records
    /// the rejected ones (numbered from <paramref name="firstIndex"/>) in order. Returns how many were taken (appended,
    /// dropped or rejected) before the first that must wait for room. Counts the accepted points and the call's name
    /// lookups under the lock (then clears <paramref name="lookups"/>). When every name was found in the cache (no miss:
    /// every point is valid, or the points came checked from the sharded path) the points are one run, without a scan
    /// for rejected ones.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AppendPrepared(ReadOnlySpan<PreparedPoint> points, int firstIndex, bool wait, ref Rejections rejections, ref BatchOutcome outcome, ref NameLookups lookups)
    {
        bool dropOldest = _dropOldest && !wait;
        long acceptedBefore = outcome.Accepted;
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(Buffer.IsCompletedLocked, typeof(GraphiteClient));
            int taken = lookups.Misses == 0 && !points.IsEmpty
                ? AppendRunLocked(points, dropOldest, wait, ref outcome)
                : AppendPreparedLocked(points, firstIndex, dropOldest, wait, ref rejections, ref outcome);
            Counters.AcceptedLocked(outcome.Accepted - acceptedBefore, lookups);
            lookups = default;
            return taken;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AppendPreparedLocked(ReadOnlySpan<PreparedPoint> points, int firstIndex, bool dropOldest, bool wait, ref Rejections rejections, ref BatchOutcome outcome)
    {
        int i = 0;
        while (i < points.Length)
        {
            ref readonly PreparedPoint p = ref points[i];
            if (!p.IsValid)
            {
                rejections.Add(p.Metric, p.Error!, firstIndex + i);
                i++;
                continue;
            }

            int end = i + 1;
            while (end < points.Length && points[end].IsValid)
            {
                end++;
            }

            i += AppendRunLocked(points[i..end], dropOldest, wait, ref outcome);
            if (i < end)
            {
                return i;
            }
        }

        return points.Length;
    }

    /// <summary>Appends a run of valid points (the lock held); returns how many were taken before the first that must wait for room.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AppendRunLocked(ReadOnlySpan<PreparedPoint> run, bool dropOldest, bool wait, ref BatchOutcome outcome)
    {
        int appended = Buffer.AppendLocked(run, dropOldest, ref outcome.DroppedOldest, ref outcome.Deferred, out AppendResult result);
        outcome.Accepted += appended;
        NoteAppend(result, ref outcome);
        if (!Has(result, AppendResult.NoRoom))
        {
            return appended;
        }

        if (wait)
        {
            return appended;
        }

        outcome.DroppedNewest += run.Length - appended; // the buffer stays full while the lock is held
        return run.Length;
    }

    /// <summary>
    /// Whether an append's <paramref name="result"/> calls for waking the loop (the lock held). Inlined into the
    /// producers' optimized methods, and with bit tests rather than <see cref="Enum.HasFlag(Enum)"/>: a copy of this
    /// compiled on its own at the JIT's first tier boxed both operands of each <c>HasFlag</c>, 144 bytes per call (caught
    /// by AllocationTests), for as long as the tier lasted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void NoteAppend(AppendResult result, ref BatchOutcome outcome)
    {
        if (Has(result, AppendResult.OpenedSegment))
        {
            outcome.Wake = true; // an idle loop may have no timer running: the batch interval starts now
        }
        else if (Has(result, AppendResult.Sealed))
        {
            // An idle loop's batch-interval timer takes a sealed batch within BatchInterval: wake it at once only
            // for a backlog, so that a steady producer does not pay a thread wake-up (~10 µs here) for every batch.
            outcome.Wake |= Buffer.BufferedBytes >= _wakeBacklogBytes;
        }

        if (Has(result, AppendResult.NoRoom))
        {
            outcome.Wake = true;
        }
    }

    /// <summary>Whether <paramref name="result"/> has <paramref name="flag"/>: a bit test, which boxes nothing in any tier.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Has(AppendResult result, AppendResult flag) => (result & flag) == flag;

    /// <summary>After appending (the lock released): runs what the buffer deferred, wakes the loop, counts and logs drops.</summary>
    private void Report(ref BatchOutcome outcome)
    {
        Buffer.RunDeferred(outcome.Deferred);
        if (outcome.Wake)
        {
            _loop.Wake();
        }

        long dropped = outcome.DroppedOldest + outcome.DroppedNewest;
        if (dropped > 0)
        {
            Counters.DroppedBufferFull(dropped);
            LogDrops(dropped);
        }
    }

    private void LogDrops(long dropped)
    {
        long total = Interlocked.Add(ref _dropsSinceLog, dropped);
        long last = Interlocked.Read(ref _lastDropLog);
        if ((last == 0 || _time.GetElapsedTime(last) >= DropLogInterval) && Interlocked.CompareExchange(ref _lastDropLog, _time.GetTimestamp(), last) == last)
        {
            Interlocked.Add(ref _dropsSinceLog, -total);
            GraphiteLog.PointsDropped(_log, Description, total, _fullBufferReason);
        }
    }
}
