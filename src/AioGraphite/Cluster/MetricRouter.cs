using System.Collections.Concurrent;

namespace AioGraphite.Cluster;

/// <summary>
/// Picks the destination(s) of each metric as the relay chosen by <see cref="ConsistentHashing"/> would: with
/// <see cref="ConsistentHashing.CarbonRelay"/> carbon's consistent hash of the full name as sent (global prefix and
/// default tags included), exactly as carbon-relay in consistent-hashing mode; with
/// <see cref="ConsistentHashing.CarbonCRelay"/> carbon-c-relay's <c>carbon_ch</c> (its rewritten path, its ring, its
/// replication). Results are cached per metric string, so the md5 is computed once per series.
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

    /// <summary>Builds the ring over <paramref name="destinations"/>.</summary>
    /// <param name="destinations">The destinations, in the order given to the client.</param>
    /// <param name="replicationFactor">How many destinations take each metric.</param>
    /// <param name="diverseReplicas">carbon's <c>DIVERSE_REPLICAS</c> (ignored with <see cref="ConsistentHashing.CarbonCRelay"/>).</param>
    /// <param name="prefix">The global prefix with its trailing dot, or empty.</param>
    /// <param name="suffix">The default tags as <c>;k=v</c>..., or empty.</param>
    /// <param name="hashing">Whose placement to copy.</param>
    public MetricRouter(IReadOnlyList<GraphiteDestination> destinations, int replicationFactor, bool diverseReplicas, string prefix, string suffix, ConsistentHashing hashing)
    {
        var nodes = new List<CarbonNode>(destinations.Count);
        for (int i = 0; i < destinations.Count; i++)
        {
            var node = new CarbonNode(destinations[i].Host, destinations[i].Port, destinations[i].Instance);
            nodes.Add(node);
            _indexOf[node] = i;
        }

        _ring = new CarbonConsistentHashRing(nodes, CarbonConsistentHashRing.DefaultReplicas, hashing);
        _replication = replicationFactor;
        _diverse = diverseReplicas && hashing == ConsistentHashing.CarbonRelay;
        _prefix = prefix;
        _suffix = suffix;
        Hashing = hashing;
    }

    /// <summary>Whose placement this router copies.</summary>
    public ConsistentHashing Hashing { get; }

    /// <summary>The name as the client sends it for <paramref name="metric"/>: prefix, metric, default tags unless it has its own.</summary>
    public string NameFor(string metric) =>
        string.Concat(_prefix, metric, metric.Contains(';', StringComparison.Ordinal) ? string.Empty : _suffix);

    /// <summary>The routing key the relay would hash for <paramref name="metric"/> sent through this client.</summary>
    public string KeyFor(string metric) =>
        Hashing == ConsistentHashing.CarbonCRelay ? CarbonCRelayKey.ForMetric(NameFor(metric)) : NameFor(metric);

    /// <summary>Indexes of the destinations that take <paramref name="metric"/> (the name as passed to the client, checked).</summary>
    public int[] Route(string metric)
    {
        if (_cache.TryGetValue(metric, out int[]? targets))
        {
            return targets;
        }

        targets = Compute(metric);
        if (_cache.Count >= MaxCachedSeries)
        {
            _cache.Clear();
        }

        _cache[metric] = targets;
        return targets;
    }

    private int[] Compute(string metric)
    {
        IReadOnlyList<CarbonNode> nodes = _ring.GetNodes(KeyFor(metric), _replication, _diverse);
        int[] targets = new int[nodes.Count];
        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = _indexOf[nodes[i]];
        }

        return targets;
    }
}
