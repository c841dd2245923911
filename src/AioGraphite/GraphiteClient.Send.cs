using System.Runtime.InteropServices;
using AioGraphite.Pipeline;

namespace AioGraphite;

/// <content>Sending: the public calls and their argument checks; <see cref="SendCoordinator"/> hands the points to the destinations (which check and append them) and waits for room.</content>
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
        int next = _sendCoordinator.Append(new ReadOnlySpan<Datapoint>(in point), 0, defaultTimestamp, allowWait: true, ref rejections, ref replica, out DestinationSender? blocked, out _);
        if (next == 1)
        {
            SendCoordinator.ThrowIfRejected(ref rejections, 1, nameof(metric));
            return default;
        }

        return _sendCoordinator.WaitAndAppendAsync(new[] { point }, next, replica, blocked!, defaultTimestamp, rejections, nameof(metric), cancellationToken);
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
        int next = _sendCoordinator.Append(span, 0, ts, allowWait: true, ref rejections, ref replica, out DestinationSender? blocked, out _);
        if (next == span.Length)
        {
            SendCoordinator.ThrowIfRejected(ref rejections, span.Length, nameof(dataset));
            return default;
        }

        return _sendCoordinator.WaitAndAppendAsync(array ?? span.ToArray(), next, replica, blocked!, ts, rejections, nameof(dataset), cancellationToken);
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
            _sendCoordinator.Append(new ReadOnlySpan<Datapoint>(in point), 0, timestamp is long t && t != 0 ? t : Now(), allowWait: false, ref rejections, ref replica, out _, out droppedNewest);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        return rejections.Count == 0 && droppedNewest == 0;
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeSeconds();
}
