using System.Globalization;
using AioGraphite.Cluster;
using Xunit;

namespace AioGraphite.Tests.Cluster;

/// <summary>The <see cref="ConsistentHashing.CarbonCRelay"/> ring's own rules (the parity tests compare it name by name with the model).</summary>
public sealed class CarbonCRelayRingTests
{
    private static readonly CarbonNode[] Colliding = [new("127.0.0.1", 2004, "i753741"), new("127.0.0.1", 2104, "i964854")];

    private static readonly string[] Names =
        [.. Enumerable.Range(0, 3000).Select(i => string.Create(CultureInfo.InvariantCulture, $"servers.host{i % 97}.app{i}.requests.count"))];

    [Fact]
    public void Ring_keys_are_snprintf_text_without_python_escapes()
    {
        Assert.Equal("('127.0.0.1', 'a'):0", CarbonConsistentHashRing.CRelayRingKey(new("127.0.0.1", 2004, "a"), 0));
        Assert.Equal("('cache.example', None):99", CarbonConsistentHashRing.CRelayRingKey(new("cache.example", 2004, null), 99));
        Assert.Equal("('::1', 'it's'):7", CarbonConsistentHashRing.CRelayRingKey(new("::1", 2004, "it's"), 7));
    }

    [Fact]
    public void Plain_keys_and_positions_are_carbons()
    {
        CarbonNode node = new("10.0.0.1", 2004, "a");
        for (int r = 0; r < 100; r++)
        {
            Assert.Equal(CarbonConsistentHashRing.RingKey(node, r), CarbonConsistentHashRing.CRelayRingKey(node, r));
        }
    }

    [Fact]
    public void Two_members_a_and_b_on_127_0_0_1_do_not_collide()
    {
        // Informative: the integration tests run carbon-c-relay over 127.0.0.1=a/=b(/=c). Without a collision its
        // placement of untagged, unrewritten names equals graphite-carbon's; the colliding pair below covers the rest.
        foreach (string[] instances in new[] { new[] { "a", "b" }, ["a", "b", "c"] })
        {
            var nodes = instances.Select((x, i) => new CarbonNode("127.0.0.1", 2004 + i, x)).ToArray();
            Assert.Empty(CollidedPositions(nodes));
            var crelay = new CarbonConsistentHashRing(nodes, hashing: ConsistentHashing.CarbonCRelay);
            var carbon = new CarbonConsistentHashRing(nodes);
            Assert.Equal(carbon.GetEntries(), crelay.GetEntries());
        }

        Assert.Equal([3775], CollidedPositions(Colliding));
    }

    [Fact]
    public void A_collided_position_belongs_to_the_lower_instance_in_either_order()
    {
        var forward = new CarbonConsistentHashRing(Colliding, hashing: ConsistentHashing.CarbonCRelay);
        var backward = new CarbonConsistentHashRing(Colliding.Reverse(), hashing: ConsistentHashing.CarbonCRelay);
        Assert.Equal(forward.GetEntries(), backward.GetEntries());
        (int Position, CarbonNode Node)[] at3775 = [.. forward.GetEntries().Where(e => e.Position == 3775)];
        Assert.Equal(2, at3775.Length);
        Assert.All(at3775, e => Assert.Equal("i753741", e.Node.Instance));
        Assert.DoesNotContain(forward.GetEntries(), e => e.Position == 3776);
        foreach (string name in Names)
        {
            Assert.Equal(forward.GetNode(name), backward.GetNode(name));
            Assert.Equal(forward.GetNodes(name, 2), backward.GetNodes(name, 2));
        }

        // graphite-carbon bumps the later member's entry to 3776 instead, so its placement depends on the order
        Assert.Contains(new CarbonConsistentHashRing(Colliding).GetEntries(), e => e.Position == 3776);
    }

    [Theory]
    [InlineData("127.0.0.1", "b", "127.0.0.2", "a", true)] // the host decides first ...
    [InlineData("127.0.0.1", "b", "127.0.0.1", "a", false)] // ... then the instance
    [InlineData("127.0.0.1", null, "127.0.0.1", "z", false)] // no instance sorts after any instance
    public void A_collided_position_belongs_to_the_member_that_sorts_first(string host1, string? instance1, string host2, string instance2Prefix, bool firstWins)
    {
        // search an instance name for the second member whose ring entries collide with the first member's
        CarbonNode first = new(host1, 2004, instance1);
        CarbonNode second = default;
        List<int> collided = [];
        for (int k = 0; collided.Count == 0; k++)
        {
            second = new(host2, 2104, instance2Prefix + k.ToString(CultureInfo.InvariantCulture));
            collided = CollidedPositions([first, second]);
        }

        CarbonNode winner = firstWins ? first : second;
        foreach (CarbonNode[] order in new[] { new[] { first, second }, [second, first] })
        {
            var ring = new CarbonConsistentHashRing(order, hashing: ConsistentHashing.CarbonCRelay);
            Assert.Equal(200, ring.GetEntries().Length);
            Assert.All(ring.GetEntries().Where(e => collided.Contains(e.Position)), e => Assert.Equal(winner, e.Node));
        }
    }

