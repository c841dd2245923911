using AioGraphite.Diagnostics;
using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <summary>
/// The producers' entry behind <see cref="GraphiteClient"/>'s send calls: hands points to the one destination
/// (<see cref="DestinationSender.Append(ReadOnlySpan{Datapoint}, int, long, bool, ref Rejections, out long)"/>) or to the
/// <see cref="ShardedProducer"/>, counts rejected points, and waits for room (back-pressure) when a destination is full.
/// Stateless: any thread.
/// </summary>
internal sealed class SendCoordinator
{
    private readonly DestinationSender[] _destinations;
    private readonly ShardedProducer? _sharded;
    private readonly PipelineCounters _edge;
    private readonly TimeProvider _time;
    private readonly TimeSpan _fullBufferWaitTimeout;

    /// <param name="destinations">The destinations; with one, points go straight to it.</param>
    /// <param name="sharded">The sharded path, with several destinations; otherwise null.</param>
    /// <param name="edge">The client-wide counters (rejected points).</param>
    /// <param name="time">The clock.</param>
    /// <param name="fullBufferWaitTimeout">How long an awaiting send waits for room without progress (<see cref="GraphiteClientOptions.FullBufferWaitTimeout"/>).</param>
    public SendCoordinator(DestinationSender[] destinations, ShardedProducer? sharded, PipelineCounters edge, TimeProvider time, TimeSpan fullBufferWaitTimeout)
    {
        _destinations = destinations;
        _sharded = sharded;
        _edge = edge;
        _time = time;
        _fullBufferWaitTimeout = fullBufferWaitTimeout;
    }

    /// <summary>
    /// Hands points from <paramref name="start"/> to the destination (which checks and appends them) or, over several
    /// destinations, to the sharded producer; returns the index it stopped at (when it must wait for room in
    /// <paramref name="blocked"/>, resuming at <paramref name="replica"/>) or the length.
    /// </summary>
    /// <param name="points">The caller's points.</param>
    /// <param name="start">The first point to append.</param>
    /// <param name="ts">The timestamp of points that have none.</param>
    /// <param name="allowWait">The caller can wait for room; otherwise the policy drops.</param>
    /// <param name="rejections">Collects invalid points.</param>
    /// <param name="replica">The replica of the first point to resume at (sharded only).</param>
    /// <param name="blocked">The destination to wait for, when the return value is below the length.</param>
    /// <param name="droppedNewest">Points dropped because a buffer was full and the policy keeps old points.</param>
    /// <exception cref="ObjectDisposedException">The client was closed.</exception>
    public int Append(ReadOnlySpan<Datapoint> points, int start, long ts, bool allowWait, ref Rejections rejections, ref int replica, out DestinationSender? blocked, out long droppedNewest)
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

    /// <summary>
    /// Waits for room and appends the rest, then throws for the rejected points. Gives up, dropping what still does not
    /// fit (counted), when no room was freed for <see cref="GraphiteClientOptions.FullBufferWaitTimeout"/>, or at once
    /// when carbon is not connected and the policy drops.
    /// </summary>
    /// <param name="points">The caller's points (copied when they were not an array).</param>
    /// <param name="next">The first point not appended yet.</param>
    /// <param name="replica">Its replica to resume at.</param>
    /// <param name="blocked">The destination that had no room.</param>
    /// <param name="ts">The timestamp of points that have none.</param>
    /// <param name="rejections">Points rejected so far.</param>
    /// <param name="paramName">The caller's parameter, for the exception.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async ValueTask WaitAndAppendAsync(Datapoint[] points, int next, int replica, DestinationSender blocked, long ts, Rejections rejections, string paramName, CancellationToken cancellationToken)
    {
        long progressAt = _time.GetTimestamp();
        while (true)
        {
            Task space = blocked.SpaceFreed.WaitAsync();
            blocked.Wake();
            int before = next;
            next = Append(points, next, ts, allowWait: true, ref rejections, ref replica, out DestinationSender? stillBlocked, out _);
            if (next == points.Length)
            {
                break;
            }

            if (next != before)
            {
                progressAt = _time.GetTimestamp();
            }

            blocked = stillBlocked!;
            TimeSpan remaining = _fullBufferWaitTimeout - _time.GetElapsedTime(progressAt);
            if (remaining <= TimeSpan.Zero || !blocked.MayWait)
            {
                if (remaining <= TimeSpan.Zero)
                {
                    blocked.MarkStalled(); // later sends do not wait again until carbon takes data
                }

                // Give up waiting: what still does not fit is dropped, and counted.
                Append(points, next, ts, allowWait: false, ref rejections, ref replica, out _, out _);
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

    /// <summary>Throws the <see cref="ArgumentException"/> for the rejected points of a call of <paramref name="count"/> points; nothing when none was.</summary>
    public static void ThrowIfRejected(ref Rejections rejections, int count, string paramName)
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
}
