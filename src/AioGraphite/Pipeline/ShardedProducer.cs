using AioGraphite.Cluster;
using AioGraphite.Naming;
using AioGraphite.Protocols;

namespace AioGraphite.Pipeline;

/// <summary>
/// The producers' path over several destinations: each point is checked once, outside every lock (the router's cache of
/// checked names first, then <see cref="GraphiteDatapointValidator"/>), routed by <see cref="MetricRouter"/>, and
/// appended to each of its destinations in turn (<see cref="DestinationSender.Append(in PreparedPoint, bool, ref long)"/>,
/// which takes that destination's lock). Stateless apart from the router's cache: any thread.
/// </summary>
internal sealed class ShardedProducer
{
    private readonly MetricRouter _router;
    private readonly DestinationSender[] _destinations;
    private readonly GraphiteDatapointValidator _rules;
    private readonly bool _mergesDefaultTags;

    /// <param name="router">The ring over <paramref name="destinations"/>.</param>
    /// <param name="destinations">The destinations, indexed as the router's targets.</param>
    /// <param name="rules">The client's checks.</param>
    public ShardedProducer(MetricRouter router, DestinationSender[] destinations, GraphiteDatapointValidator rules)
    {
        _router = router;
        _destinations = destinations;
        _rules = rules;
        _mergesDefaultTags = rules.DefaultTags is not null;
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
        for (int i = start; i < points.Length; i++)
        {
            ref readonly Datapoint p = ref points[i];
            if (!TryPrepare(in p, defaultTimestamp, out PreparedPoint prepared, out int[] targets, out string? error))
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
    /// A name routed before as checked (same text) skips the name checks, as the single-destination path does with its
    /// name cache; value and timestamp are checked every time.
    /// </summary>
    private bool TryPrepare(in Datapoint p, long defaultTimestamp, out PreparedPoint prepared, out int[] targets, out string? error)
    {
        long ts = p.Timestamp is long t && t != 0 ? t : defaultTimestamp;
        int metricBytes;
        if (p.Metric is { } known && _router.TryGetChecked(known, out targets, out metricBytes) && !(_mergesDefaultTags && known.Contains(';', StringComparison.Ordinal))
            && double.IsFinite(p.Value) && (ulong)ts <= WhisperLimits.MaxTimestamp)
        {
            prepared = new PreparedPoint(known, metricBytes, withTagSuffix: true, p.Value, ts);
            error = null;
            return true;
        }

        if (!_rules.TryPrepare(in p, defaultTimestamp, out string metric, out ReadOnlySpan<byte> suffix, out metricBytes, out ts, out error))
        {
            prepared = default;
            targets = [];
            return false;
        }

        targets = _router.Route(metric, _rules.FitsAnyLine(metricBytes, suffix.Length) && ReferenceEquals(metric, p.Metric) ? metricBytes : -1);
        prepared = new PreparedPoint(metric, metricBytes, withTagSuffix: !suffix.IsEmpty, p.Value, ts);
        return true;
    }
}
