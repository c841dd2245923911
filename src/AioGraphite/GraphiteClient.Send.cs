using System.Runtime.InteropServices;
using AioGraphite.Diagnostics;
using AioGraphite.Naming;
using AioGraphite.Pipeline;
using AioGraphite.Protocols;

namespace AioGraphite;

/// <content>Sending: validation at the edge, routing, formatting into the buffer, the full-buffer policy.</content>
public sealed partial class GraphiteClient
{
    private long _lastDropLog;
    private long _dropsSinceLog;

    /// <summary>
    /// Sends one point: it is validated, formatted and buffered, and the call completes as soon as it is accepted
    /// (without waiting for the network, except under <see cref="FullBufferPolicy.Wait"/> with a full buffer).
    /// </summary>
    /// <param name="metric">The metric path, e.g. <c>app.requests</c>, optionally tagged (<c>app.requests;host=web1</c>).</param>
    /// <param name="value">The value; must be finite.</param>
    /// <param name="timestamp">Unix seconds; <see langword="null"/> or 0 means now.</param>
    /// <param name="cancellationToken">Cancels a wait for buffer room.</param>
    /// <returns>A task that completes when the point is accepted.</returns>
    /// <exception cref="ArgumentException">The metric name is null, empty, has whitespace or control characters or bad tags, the line would exceed carbon's 16384-byte limit, the value is NaN or infinite, or the timestamp is negative. Nothing is sent; the client keeps working.</exception>
    /// <exception cref="ObjectDisposedException">The client was closed.</exception>
    public ValueTask SendAsync(string metric, double value, long? timestamp = null, CancellationToken cancellationToken = default)
    {
        var point = new Datapoint(metric, value, timestamp);
        long defaultTimestamp = timestamp is long t && t != 0 ? t : Now(); // the clock only when the point needs it
        var rejections = default(Rejections);
        int replica = 0;
        int next = Append(new ReadOnlySpan<Datapoint>(in point), 0, defaultTimestamp, allowWait: true, ref rejections, ref replica, out Destination? blocked);
        if (next == 1)
        {
            ThrowIfRejected(ref rejections, 1, nameof(metric));
            return default;
        }

        return WaitAndAppendAsync(new[] { point }, next, replica, blocked!, defaultTimestamp, rejections, nameof(metric), cancellationToken);
    }

    /// <summary>
    /// Sends many points. Valid points are accepted even when some are invalid; the invalid ones are reported
    /// afterwards in one <see cref="ArgumentException"/>. A point's own timestamp wins over <paramref name="timestamp"/>.
    /// </summary>
    /// <param name="dataset">The points. Passing an array or a <see cref="List{T}"/> allocates nothing.</param>
    /// <param name="timestamp">Timestamp for points that have none (<see langword="null"/> or 0); <see langword="null"/> means now.</param>
    /// <param name="cancellationToken">Cancels a wait for buffer room.</param>
    /// <returns>A task that completes when the points are accepted.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">Some points were invalid; the message names the first and how many. All valid points were accepted.</exception>
    /// <exception cref="ObjectDisposedException">The client was closed.</exception>
    public ValueTask SendMultipleAsync(IEnumerable<Datapoint> dataset, long? timestamp = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        long ts = timestamp is long t && t != 0 ? t : Now();
        Datapoint[]? array = dataset as Datapoint[];
        ReadOnlySpan<Datapoint> span = array ?? (dataset is List<Datapoint> list ? CollectionsMarshal.AsSpan(list) : (array = [.. dataset]));
        var rejections = default(Rejections);
        int replica = 0;
        int next = Append(span, 0, ts, allowWait: true, ref rejections, ref replica, out Destination? blocked);
        if (next == span.Length)
        {
            ThrowIfRejected(ref rejections, span.Length, nameof(dataset));
            return default;
        }

        return WaitAndAppendAsync(array ?? span.ToArray(), next, replica, blocked!, ts, rejections, nameof(dataset), cancellationToken);
    }

