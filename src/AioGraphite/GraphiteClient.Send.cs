using System.Runtime.InteropServices;
using AioGraphite.Pipeline;
using AioGraphite.Protocols;

namespace AioGraphite;

/// <content>Sending: the public calls, their argument checks and the wait for room; the destinations check and append (<see cref="DestinationSender"/>, <see cref="ShardedProducer"/>).</content>
public sealed partial class GraphiteClient
{
    /// <summary>
    /// Sends one point: it is validated, formatted and buffered, and the call completes as soon as it is accepted,
    /// without waiting for the network. Only when the buffer is full does it wait for room: while carbon is connected
    /// (back-pressure, so a reachable carbon never causes drops), and under <see cref="FullBufferPolicy.Wait"/>; see
    /// <see cref="GraphiteClientOptions.FullBufferPolicy"/>.
    /// </summary>
    /// <param name="metric">The metric path, e.g. <c>app.requests</c>, optionally tagged (<c>app.requests;host=web1</c>).</param>
    /// <param name="value">The value; must be finite.</param>
    /// <param name="timestamp">Unix seconds; <see langword="null"/> or 0 means now.</param>
    /// <param name="cancellationToken">Cancels a wait for buffer room.</param>
    /// <returns>A task that completes when the point is accepted (or, after waiting in vain for room, dropped by the policy and counted).</returns>
    /// <exception cref="ArgumentException">The metric name is null, empty, has whitespace or control characters or bad tags, the line would exceed carbon's 16384-byte limit, the value is NaN or infinite, the timestamp is negative or past whisper's 4294967295 (milliseconds, say), or a node of an untagged name is too long for carbon to create its file (over 255 bytes, 251 for the last). Nothing is sent; the client keeps working.</exception>
    /// <exception cref="ObjectDisposedException">The client was closed.</exception>
    public ValueTask SendAsync(string metric, double value, long? timestamp = null, CancellationToken cancellationToken = default)
    {
        var point = new Datapoint(metric, value, timestamp);
        long defaultTimestamp = timestamp is long t && t != 0 ? t : Now(); // the clock only when the point needs it
        var rejections = default(Rejections);
        int replica = 0;
        int next = Append(new ReadOnlySpan<Datapoint>(in point), 0, defaultTimestamp, allowWait: true, ref rejections, ref replica, out DestinationSender? blocked);
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
        int next = Append(span, 0, ts, allowWait: true, ref rejections, ref replica, out DestinationSender? blocked);
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

    /// <summary>
    /// Waits for room and appends the rest. Gives up, dropping what still does not fit (counted), when no room was freed
    /// for <see cref="GraphiteClientOptions.FullBufferWaitTimeout"/>, or at once when carbon is not connected and the
    /// policy drops.
    /// </summary>
    private async ValueTask WaitAndAppendAsync(Datapoint[] points, int next, int replica, DestinationSender blocked, long ts, Rejections rejections, string paramName, CancellationToken cancellationToken)
    {
        long progressAt = _time.GetTimestamp();
        while (true)
        {
            Task space = blocked.SpaceFreed.WaitAsync();
            blocked.Wake();
            int before = next;
            next = Append(points, next, ts, allowWait: true, ref rejections, ref replica, out DestinationSender? stillBlocked);
            if (next == points.Length)
            {
                break;
            }

            if (next != before)
            {
                progressAt = _time.GetTimestamp();
            }

            blocked = stillBlocked!;
            TimeSpan remaining = Options.FullBufferWaitTimeout - _time.GetElapsedTime(progressAt);
            if (remaining <= TimeSpan.Zero || !blocked.MayWait)
            {
                if (remaining <= TimeSpan.Zero)
                {
                    blocked.MarkStalled(); // later sends do not wait again until carbon takes data
                }

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
    /// Hands points from <paramref name="start"/> to the destination (which checks and appends them) or, over several
    /// destinations, to the sharded producer; returns the index it stopped at (when it must wait for room in
    /// <paramref name="blocked"/>, resuming at <paramref name="replica"/>) or the length.
    /// </summary>
    private int Append(ReadOnlySpan<Datapoint> points, int start, long ts, bool allowWait, ref Rejections rejections, ref int replica, out DestinationSender? blocked) =>
        Append(points, start, ts, allowWait, ref rejections, ref replica, out blocked, out _);

    private int Append(ReadOnlySpan<Datapoint> points, int start, long ts, bool allowWait, ref Rejections rejections, ref int replica, out DestinationSender? blocked, out long droppedNewest)
    {
        long rejectedBefore = rejections.Count;
        int next;
        if (_sharded is null)
        {
            DestinationSender d = _destinations[0];
            next = d.Append(points, start, ts, allowWait, ref rejections, out droppedNewest);
            blocked = next < points.Length ? d : null;
        }
        else
        {
            next = _sharded.Append(points, start, ts, allowWait, ref rejections, ref replica, out blocked, out droppedNewest);
        }

        long rejected = rejections.Count - rejectedBefore;
        if (rejected > 0)
        {
            _edge.Rejected(rejected);
        }

        return next;
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
