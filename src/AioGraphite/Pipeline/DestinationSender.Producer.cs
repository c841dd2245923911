using AioGraphite.Diagnostics;
using AioGraphite.Naming;
using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <content>
/// The producers' half: points are checked outside the lock (the validated-name cache first, then
/// <see cref="GraphiteDatapointValidator"/>), then formatted into the buffer under this destination's lock, a chunk
/// at a time; the full-buffer policy decides between waiting for room, dropping the oldest batch and dropping the
/// point. Producers run on any thread; after the lock is released they wake the loop, count and log.
/// </content>
internal sealed partial class DestinationSender
{
    // The destination's lock, owned here: producers take it in AppendChunk (once per chunk), the sender loop and the
    // spool writer through SendBuffer's methods (it guards the BatchQueue and the SpoolStaging).
    private readonly Lock _sync = new();

    // Set at construction; read by any producer.
    private readonly GraphiteDatapointValidator _rules;
    private readonly byte[] _prefix;
    private readonly byte[] _tagSuffix;
    private readonly bool _mergesDefaultTags;
    private readonly bool _dropOldest;
    private readonly bool _waitForRoom;
    private readonly string _fullBufferReason;
    private readonly long _wakeBacklogBytes;

    // Any producer, interlocked.
    private long _lastDropLog;
    private long _dropsSinceLog;
    private long _stalledAtBytes = -1;

    // Any producer, without the lock (the cache is thread-safe): names already checked for this destination's callers.
    private readonly ValidatedNameCache _names = new();

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
    /// returns the index it stopped at when it must wait for room, or the length. Invalid points are added to
    /// <paramref name="rejections"/> in order, each once.
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
        ObjectDisposedException.ThrowIf(Buffer.IsCompleted, typeof(GraphiteClient));
        var outcome = default(BatchOutcome);
        bool wait = allowWait && MayWait;
        int next;
        try
        {
            next = points.Length - start == 1
                ? AppendOne(in points[start], start, defaultTimestamp, wait, ref rejections, ref outcome)
                : AppendChunked(points, start, defaultTimestamp, wait, ref rejections, ref outcome);
        }
        finally
        {
            Report(ref outcome);
        }

