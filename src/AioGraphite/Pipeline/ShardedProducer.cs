using AioGraphite.Cluster;
using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <summary>
/// The producers' path over several destinations: each point is checked and its name encoded once, outside every lock
/// (<see cref="PointPreparer"/>: the client's name cache first), routed by <see cref="MetricRouter"/>, and appended to
/// each of its destinations in turn (<see cref="DestinationSender.Append(in PreparedPoint, bool, ref long)"/>, which
/// takes that destination's lock): the destinations share the protocol, prefix and tags, so they share the encoded name.
/// Stateless apart from the caches: any thread.
/// </summary>
internal sealed class ShardedProducer
{
    private readonly MetricRouter _router;
    private readonly DestinationSender[] _destinations;
    private readonly PointPreparer _preparer;
    private readonly PipelineCounters _counters;

    /// <param name="router">The ring over <paramref name="destinations"/>.</param>
    /// <param name="destinations">The destinations, indexed as the router's targets.</param>
    /// <param name="preparer">The client's checks and name cache.</param>
    /// <param name="counters">The client-wide counters (name lookups).</param>
    public ShardedProducer(MetricRouter router, DestinationSender[] destinations, PointPreparer preparer, PipelineCounters counters)
    {
        _router = router;
        _destinations = destinations;
        _preparer = preparer;
        _counters = counters;
    }

    /// <summary>
    /// Checks, routes and appends points from <paramref name="start"/>; returns the index it stopped at (when it must
    /// wait for room in <paramref name="blocked"/>, resuming at <paramref name="replica"/>) or the length.
    /// </summary>
    /// <param name="points">The caller's points.</param>
    /// <param name="start">The first point to append.</param>
    /// <param name="defaultTimestamp">The timestamp of points that have none.</param>
    /// <param name="allowWait">The caller can wait for room; otherwise the policy drops.</param>
    /// <param name="rejections">Collects invalid points.</param>
    /// <param name="replica">The replica of the first point to resume at; 0 when done.</param>
    /// <param name="blocked">The destination to wait for, when the return value is below the length.</param>
    /// <param name="droppedNewest">Points dropped because a buffer was full and the policy keeps old points.</param>
    /// <exception cref="ObjectDisposedException">The client was closed.</exception>
    public int Append(ReadOnlySpan<Datapoint> points, int start, long defaultTimestamp, bool allowWait, ref Rejections rejections, ref int replica, out DestinationSender? blocked, out long droppedNewest)
    {
        blocked = null;
        droppedNewest = 0;
        var lookups = default(NameLookups);
        try
        {
            return AppendRouted(points, start, defaultTimestamp, allowWait, ref rejections, ref replica, ref blocked, ref droppedNewest, ref lookups);
        }
        finally
        {
            _counters.NameLookupsCounted(lookups);
        }
    }

    private int AppendRouted(ReadOnlySpan<Datapoint> points, int start, long defaultTimestamp, bool allowWait, ref Rejections rejections, ref int replica, ref DestinationSender? blocked, ref long droppedNewest, ref NameLookups lookups)
    {
        for (int i = start; i < points.Length; i++)
        {
            ref readonly Datapoint p = ref points[i];
            if (!TryPrepare(in p, defaultTimestamp, out PreparedPoint prepared, out int[] targets, out string? error, ref lookups))
            {
                rejections.Add(p.Metric, error!, i);
                continue;
            }

            for (; replica < targets.Length; replica++)
            {
                DestinationSender d = _destinations[targets[replica]];
                if (!d.Append(in prepared, allowWait, ref droppedNewest))
                {
                    blocked = d;
                    return i;
                }
            }

            replica = 0;
        }

        return points.Length;
    }

    /// <summary>
    /// Checks the point through the client's <see cref="PointPreparer"/> (its name cache first) and routes a valid one:
    /// the router keeps the targets of the names it routed.
    /// </summary>
    private bool TryPrepare(in Datapoint p, long defaultTimestamp, out PreparedPoint prepared, out int[] targets, out string? error, ref NameLookups lookups)
    {
        prepared = _preparer.Prepare(in p, defaultTimestamp, ref lookups);
        if (prepared.Name is not { } name)
        {
            targets = [];
            error = prepared.Error;
            return false;
        }

        error = null;
        targets = _router.Route(name.Metric);
        return true;
    }
}
