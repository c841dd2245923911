using AioGraphite.Cluster;

namespace AioGraphite.Tests.Cluster;

/// <summary>The entries of a <see cref="CarbonConsistentHashRing"/>, to compare with carbon's and carbon-c-relay's rings.</summary>
internal static class RingEntries
{
    /// <summary>
    /// The ring entries in position order, as carbon's <c>ConsistentHashRing.ring</c> list, or carbon-c-relay's entry
    /// list after it handed duplicate positions to the first of them: built by
    /// <see cref="CarbonConsistentHashRing.BuildEntries"/> from the ring's nodes, replicas and hashing, as its
    /// constructor builds them.
    /// </summary>
    public static (int Position, CarbonNode Node)[] GetEntries(this CarbonConsistentHashRing ring)
    {
        CarbonNode[] nodes = [.. ring.Nodes];
        (int[] positions, int[] owners) = CarbonConsistentHashRing.BuildEntries(nodes, ring.Replicas, ring.Hashing);
        var entries = new (int Position, CarbonNode Node)[positions.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = (positions[i], nodes[owners[i]]);
        }

        return entries;
    }
}