        droppedNewest = outcome.DroppedNewest;
        return next;
    }

    /// <summary>Appends one point already checked (the sharded path); false when the caller must wait for room.</summary>
    /// <exception cref="ObjectDisposedException">The client was closed.</exception>
    public bool Append(in PreparedPoint point, bool allowWait, ref long droppedNewest)
    {
        var outcome = default(BatchOutcome);
        bool appended = AppendChunk(new ReadOnlySpan<PreparedPoint>(in point), allowWait && MayWait, ref outcome) == 1;
        Report(ref outcome);
        droppedNewest += outcome.DroppedNewest;
        return appended;
    }

    /// <summary>Wakes the loop (a producer waits for room).</summary>
    public void Wake() => _loop.Wake();

    private int AppendOne(in Datapoint point, int index, long defaultTimestamp, bool wait, ref Rejections rejections, ref BatchOutcome outcome)
    {
        if (!TryPrepare(in point, defaultTimestamp, out PreparedPoint prepared, out string? error))
        {
            rejections.Add(point.Metric, error!, index);
            return index + 1;
        }

        return index + AppendChunk(new ReadOnlySpan<PreparedPoint>(in prepared), wait, ref outcome);
    }

    /// <summary>
    /// Checks a run of valid points (up to a chunk) outside the lock, appends it under the lock, then records the invalid
    /// point that ended the run: rejections stay in order and are never counted twice when the caller must wait.
    /// </summary>
    private int AppendChunked(ReadOnlySpan<Datapoint> points, int start, long defaultTimestamp, bool wait, ref Rejections rejections, ref BatchOutcome outcome)
    {
        var chunk = default(PreparedPointChunk);
        int i = start;
        while (i < points.Length)
        {
            int n = 0;
            string? error = null;
            while (i + n < points.Length && n < PreparedPointChunk.Length && TryPrepare(in points[i + n], defaultTimestamp, out chunk[n], out error))
            {
                n++;
            }

            if (n > 0)
            {
                int appended = AppendChunk(((ReadOnlySpan<PreparedPoint>)chunk)[..n], wait, ref outcome);
                i += appended;
                if (appended < n)
                {
                    return i;
                }
            }

            if (error is not null)
            {
                rejections.Add(points[i].Metric, error, i);
                i++;
            }
        }

        return points.Length;
    }

    /// <summary>
    /// Checks one point: a name checked before (the same string object) skips the name checks; value and timestamp are
    /// checked every time. Tagged names with default tags to merge take the full path.
    /// </summary>
    private bool TryPrepare(in Datapoint p, long defaultTimestamp, out PreparedPoint prepared, out string? error)
    {
        long ts = p.Timestamp is long t && t != 0 ? t : defaultTimestamp;
        if (p.Metric is { } known && _names.TryGet(known, out int knownBytes, out bool tagged) && !(tagged && _mergesDefaultTags)
            && double.IsFinite(p.Value) && (ulong)ts <= WhisperLimits.MaxTimestamp)
        {
            prepared = new PreparedPoint(known, knownBytes, withTagSuffix: true, p.Value, ts);
            error = null;
            return true;
        }

        if (!_rules.TryPrepare(in p, defaultTimestamp, out string metric, out ReadOnlySpan<byte> suffix, out int metricBytes, out ts, out error))
        {
            prepared = default;
            return false;
        }

        // Remembered when it fits a line whatever the value and timestamp (so only the name decided).
        if (ReferenceEquals(metric, p.Metric) && _rules.FitsAnyLine(metricBytes, suffix.Length))
        {
            _names.Store(metric, metricBytes, metric.Contains(';', StringComparison.Ordinal));
        }

        prepared = new PreparedPoint(metric, metricBytes, withTagSuffix: !suffix.IsEmpty, p.Value, ts);
        return true;
    }

    /// <summary>Appends checked points under the lock; returns how many were taken (appended or dropped) before the first that must wait.</summary>
    private int AppendChunk(ReadOnlySpan<PreparedPoint> points, bool wait, ref BatchOutcome outcome)
    {
        bool dropOldest = _dropOldest && !wait;
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(Buffer.IsCompletedLocked, typeof(GraphiteClient));
            for (int i = 0; i < points.Length; i++)
            {
                if (!AppendLocked(points[i].Text(_prefix, _tagSuffix), dropOldest, wait, ref outcome))
                {
                    return i;
                }
            }
        }

        return points.Length;
    }

    /// <summary>Appends one point (the lock held); false when the caller must wait for room.</summary>
    private bool AppendLocked(in PointText text, bool dropOldest, bool wait, ref BatchOutcome outcome)
    {
        switch (Buffer.AppendLocked(text, dropOldest, ref outcome.DroppedOldest, ref outcome.Deferred))
        {
            case AppendResult.Appended:
                break;
            case AppendResult.AppendedFirstInSegment:
                outcome.Wake = true; // an idle loop may have no timer running: the batch interval starts now
                break;
            case AppendResult.AppendedAfterSeal:
                // An idle loop's batch-interval timer takes a sealed batch within BatchInterval: wake it at once only
                // for a backlog, so that a steady producer does not pay a thread wake-up (~10 µs here) for every batch.
                outcome.Wake |= Buffer.BufferedBytes >= _wakeBacklogBytes;
                break;
            default:
                outcome.Wake = true;
                if (wait)
                {
                    return false;
                }

                outcome.DroppedNewest++;
                return true;
        }

        outcome.Accepted++;
        return true;
    }

    /// <summary>After appending (the lock released): runs what the buffer deferred, wakes the loop, counts, logs drops.</summary>
    private void Report(ref BatchOutcome outcome)
    {
        Buffer.RunDeferred(outcome.Deferred);
        if (outcome.Wake)
        {
            _loop.Wake();
        }

        if (outcome.Accepted > 0)
        {
            Counters.Accepted(outcome.Accepted);
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
