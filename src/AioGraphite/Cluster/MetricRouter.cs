using System.Collections.Concurrent;

namespace AioGraphite.Cluster;

/// <summary>
/// Picks the destination(s) of each metric with carbon's consistent hash of the full name as sent (global prefix
/// and default tags included), exactly as carbon-relay in consistent-hashing mode would. Results are cached per
/// metric string, so the md5 is computed once per series.
/// </summary>
internal sealed class MetricRouter
{
    private const int MaxCachedSeries = 200_000;
    private readonly CarbonConsistentHashRing _ring;
    private readonly Dictionary<CarbonNode, int> _indexOf = [];
    private readonly int _replication;
    private readonly bool _diverse;
    private readonly string _prefix;
    private readonly string _suffix;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);

    public MetricRouter(IReadOnlyList<GraphiteDestination> destinations, int replicationFactor, bool diverseReplicas, string prefix, string suffix)
    {
        var nodes = new List<CarbonNode>(destinations.Count);
        for (int i = 0; i < destinations.Count; i++)
        {
            var node = new CarbonNode(destinations[i].Host, destinations[i].Port, destinations[i].Instance);
            nodes.Add(node);
            _indexOf[node] = i;
        }

        _ring = new CarbonConsistentHashRing(nodes);
        _replication = replicationFactor;
        _diverse = diverseReplicas;
        _prefix = prefix;
        _suffix = suffix;
    }

    /// <summary>The routing key carbon-relay would hash for <paramref name="metric"/> sent through this client.</summary>
    public string KeyFor(string metric) =>
        string.Concat(_prefix, metric, metric.Contains(';', StringComparison.Ordinal) ? string.Empty : _suffix);

    /// <summary>Indexes of the destinations that take <paramref name="metric"/> (the name as passed to the client).</summary>
    public int[] Route(string metric)
    {
        if (_cache.TryGetValue(metric, out int[]? targets))
        {
            return targets;
        }

        IReadOnlyList<CarbonNode> nodes = _ring.GetNodes(KeyFor(metric), _replication, _diverse);
        targets = new int[nodes.Count];
        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = _indexOf[nodes[i]];
        }

        if (_cache.Count >= MaxCachedSeries)
        {
            _cache.Clear();
        }

        _cache[metric] = targets;
        return targets;
    }
}
