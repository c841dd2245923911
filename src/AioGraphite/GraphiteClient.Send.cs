using System.Runtime.InteropServices;
using AioGraphite.Diagnostics;
using AioGraphite.Naming;
using AioGraphite.Pipeline;
using AioGraphite.Protocols;

namespace AioGraphite;

/// <content>Sending: validation at the edge, formatting into the buffer, the full-buffer policy.</content>
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
        int next = AppendAndReport(new ReadOnlySpan<Datapoint>(in point), 0, Now(), throwOnReject: true, allowWait: true, nameof(metric));
        return next == 1 ? default : WaitAndAppendAsync(new[] { point }, next, Now(), cancellationToken);
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
        switch (dataset)
        {
            case Datapoint[] array:
            {
                int next = AppendAndReport(array, 0, ts, throwOnReject: true, allowWait: true, nameof(dataset));
                return next == array.Length ? default : WaitAndAppendAsync(array, next, ts, cancellationToken);
            }

            case List<Datapoint> list:
            {
                ReadOnlySpan<Datapoint> span = CollectionsMarshal.AsSpan(list);
                int next = AppendAndReport(span, 0, ts, throwOnReject: true, allowWait: true, nameof(dataset));
                return next == span.Length ? default : WaitAndAppendAsync(span[next..].ToArray(), 0, ts, cancellationToken);
            }

            default:
            {
                Datapoint[] array = [.. dataset];
                int next = AppendAndReport(array, 0, ts, throwOnReject: true, allowWait: true, nameof(dataset));
                return next == array.Length ? default : WaitAndAppendAsync(array, next, ts, cancellationToken);
            }
        }
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
        var point = new Datapoint(metric, value, timestamp);
        var outcome = default(BatchOutcome);
        SendBuffer buffer = _destination.Buffer;
        lock (buffer.Sync)
        {
            if (buffer.IsCompletedLocked)
            {
                return false;
            }

            AppendLocked(new ReadOnlySpan<Datapoint>(in point), 0, Now(), allowWait: false, ref outcome);
        }

        Report(ref outcome);
        return outcome.Accepted == 1;
    }

    /// <summary>Under <see cref="FullBufferPolicy.Wait"/>: waits for room and appends the rest, dropping what still does not fit after the timeout.</summary>
    private async ValueTask WaitAndAppendAsync(Datapoint[] points, int next, long ts, CancellationToken cancellationToken)
    {
        long deadline = _time.GetTimestamp();
        SenderLoop loop = _destination.Loop;
        while (next < points.Length)
        {
            Task space = loop.SpaceFreed.WaitAsync();
            next = AppendAndReport(points, next, ts, throwOnReject: true, allowWait: true, "dataset");
            if (next == points.Length)
            {
                return;
            }

            TimeSpan remaining = Options.FullBufferWaitTimeout - _time.GetElapsedTime(deadline);
            if (remaining <= TimeSpan.Zero)
            {
                var outcome = new BatchOutcome { DroppedNewest = points.Length - next };
                Report(ref outcome);
                return;
            }

            try
            {
                await space.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>Appends under the lock, then reports outside it; returns the index it stopped at (waiting needed) or the length.</summary>
    private int AppendAndReport(ReadOnlySpan<Datapoint> points, int start, long ts, bool throwOnReject, bool allowWait, string paramName)
    {
        var outcome = default(BatchOutcome);
        int next;
        SendBuffer buffer = _destination.Buffer;
        lock (buffer.Sync)
        {
            ObjectDisposedException.ThrowIf(buffer.IsCompletedLocked, this);
            next = AppendLocked(points, start, ts, allowWait && Options.FullBufferPolicy == FullBufferPolicy.Wait, ref outcome);
        }

        Report(ref outcome);
        if (throwOnReject && outcome.Rejected > 0)
        {
            throw Rejection(ref outcome, points.Length, paramName);
        }

        return next;
    }

    private int AppendLocked(ReadOnlySpan<Datapoint> points, int start, long defaultTimestamp, bool allowWait, ref BatchOutcome outcome)
    {
        SendBuffer buffer = _destination.Buffer;
        int maxLine = _destination.MaxLineBytes;
        for (int i = start; i < points.Length; i++)
        {
            ref readonly Datapoint p = ref points[i];
            long ts = p.Timestamp is long t && t != 0 ? t : defaultTimestamp;
            string? metric = p.Metric;
            ReadOnlySpan<byte> suffix = _tagSuffix;
            if (_defaultTags is not null && metric is not null && metric.Contains(';', StringComparison.Ordinal))
            {
                metric = MergeDefaultTags(metric);
                suffix = default;
            }

            string? error = DatapointRules.Check(metric, p.Value, ts, _prefix.Length, suffix.Length, maxLine, out int metricBytes);
            if (error is not null)
            {
                outcome.Reject(p.Metric, error, i);
                continue;
            }

            var text = new PointText(_prefix, metric, metricBytes, suffix, p.Value, ts);
            switch (buffer.AppendLocked(text, _dropOldest, ref outcome.DroppedOldest))
            {
                case AppendResult.Appended:
                    break;
                case AppendResult.AppendedFirstInSegment:
                case AppendResult.AppendedAfterSeal:
                    outcome.Wake = true;
                    break;
                default:
                    outcome.Wake = true;
                    if (allowWait)
                    {
                        return i;
                    }

                    outcome.DroppedNewest++;
                    continue;
            }

            outcome.Accepted++;
        }

        return points.Length;
    }

    private string MergeDefaultTags(string metric) =>
        MetricNameRules.Check(metric, out _) is null && TagRules.CheckTaggedPath(metric) is null
            ? TaggedName.Merge(metric, _defaultTags!)
            : metric;

    private void Report(ref BatchOutcome outcome)
    {
        if (outcome.Wake)
        {
            _destination.Loop.Wake();
        }

        SenderStatistics stats = _destination.Statistics;
        if (outcome.Accepted > 0)
        {
            Interlocked.Add(ref stats.PointsAccepted, outcome.Accepted);
        }

        if (outcome.Rejected > 0)
        {
            Interlocked.Add(ref stats.PointsRejected, outcome.Rejected);
            _instruments.PointsDropped(outcome.Rejected, DropReason.Invalid);
        }

        long dropped = outcome.DroppedOldest + outcome.DroppedNewest;
        if (dropped > 0)
        {
            Interlocked.Add(ref stats.PointsDroppedBufferFull, dropped);
            _instruments.PointsDropped(dropped, DropReason.BufferFull);
            LogDrops(dropped);
        }
    }

    /// <summary>Logs buffer-full drops at most every 5 seconds, with the count since the last log.</summary>
    private void LogDrops(long dropped)
    {
        long total = Interlocked.Add(ref _dropsSinceLog, dropped);
        long last = Interlocked.Read(ref _lastDropLog);
        if ((last == 0 || _time.GetElapsedTime(last) >= TimeSpan.FromSeconds(5)) && Interlocked.CompareExchange(ref _lastDropLog, _time.GetTimestamp(), last) == last)
        {
            Interlocked.Add(ref _dropsSinceLog, -total);
            GraphiteLog.PointsDropped(_log, _destination.Connector.Description, total, $"the buffer is full ({Options.FullBufferPolicy}, {Options.BufferCapacityBytes} bytes)");
        }
    }

    private static ArgumentException Rejection(ref BatchOutcome outcome, int count, string paramName)
    {
        string reason = count == 1
            ? outcome.FirstRejectedReason!
            : $"{outcome.FirstRejectedReason} (datapoint {outcome.FirstRejectedIndex}); {outcome.Rejected} of {count} datapoints were rejected and the other {count - outcome.Rejected} were accepted";
        return DatapointRules.Rejected(outcome.FirstRejectedMetric, reason, paramName);
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();
}