    /// <summary>
    /// Sends one point without ever waiting or throwing: for hot paths. Allocates nothing.
    /// </summary>
    /// <param name="metric">The metric path.</param>
    /// <param name="value">The value.</param>
    /// <param name="timestamp">Unix seconds; <see langword="null"/> or 0 means now.</param>
    /// <returns>
    /// <see langword="true"/> when the point was accepted; <see langword="false"/> when it was invalid (counted in
    /// <see cref="GraphiteClientStatistics.PointsRejected"/>), the buffer was full and the policy keeps old points
    /// (counted in <see cref="GraphiteClientStatistics.PointsDroppedBufferFull"/>), or the client is closed.
    /// </returns>
    public bool TrySend(string metric, double value, long? timestamp = null)
    {
        if (Volatile.Read(ref _closeState) != 0)
        {
            return false;
        }

        var point = new Datapoint(metric, value, timestamp);
        var rejections = default(Rejections);
        int replica = 0;
        long droppedNewest;
        try
        {
            Append(new ReadOnlySpan<Datapoint>(in point), 0, timestamp is long t && t != 0 ? t : Now(), allowWait: false, ref rejections, ref replica, out _, out droppedNewest);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        return rejections.Count == 0 && droppedNewest == 0;
    }

    /// <summary>Under <see cref="FullBufferPolicy.Wait"/>: waits for room and appends the rest, dropping what still does not fit after the timeout.</summary>
    private async ValueTask WaitAndAppendAsync(Datapoint[] points, int next, int replica, Destination blocked, long ts, Rejections rejections, string paramName, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        while (true)
        {
            Task space = blocked.Loop.SpaceFreed.WaitAsync();
            blocked.Loop.Wake();
            next = Append(points, next, ts, allowWait: true, ref rejections, ref replica, out Destination? stillBlocked);
            if (next == points.Length)
            {
                break;
            }

            blocked = stillBlocked!;
            TimeSpan remaining = Options.FullBufferWaitTimeout - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                // Give up waiting: what still does not fit is dropped, and counted.
                Append(points, next, ts, allowWait: false, ref rejections, ref replica, out _);
                break;
            }

            try
            {
                await space.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }

        ThrowIfRejected(ref rejections, points.Length, paramName);
    }

    /// <summary>
    /// Validates, routes and appends points from <paramref name="start"/>; returns the index it stopped at (when it
    /// must wait for room in <paramref name="blocked"/>, resuming at <paramref name="replica"/>) or the length.
    /// </summary>
    private int Append(ReadOnlySpan<Datapoint> points, int start, long ts, bool allowWait, ref Rejections rejections, ref int replica, out Destination? blocked) =>
        Append(points, start, ts, allowWait, ref rejections, ref replica, out blocked, out _);

    private int Append(ReadOnlySpan<Datapoint> points, int start, long ts, bool allowWait, ref Rejections rejections, ref int replica, out Destination? blocked, out long droppedNewest)
    {
        bool wait = allowWait && Options.FullBufferPolicy == FullBufferPolicy.Wait;
        blocked = null;
        droppedNewest = 0;
        long rejectedBefore = rejections.Count;
        int next;
        if (_router is null)
        {
            Destination d = _destinations[0];
            var outcome = default(BatchOutcome);
            lock (d.Buffer.Sync)
            {
                ObjectDisposedException.ThrowIf(d.Buffer.IsCompletedLocked, this);
                next = AppendLocked(d, points, start, ts, wait, ref outcome, ref rejections);
            }

            Report(d, ref outcome);
            droppedNewest = outcome.DroppedNewest;
            if (next < points.Length)
            {
                blocked = d;
            }
        }
        else
        {
            next = AppendRouted(points, start, ts, wait, ref rejections, ref replica, out blocked, out droppedNewest);
        }

        long rejected = rejections.Count - rejectedBefore;
        if (rejected > 0)
        {
            Interlocked.Add(ref _rejected, rejected);
            _instruments.PointsDropped(rejected, DropReason.Invalid, _destinations[0].Tags);
        }

        return next;
    }

    private int AppendLocked(Destination d, ReadOnlySpan<Datapoint> points, int start, long defaultTimestamp, bool wait, ref BatchOutcome outcome, ref Rejections rejections)
    {
        for (int i = start; i < points.Length; i++)
        {
            ref readonly Datapoint p = ref points[i];
            long ts = p.Timestamp is long t && t != 0 ? t : defaultTimestamp;

            // A name checked before (the same string object) skips the name checks; value and timestamp are
            // checked every time. Tagged names with default tags to merge take the full path.
            if (p.Metric is { } known && d.Names.TryGet(known, out int knownBytes, out bool tagged) && !(tagged && _defaultTags is not null)
                && double.IsFinite(p.Value) && ts >= 0)
            {
                if (!AppendOne(d, new PointText(_prefix, known, knownBytes, _tagSuffix, p.Value, ts), wait, ref outcome))
                {
                    return i;
                }

                continue;
            }

            if (!TryPrepare(in p, defaultTimestamp, out string metric, out ReadOnlySpan<byte> suffix, out int metricBytes, out ts, out string? error))
            {
                rejections.Add(p.Metric, error!, i);
                continue;
            }

            // Remember the name when it fits a line whatever the value and timestamp (so only the name decided).
            if (ReferenceEquals(metric, p.Metric) && _prefix.Length + metricBytes + suffix.Length <= _maxLineBytes - MetricNameRules.MaxValueChars - MetricNameRules.MaxTimestampChars - 2)
            {
                d.Names.Store(metric, metricBytes, metric.Contains(';', StringComparison.Ordinal));
            }

            if (!AppendOne(d, new PointText(_prefix, metric, metricBytes, suffix, p.Value, ts), wait, ref outcome))
            {
                return i;
            }
        }

        return points.Length;
    }

    private int AppendRouted(ReadOnlySpan<Datapoint> points, int start, long defaultTimestamp, bool wait, ref Rejections rejections, ref int replica, out Destination? blocked, out long droppedNewest)
    {
        blocked = null;
        droppedNewest = 0;
        for (int i = start; i < points.Length; i++)
        {
            ref readonly Datapoint p = ref points[i];
            if (!TryPrepare(in p, defaultTimestamp, out string metric, out ReadOnlySpan<byte> suffix, out int metricBytes, out long ts, out string? error))
            {
                rejections.Add(p.Metric, error!, i);
                continue;
            }

            int[] targets = _router!.Route(metric);
            for (; replica < targets.Length; replica++)
            {
                Destination d = _destinations[targets[replica]];
                var outcome = default(BatchOutcome);
                bool appended;
                lock (d.Buffer.Sync)
                {
                    ObjectDisposedException.ThrowIf(d.Buffer.IsCompletedLocked, this);
                    appended = AppendOne(d, new PointText(_prefix, metric, metricBytes, suffix, p.Value, ts), wait, ref outcome);
                }

                Report(d, ref outcome);
                droppedNewest += outcome.DroppedNewest;
                if (!appended)
                {
                    blocked = d;
                    return i;
                }
            }

            replica = 0;
        }

        return points.Length;
    }

    /// <summary>Appends one validated point to a destination (its lock held); false when the caller must wait for room.</summary>
    private bool AppendOne(Destination d, in PointText text, bool wait, ref BatchOutcome outcome)
    {
        switch (d.Buffer.AppendLocked(text, _dropOldest, ref outcome.DroppedOldest))
        {
            case AppendResult.Appended:
                break;
            case AppendResult.AppendedFirstInSegment:
            case AppendResult.AppendedAfterSeal:
                outcome.Wake = true;
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

    /// <summary>Applies default timestamp and tags and checks the point; false with the reason when it is invalid.</summary>
    private bool TryPrepare(in Datapoint p, long defaultTimestamp, out string metric, out ReadOnlySpan<byte> suffix, out int metricBytes, out long ts, out string? error)
    {
        ts = p.Timestamp is long t && t != 0 ? t : defaultTimestamp;
        metric = p.Metric;
        suffix = _tagSuffix;
        if (_defaultTags is not null && metric is not null && metric.Contains(';', StringComparison.Ordinal))
        {
            metric = MergeDefaultTags(metric);
            suffix = default;
        }

        error = DatapointRules.Check(metric, p.Value, ts, _prefix.Length, suffix.Length, _maxLineBytes, out metricBytes);
        return error is null;
    }

    private string MergeDefaultTags(string metric) =>
        MetricNameRules.Check(metric, out _) is null && TagRules.CheckTaggedPath(metric) is null
            ? TaggedName.Merge(metric, _defaultTags!)
            : metric;

    private void Report(Destination d, ref BatchOutcome outcome)
    {
        if (outcome.Wake)
        {
            d.Loop.Wake();
        }

        SenderStatistics stats = d.Statistics;
        if (outcome.Accepted > 0)
        {
            Interlocked.Add(ref stats.PointsAccepted, outcome.Accepted);
        }

        long dropped = outcome.DroppedOldest + outcome.DroppedNewest;
        if (dropped > 0)
        {
            Interlocked.Add(ref stats.PointsDroppedBufferFull, dropped);
            _instruments.PointsDropped(dropped, DropReason.BufferFull, d.Tags);
            LogDrops(d, dropped);
        }
    }

    /// <summary>Logs buffer-full drops at most every 5 seconds, with the count since the last log.</summary>
    private void LogDrops(Destination d, long dropped)
    {
        long total = Interlocked.Add(ref _dropsSinceLog, dropped);
        long last = Interlocked.Read(ref _lastDropLog);
        if ((last == 0 || _time.GetElapsedTime(last) >= TimeSpan.FromSeconds(5)) && Interlocked.CompareExchange(ref _lastDropLog, _time.GetTimestamp(), last) == last)
        {
            Interlocked.Add(ref _dropsSinceLog, -total);
            GraphiteLog.PointsDropped(_log, d.Connector.Description, total, $"the buffer is full ({Options.FullBufferPolicy}, {Options.BufferCapacityBytes} bytes)");
        }
    }

    private static void ThrowIfRejected(ref Rejections rejections, int count, string paramName)
    {
        if (rejections.Count == 0)
        {
            return;
        }

        string reason = count == 1
            ? rejections.FirstReason!
            : $"{rejections.FirstReason} (datapoint {rejections.FirstIndex}); {rejections.Count} of {count} datapoints were rejected and the other {count - rejections.Count} were accepted";
        throw DatapointRules.Rejected(rejections.FirstMetric, reason, paramName);
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();
}
