using System.Collections.Concurrent;

namespace AioGraphite.Cluster;

/// <summary>
/// Picks the destination(s) of each metric as the relay chosen by <see cref="ConsistentHashing"/> would: with
/// <see cref="ConsistentHashing.CarbonRelay"/> carbon's consistent hash of the full name as sent (global prefix and
/// default tags included), exactly as carbon-relay in consistent-hashing mode; with
/// <see cref="ConsistentHashing.CarbonCRelay"/> carbon-c-relay's <c>carbon_ch</c> (its rewritten path, its ring, its
/// replication). Results are cached per metric string, so the md5 is computed once per series. The client routes only
/// names that passed its checks, and remembers which ones fit a line whatever the value: for those the cache doubles as
/// the sharded path's validated-name cache (<see cref="TryGetChecked"/>).
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
    private readonly ConcurrentDictionary<string, RouteEntry> _cache = new(StringComparer.Ordinal);

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

    /// <summary>Indexes of the destinations that take <paramref name="metric"/> (the name as passed to the client).</summary>
    public int[] Route(string metric) => Route(metric, -1);

    /// <summary>
    /// Indexes of the destinations that take <paramref name="metric"/>, a name that passed the client's checks; a
    /// non-negative <paramref name="checkedUtf8Length"/> says it fits a line whatever the value and timestamp, so
    /// <see cref="TryGetChecked"/> may skip its checks next time.
    /// </summary>
    public int[] Route(string metric, int checkedUtf8Length)
    {
        if (_cache.TryGetValue(metric, out RouteEntry? route) && (checkedUtf8Length < 0 || route.Utf8Length >= 0))
        {
            return route.Targets;
        }

        int[] targets = route?.Targets ?? Compute(metric);
        if (_cache.Count >= MaxCachedSeries)
        {
            _cache.Clear();
        }

        _cache[metric] = new RouteEntry(targets, checkedUtf8Length);
        return targets;
    }

    /// <summary>A name routed before as checked and fitting any line: its destinations and UTF-8 length, no checks needed.</summary>
    public bool TryGetChecked(string metric, out int[] targets, out int utf8Length)
    {
        if (_cache.TryGetValue(metric, out RouteEntry? route) && route.Utf8Length >= 0)
        {
            targets = route.Targets;
            utf8Length = route.Utf8Length;
            return true;
        }

        targets = [];
        utf8Length = 0;
        return false;
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

    private sealed record RouteEntry(int[] Targets, int Utf8Length);
}