    [Fact]
    public void Replication_takes_distinct_members_even_on_one_host()
    {
        CarbonNode[] three = [new("127.0.0.1", 2004, "a"), new("127.0.0.1", 2104, "b"), new("127.0.0.1", 2204, "c")];
        var ring = new CarbonConsistentHashRing(three, hashing: ConsistentHashing.CarbonCRelay);
        foreach (string name in Names.Take(500))
        {
            IReadOnlyList<CarbonNode> two = ring.GetNodes(name, 2, diverseReplicas: true);
            Assert.Equal(2, two.Count);
            Assert.NotEqual(two[0], two[1]);
            Assert.Equal(ring.GetNode(name), two[0]);
            Assert.Equal(3, ring.GetNodes(name, 3).Distinct().Count());
            Assert.Equal(3, ring.GetNodes(name, 7).Count);
        }
    }

    [Fact]
    public void A_single_member_takes_everything()
    {
        var ring = new CarbonConsistentHashRing([new CarbonNode("h", 1, null)], hashing: ConsistentHashing.CarbonCRelay);
        Assert.Equal([new CarbonNode("h", 1, null)], ring.GetNodes("x", 3));
        Assert.Equal(new CarbonNode("h", 1, null), ring.GetNode("y"));
    }

    [Fact]
    public void Ring_keys_longer_than_255_bytes_are_cut()
    {
        // carbon-c-relay writes the key into char buf[256]: with a 300-character host every entry hashes the same
        // 255 bytes, so all 100 entries share one position.
        var ring = new CarbonConsistentHashRing([new CarbonNode(new string('h', 300), 1, "a"), new CarbonNode("10.0.0.1", 1, "b")], hashing: ConsistentHashing.CarbonCRelay);
        Assert.Single(ring.GetEntries().Where(e => e.Node.Instance == "a").Select(e => e.Position).Distinct());
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CarbonConsistentHashRing(Colliding, hashing: (ConsistentHashing)7));
        Assert.Throws<ArgumentException>(() => new CarbonConsistentHashRing([new("h", 1, "a"), new("h", 2, "a")], hashing: ConsistentHashing.CarbonCRelay));
    }

    [Fact]
    public void Router_hashes_the_relay_key_of_the_name_as_sent_and_ignores_DiverseReplicas()
    {
        GraphiteDestination[] destinations = [new("127.0.0.1", 2003, "a"), new("127.0.0.1", 2103, "b"), new("127.0.0.1", 2203, "c")];
        var router = new MetricRouter(destinations, replicationFactor: 2, diverseReplicas: true, prefix: "pre.", suffix: ";dc=x", ConsistentHashing.CarbonCRelay);
        var ring = new CarbonConsistentHashRing(destinations.Select(d => new CarbonNode(d.Host, d.Port, d.Instance)), hashing: ConsistentHashing.CarbonCRelay);
        Assert.Equal("pre.a_b.c", router.KeyFor("a@b..c"));
        Assert.Equal("pre.x", router.KeyFor("x;k=v"));
        foreach (string name in Names.Take(500).Concat(["caf\u00e9.x", "a..b.", "x;z=1;a=2"]))
        {
            int[] targets = router.Route(name);
            Assert.Same(targets, router.Route(name)); // cached
            Assert.Equal(2, targets.Length);
            Assert.Equal(ring.GetNodes(CarbonCRelayKey.ForMetric("pre." + name + (name.Contains(';', StringComparison.Ordinal) ? string.Empty : ";dc=x")), 2).Select(n => n.Instance), targets.Select(t => destinations[t].Instance));
        }

        // the same names, same tags in another order, other tag values: one placement
        Assert.Equal(router.Route("cpu;a=1;b=2"), router.Route("cpu;b=2;a=1"));
        Assert.Equal(router.Route("cpu"), router.Route("cpu;host=z"));

        var carbonRouter = new MetricRouter(destinations, replicationFactor: 2, diverseReplicas: true, prefix: "pre.", suffix: ";dc=x", ConsistentHashing.CarbonRelay);
        Assert.Equal("pre.a@b..c;dc=x", carbonRouter.KeyFor("a@b..c"));
        Assert.Single(carbonRouter.Route("anything")); // DIVERSE_REPLICAS: one host, one destination
    }

    private static List<int> CollidedPositions(CarbonNode[] nodes) =>
    [
        .. nodes
            .SelectMany(n => Enumerable.Range(0, 100).Select(r => (Position: CarbonConsistentHashRing.ComputePosition(CarbonConsistentHashRing.CRelayRingKey(n, r)), Node: n)))
            .GroupBy(e => e.Position)
            .Where(g => g.Select(e => e.Node).Distinct().Count() > 1)
            .Select(g => g.Key)
            .Order(),
    ];
}
